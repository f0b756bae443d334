"""Residents, certificates and letters carry names and addresses: their admin pages
are written to the access log (PersonalDataAdminMixin) like the app's own pages.

Need-to-know: by default only managers and administrators reach these admin pages (the
roles' permissions, organization/roles.py) and they see all. Should an administrator
give a department's staff a permission here, every list and object is still limited to
that department's certificate types (NeedToKnowAdminMixin), as on the app's pages."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from notices import selectors
from notices.models import Certificate, CertificateType, ImportRun, Letter, NoticeRule, Resident
from organization.admin import PersonalDataAdminMixin, TranslatedAdmin
from organization.admin_deletion import ExplainsProtectedDeletion


class NeedToKnowAdminMixin:
    """Rows limited to what ``visible(user)`` (a notices selector) returns."""

    visible = None

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if selectors.certificate_department(request.user) is selectors.ALL_DEPARTMENTS:
            return queryset
        return queryset.filter(pk__in=type(self).visible(request.user).values("pk"))


@admin.register(CertificateType)
class CertificateTypeAdmin(NeedToKnowAdminMixin, TranslatedAdmin):
    visible = selectors.visible_certificate_types
    list_display = ["code", "name_ja", "name_en", "procedure", "department"]
    list_filter = ["department"]


@admin.register(Resident)
class ResidentAdmin(NeedToKnowAdminMixin, PersonalDataAdminMixin, admin.ModelAdmin):
    visible = selectors.visible_residents
    list_display = ["resident_number", "name", "kana", "postal_code", "address_line1", "status"]
    list_filter = ["status"]
    search_fields = ["resident_number", "name", "kana", "postal_code"]


@admin.register(Certificate)
class CertificateAdmin(NeedToKnowAdminMixin, PersonalDataAdminMixin, admin.ModelAdmin):
    visible = selectors.visible_certificates
    list_display = ["source_id", "resident", "certificate_type", "issued_on", "expires_on"]
    list_filter = ["certificate_type"]
    search_fields = ["source_id", "resident__name", "resident__resident_number"]
    date_hierarchy = "expires_on"
    list_select_related = ["resident", "certificate_type"]
    raw_id_fields = ["resident"]


@admin.register(ImportRun)
class ImportRunAdmin(NeedToKnowAdminMixin, admin.ModelAdmin):
    visible = selectors.visible_import_runs
    list_display = [
        "started_at",
        "file_name",
        "department",
        "status",
        "encoding",
        "rows",
        "created",
        "updated",
        "unchanged",
        "refused",
    ]
    list_filter = ["status"]
    # The uploaded file itself (names and addresses) is not offered for download here.
    exclude = ["file"]
    readonly_fields = [f.name for f in ImportRun._meta.fields if f.name != "file"]

    def has_add_permission(self, request):
        return False


@admin.register(NoticeRule)
class NoticeRuleAdmin(NeedToKnowAdminMixin, ExplainsProtectedDeletion, admin.ModelAdmin):
    instead_of_deleting = _(
        "To stop this rule making letters, untick “in use” instead: the letters it made stay"
        " as they are."
    )
    visible = selectors.visible_rules
    list_display = [
        "name",
        "certificate_type",
        "days_before_expiry",
        "procedure",
        "sender",
        "is_active",
    ]
    list_filter = ["is_active", "certificate_type"]


@admin.register(Letter)
class LetterAdmin(NeedToKnowAdminMixin, PersonalDataAdminMixin, admin.ModelAdmin):
    visible = selectors.visible_letters
    list_display = ["code", "resident", "certificate", "rule", "status", "created_at"]
    list_filter = ["status", "rule"]
    search_fields = ["code", "resident__name", "resident__resident_number"]
    list_select_related = ["resident", "certificate__certificate_type", "rule"]
    raw_id_fields = ["resident", "certificate"]

"""Residents, certificates and letters carry names and addresses: their admin pages
are written to the access log (PersonalDataAdminMixin) like the app's own pages."""

from django.contrib import admin

from notices.models import Certificate, CertificateType, ImportRun, Letter, NoticeRule, Resident
from organization.admin import PersonalDataAdminMixin


@admin.register(CertificateType)
class CertificateTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "procedure"]


@admin.register(Resident)
class ResidentAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["resident_number", "name", "kana", "postal_code", "address_line1", "status"]
    list_filter = ["status"]
    search_fields = ["resident_number", "name", "kana", "postal_code"]


@admin.register(Certificate)
class CertificateAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["source_id", "resident", "certificate_type", "issued_on", "expires_on"]
    list_filter = ["certificate_type"]
    search_fields = ["source_id", "resident__name", "resident__resident_number"]
    date_hierarchy = "expires_on"
    list_select_related = ["resident", "certificate_type"]
    raw_id_fields = ["resident"]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "file_name",
        "encoding",
        "rows",
        "created",
        "updated",
        "unchanged",
    ]
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(NoticeRule)
class NoticeRuleAdmin(admin.ModelAdmin):
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
class LetterAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    list_display = ["code", "resident", "certificate", "rule", "status", "created_at"]
    list_filter = ["status", "rule"]
    search_fields = ["code", "resident__name", "resident__resident_number"]
    list_select_related = ["resident", "certificate__certificate_type", "rule"]
    raw_id_fields = ["resident", "certificate"]

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname

from organization import services, signals
from organization.admin_deletion import ExplainsProtectedDeletion
from organization.logo import MAX_BYTES, logo_clean
from organization.models import (
    AccessKind,
    AccessLog,
    Department,
    ReadingCorrection,
    Role,
    SiteSettings,
    StaffMember,
)


def missing_translation_q(model, language: str) -> Q:
    """Rows with a Japanese text whose ``language`` column is empty (shown in Japanese)."""
    missing = Q()
    for field in translator.get_options_for_model(model).fields:
        japanese = build_localized_fieldname(field, "ja")
        column = build_localized_fieldname(field, language)
        has_japanese = Q(**{japanese + "__isnull": False}) & ~Q(**{japanese: ""})
        missing |= has_japanese & (Q(**{column + "__isnull": True}) | Q(**{column: ""}))
    return missing


class MissingTranslationFilter(admin.SimpleListFilter):
    """ "Missing translation: 한국어" lists what citizens see in Japanese on Korean pages."""

    title = _("missing translation")
    parameter_name = "missing_translation"

    def lookups(self, request, model_admin):
        # Each language named in itself (한국어, Tiếng Việt …), as the switcher does.
        return [
            (code, get_language_info(code)["name_local"])
            for code, _name in settings.LANGUAGES
            if code != "ja"
        ]

    def queryset(self, request, queryset):
        if self.value() not in dict(self.lookups(request, None)):
            return queryset
        return queryset.filter(missing_translation_q(queryset.model, self.value()))


class TranslatedAdmin(ExplainsProtectedDeletion, TranslationAdmin):
    """The admin of a model with translated texts (``<app>/translation.py``): each text
    has one field per language, grouped under it (the Japanese required where the text
    is), and the list has the "missing translation" filter and column."""

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), MissingTranslationFilter]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "missing_translations"]

    @admin.display(description=_("missing translations"))
    def missing_translations(self, obj):
        fields = translator.get_options_for_model(type(obj)).fields
        missing = []
        for code, _name in settings.LANGUAGES:
            for field in fields:
                if getattr(obj, build_localized_fieldname(field, "ja")) and not getattr(
                    obj, build_localized_fieldname(field, code)
                ):
                    missing.append(code)
                    break
        return " ".join(missing) or "—"


@admin.register(Department)
class DepartmentAdmin(TranslatedAdmin):
    list_display = ["code", "name_ja", "name_en", "head", "phone", "location_ja", "display_order"]
    list_editable = ["display_order"]
    search_fields = ["code", "name_ja", "name_en"]
    autocomplete_fields = ["head"]


@admin.register(StaffMember)
class StaffMemberAdmin(ExplainsProtectedDeletion, admin.ModelAdmin):
    list_display = ["display_name", "user", "department", "role"]
    list_filter = ["department", "role"]
    search_fields = ["user__username", "user__last_name", "user__first_name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "department"]

    def save_model(self, request, obj, form, change):
        # Through the service, so the role group and admin access follow the role.
        services.staff_member_assign(user=obj.user, department=obj.department, role=obj.role)


class StaffMemberInline(admin.StackedInline):
    model = StaffMember
    can_delete = False
    extra = 0
    max_num = 1


UserModel = get_user_model()
admin.site.unregister(UserModel)


@admin.register(UserModel)
class UserAdmin(ExplainsProtectedDeletion, DjangoUserAdmin):
    inlines = [StaffMemberInline]
    instead_of_deleting = _(
        "To stop this person signing in, untick “active” instead: the records they made keep"
        " their name."
    )

    def save_formset(self, request, form, formset, change):
        if formset.model is not StaffMember:
            return super().save_formset(request, form, formset, change)
        # What the admin's change message reads (what formset.save() would have set).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            data = getattr(inline_form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("department"):
                continue
            existed = inline_form.instance.pk is not None
            member = services.staff_member_assign(
                user=form.instance, department=data["department"], role=data["role"]
            )
            if not existed:
                formset.new_objects.append(member)
            elif inline_form.changed_data:
                formset.changed_objects.append((member, inline_form.changed_data))
        return None


# --- The access log ---------------------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record shown for audit: nobody adds, edits or deletes it here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    """Read-only, for administrators (and superusers) alone: the log is append-only in
    the database, and its model has no add, change or delete permission to give."""

    list_display = ["at", "user", "kind", "object_type", "object_id", "view", "short_detail", "ip"]
    list_filter = [
        "kind",
        "object_type",
        ("user", admin.RelatedOnlyFieldListFilter),
        ("at", admin.DateFieldListFilter),
    ]
    search_fields = ["=object_id", "user__username", "user__last_name", "user__first_name"]
    search_help_text = _("An object's id (also found in list pages' entries) or a user name.")
    date_hierarchy = "at"
    list_select_related = ["user"]
    # No COUNT(*) over the whole log on every page.
    show_full_result_count = False

    @admin.display(description=_("detail"))
    def short_detail(self, obj):
        return Truncator(obj.detail).chars(80)

    def get_search_results(self, request, queryset, search_term):
        """Also find list pages whose shown objects include the id searched for."""
        matched, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term and services.ID_SEPARATOR not in term:
            sep = services.ID_SEPARATOR
            in_list = (
                Q(detail__startswith=term + sep)
                | Q(detail__endswith=sep + term)
                | Q(detail__contains=sep + term + sep)
            )
            matched = matched | queryset.filter(
                in_list, object_id="", kind=AccessKind.PERSONAL_DATA_READ
            )
        return matched, may_have_duplicates

    def has_module_permission(self, request):
        return _may_read_the_log(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _may_read_the_log(request.user) and super().has_view_permission(request, obj)


def _may_read_the_log(user) -> bool:
    """Superusers, and administrators holding the permission of their role: a manager
    given the permission by mistake still sees nothing."""
    if user.is_superuser:
        return True
    member = getattr(user, "staff_member", None)
    return member is not None and member.role == Role.ADMINISTRATOR


class PersonalDataAdminMixin:
    """For the admin of a model holding citizens' personal data: each list page, object
    page and deletion page shown is written to the access log like the app's own pages
    (a list: one entry with the keys of the rows on the page)."""

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        if context.get("cl") is not None:
            # The page's rows; the template then iterates the same, already loaded list.
            services.access_log_read(request, objects=context["cl"].result_list)
        elif "deletable_objects" in context:  # the bulk delete's confirmation page
            services.access_log_read(request, objects=context["queryset"])
        return response

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        response = super().changeform_view(request, object_id, form_url, extra_context)
        _log_object_page(request, response, "original")
        return response

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        _log_object_page(request, response, "object")
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        _log_object_page(request, response, "object")
        return response


def _log_object_page(request, response, key: str) -> None:
    obj = (getattr(response, "context_data", None) or {}).get(key)
    if obj is not None:
        services.access_log_read(request, objects=[obj])


@admin.action(permissions=["delete"], description=django_delete_selected.short_description)
def delete_selected(modeladmin, request, queryset):
    """Django's bulk delete, with every deleted object in the access log. Django records
    the deletion of several objects with one bulk INSERT of LogEntry rows, which sends
    no post_save; so this action writes their access-log entries itself."""
    with transaction.atomic():
        doomed = list(queryset) if request.POST.get("post") else []
        with signals.admin_bulk_deletion():
            response = django_delete_selected(modeladmin, request, queryset)
        if response is None and doomed:
            content_type = ContentType.objects.get_for_model(
                queryset.model, for_concrete_model=False
            )
            services.access_log_admin_change(
                entries=[
                    LogEntry(
                        user_id=request.user.pk,
                        content_type_id=content_type.pk,
                        object_id=str(obj.pk),
                        action_flag=DELETION,
                    )
                    for obj in doomed
                ],
                view=request.resolver_match.view_name if request.resolver_match else None,
            )
    return response


admin.site.add_action(delete_selected, "delete_selected")


# --- The city's identity ----------------------------------------------------------------


class SiteSettingsForm(forms.ModelForm):
    website = forms.URLField(
        label=_("website"), required=False, max_length=200, assume_scheme="https"
    )
    logo_upload = forms.FileField(
        label=_("new logo"),
        required=False,
        help_text=_(
            "PNG or SVG, at most 512 KB. An SVG is cleaned: scripts, links and anything "
            "that is not a drawing are removed."
        ),
    )
    logo_remove = forms.BooleanField(label=_("remove the logo"), required=False)

    class Meta:
        model = SiteSettings
        fields = sorted(services.SITE_SETTINGS_FIELDS)

    def clean_logo_upload(self):
        upload = self.cleaned_data.get("logo_upload")
        if not upload:
            return None
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The logo is too large: at most %(size)d KB.") % {"size": MAX_BYTES // 1024}
            )
        return logo_clean(upload.read())


@admin.register(SiteSettings)
class SiteSettingsAdmin(TranslationAdmin):
    """One record: the list opens it, nobody adds a second one or deletes it."""

    form = SiteSettingsForm
    readonly_fields = ["current_logo", "updated_at"]
    # The translated texts are listed by their name: the admin shows one field per
    # language under each (city_name → city_name [ja], city_name [ja-easy] …).
    fieldsets = [
        (
            _("The city"),
            {"fields": ["city_name", "current_logo", "logo_upload", "logo_remove"]},
        ),
        (_("Contact"), {"fields": ["address", "phone", "opening_hours", "website"]}),
        (_("Texts"), {"fields": ["privacy_notice", "accessibility_statement", "updated_at"]}),
    ]

    @admin.display(description=_("current logo"))
    def current_logo(self, obj):
        if obj is None or not obj.has_logo:
            return _("none")
        return format_html(
            '<img src="{}?v={}" alt="" class="site-logo-preview" height="48">',
            reverse("site_logo"),
            obj.logo_version,
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            return super().changelist_view(request, extra_context)
        if not SiteSettings.objects.filter(pk=SiteSettings.SINGLETON_ID).exists():
            services.site_settings_update()
        return redirect(
            reverse("admin:organization_sitesettings_change", args=[SiteSettings.SINGLETON_ID])
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        services.site_settings_update(
            logo=data.get("logo_upload"),
            remove_logo=bool(data.get("logo_remove")) and not data.get("logo_upload"),
            **{name: data[name] for name in services.SITE_SETTINGS_FIELDS if name in data},
        )


@admin.register(ReadingCorrection)
class ReadingCorrectionAdmin(admin.ModelAdmin):
    """The readings the plain-Japanese pages print over a word, where the analyser's
    guess is wrong (organization/furigana.py)."""

    list_display = ["surface", "reading", "updated_at"]
    search_fields = ["surface", "reading"]

    def save_model(self, request, obj, form, change):
        services.reading_correction_save(correction=obj)

    def delete_model(self, request, obj):
        services.reading_corrections_delete(corrections=[obj])

    def delete_queryset(self, request, queryset):
        services.reading_corrections_delete(corrections=list(queryset))

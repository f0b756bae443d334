from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from outbox import registry, services
from outbox.models import Email, EmailStatus


class KindFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return registry.kinds()

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    """Administrators (the role's permissions, organization/roles.py) see what was sent,
    what waits and what failed, and send again; nobody edits a row. Addresses are not
    shown: the key names the booking or complaint concerned."""

    list_display = [
        "key",
        "subject_link",
        "kind_label",
        "status",
        "attempts",
        "next_attempt",
        "last_error",
        "sent_at",
    ]
    list_filter = ["status", KindFilter]
    search_fields = ["key"]
    fields = [
        "key",
        "kind_label",
        "subject_link",
        "language",
        "status",
        "attempts",
        "next_attempt",
        "claimed_until",
        "last_error",
        "created_at",
        "sent_at",
    ]
    readonly_fields = fields
    actions = ["send_again"]
    date_hierarchy = "created_at"

    @admin.display(description=_("about"))
    def subject_link(self, email):
        """The booking or complaint the e-mail is about: from a failed confirmation to
        the citizen's telephone number in one click."""
        url = registry.subject_url(email)
        if not url:
            return email.object_id or "—"
        return format_html('<a href="{}">{}</a>', url, _("Open"))

    @admin.display(description=_("next attempt"))
    def next_attempt(self, email):
        """When it is tried again; nothing for a row that is sent or failed for good."""
        if email.status not in (EmailStatus.PENDING, EmailStatus.SENDING):
            return "—"
        return email.next_attempt_at

    @admin.display(description=_("kind"), ordering="kind")
    def kind_label(self, email):
        return registry.label_for(email.kind)

    @admin.action(description=_("Send again"))
    def send_again(self, request, queryset):
        queued = services.emails_send_again(email_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d e-mail queued to be sent again.",
                "%(count)d e-mails queued to be sent again.",
                queued,
            )
            % {"count": queued},
            messages.SUCCESS,
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Nothing here is edited: a page to read (and "send again" from the list).
        extra_context = {
            **(extra_context or {}),
            "title": _("Outbox e-mail"),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

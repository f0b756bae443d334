from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationStackedInline

from organization.admin import PersonalDataAdminMixin, TranslatedAdmin
from organization.admin import UserAdmin as OrganizationUserAdmin
from reservations import requirements, services
from reservations.admin_warnings import (
    EmailFailedFilter,
    LeftBehindFilter,
    shift_bookings,
    warn_of_bookings,
    warn_of_bookings_made_before,
    warn_of_stale_translations,
    warn_of_unusual_hours,
    warns_of_bookings_left_behind,
)
from reservations.models import (
    MAX_QUESTIONS_PER_PROCEDURE,
    OPEN_STATUSES,
    BookingAnswer,
    ClosedDay,
    ConsentRecord,
    Counter,
    DocumentRule,
    KioskDevice,
    Procedure,
    ProcedureQuestion,
    QuestionChoice,
    Reservation,
    ReservationEvent,
    Shift,
    rule_text_columns,
)


class DocumentRuleInline(TranslationStackedInline):
    model = DocumentRule
    extra = 1
    fields = ["text", "applies_when", "is_active", "display_order", "version"]
    readonly_fields = ["version"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "applies_when":
            # Only the answers to this procedure's own questions.
            object_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = QuestionChoice.objects.filter(
                question__procedure_id=object_id if str(object_id or "").isdigit() else None
            ).select_related("question")
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ProcedureQuestionInline(admin.TabularInline):
    """The questions; their answers are edited on each question's page (the link)."""

    model = ProcedureQuestion
    extra = 0
    max_num = MAX_QUESTIONS_PER_PROCEDURE
    fields = ["label", "display_order", "answers_list"]
    readonly_fields = ["answers_list"]
    show_change_link = True

    @admin.display(description=_("answers"))
    def answers_list(self, question):
        if not question.pk:
            return _("Save, then open the question to add its answers.")
        return " / ".join(choice.label for choice in question.choices.all()) or "—"


class QuestionChoiceInline(admin.TabularInline):
    model = QuestionChoice
    extra = 2
    fields = ["label", "display_order"]


@admin.register(ProcedureQuestion)
class ProcedureQuestionAdmin(admin.ModelAdmin):
    list_display = ["label", "procedure", "display_order"]
    list_filter = ["procedure"]
    list_select_related = ["procedure"]
    inlines = [QuestionChoiceInline]


@admin.register(Procedure)
class ProcedureAdmin(TranslatedAdmin):
    instead_of_deleting = _(
        "To stop online bookings of this procedure, untick “bookable online” instead:"
        " its bookings and visits stay as they are."
    )
    list_display = [
        "name",
        "department",
        "duration_minutes",
        "booking_horizon_days",
        "requires_email_confirmation",
        "is_active",
    ]
    list_filter = ["department", "is_active"]
    search_fields = ["name_ja", "name_en", "code"]
    prepopulated_fields = {"code": ["name_en"]}
    filter_horizontal = ["qualified_staff"]
    inlines = [ProcedureQuestionInline, DocumentRuleInline]
    readonly_fields = ["requirements_preview_link"]
    fieldsets = [
        (None, {"fields": ["code", "name", "department", "is_active", "display_order"]}),
        (_("Questions before the documents"), {"fields": ["requirements_preview_link"]}),
        (_("Description"), {"fields": ["description"]}),
        (
            _("Booking rules"),
            {
                "fields": [
                    "duration_minutes",
                    "slot_interval_minutes",
                    "booking_horizon_days",
                    "lead_time_minutes",
                    "change_cutoff_minutes",
                    "requires_email_confirmation",
                ]
            },
        ),
        (_("Who can handle it"), {"fields": ["qualified_staff"]}),
    ]

    def save_related(self, request, form, formsets, change):
        with warns_of_bookings_left_behind(request):  # qualified staff removed
            super().save_related(request, form, formsets, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not DocumentRule:
            return super().save_formset(request, form, formset, change)
        # Through the service: a change of wording makes a new version of the rule.
        for rule in formset.save(commit=False):
            adding = rule._state.adding
            version = rule.version
            changed = set(rule_text_columns()) & set(
                next(f for f in formset.forms if f.instance is rule).changed_data
            )
            services.document_rule_save(rule=rule, wording_changed=bool(changed))
            warn_of_stale_translations(request, rule)
            if adding or rule.version != version:
                warn_of_bookings_made_before(request, rule)
        formset.save_m2m()  # the answers each rule applies for
        for rule in formset.deleted_objects:
            rule.delete()
        return None

    @admin.display(description=_("preview"))
    def requirements_preview_link(self, procedure):
        if not procedure.pk:
            return _("Save the procedure first.")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:reservations_procedure_requirements", args=[procedure.pk]),
            _("Which rules a citizen sees for each combination of answers"),
        )

    def get_urls(self):
        return [
            path(
                "<int:object_id>/requirements/",
                self.admin_site.admin_view(self.requirements_preview),
                name="reservations_procedure_requirements",
            ),
            *super().get_urls(),
        ]

    def requirements_preview(self, request, object_id):
        """For every combination of answers, the rules a citizen is shown (and must
        agree to) — the same computation as the booking pages."""
        procedure = self.get_object(request, str(object_id))
        if procedure is None or not self.has_view_or_change_permission(request, procedure):
            raise Http404
        questions = requirements.questions_of(procedure)
        rules = list(
            DocumentRule.objects.filter(procedure=procedure, is_active=True).prefetch_related(
                "applies_when__question"
            )
        )
        return TemplateResponse(
            request,
            "admin/reservations/procedure/requirements_preview.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Rules shown for each answer: %(procedure)s")
                % {"procedure": procedure.name},
                "opts": self.model._meta,
                "original": procedure,
                "procedure": procedure,
                "questions": questions,
                "rules": rules,
                "combinations": requirements.combinations(questions, rules),
                "unasked": ProcedureQuestion.objects.filter(
                    procedure=procedure, choices__isnull=True
                ),
            },
        )


@admin.register(Counter)
class CounterAdmin(TranslatedAdmin):
    instead_of_deleting = _(
        "To stop using this counter, untick “in use” instead: its bookings and visits stay as"
        " they are."
    )
    list_display = ["name_ja", "name_en", "department", "location_ja", "is_active"]
    list_filter = ["department", "is_active"]

    def save_model(self, request, obj, form, change):
        with warns_of_bookings_left_behind(request):  # taken out of use
            super().save_model(request, obj, form, change)


@admin.register(KioskDevice)
class KioskDeviceAdmin(admin.ModelAdmin):
    """Kiosks are enrolled from the tablet itself (counter → kiosk, by a counter clerk,
    manager or administrator); here they are listed and revoked."""

    list_display = ["name", "created_by", "created_at", "last_seen_at", "revoked_at", "active"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name"]
    fields = ["name", "created_by", "created_at", "last_seen_at", "revoked_at"]
    list_select_related = ["created_by__user"]
    readonly_fields = ["created_by", "created_at", "last_seen_at", "revoked_at"]
    actions = ["revoke"]

    @admin.display(boolean=True, description=_("active"))
    def active(self, device):
        return device.is_active

    def has_add_permission(self, request):
        # A device made here would have a token nobody holds.
        return False

    @admin.action(description=_("Revoke the selected kiosks"), permissions=["change"])
    def revoke(self, request, queryset):
        count = services.kiosk_devices_revoke(devices=list(queryset))
        message = _("%(count)d kiosk(s) revoked: they show the staff login now.")
        self.message_user(request, message % {"count": count})


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["date", "start_time", "end_time", "staff", "counter"]
    list_filter = ["counter", "staff__department"]
    date_hierarchy = "date"
    autocomplete_fields = ["staff"]
    list_select_related = ["staff__user", "counter"]

    def save_model(self, request, obj, form, change):
        with warns_of_bookings_left_behind(request):  # shortened, moved, another counter
            super().save_model(request, obj, form, change)
        warn_of_unusual_hours(request, obj)

    def delete_queryset(self, request, queryset):
        shifts = list(queryset)
        super().delete_queryset(request, queryset)
        for shift in shifts:
            warn_of_bookings(request, shift.date, shift_bookings(shift))

    def delete_model(self, request, obj):
        bookings = shift_bookings(obj)
        super().delete_model(request, obj)
        warn_of_bookings(request, obj.date, bookings)


@admin.register(ClosedDay)
class ClosedDayAdmin(TranslatedAdmin):
    list_display = ["date", "reason_ja", "reason_en"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        day_bookings = Reservation.objects.filter(
            status__in=OPEN_STATUSES, start_at__date=obj.date
        ).count()
        warn_of_bookings(request, obj.date, day_bookings)


class ReadOnlyInline(admin.TabularInline):
    """A record of what happened: shown, never edited."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class ConsentInline(ReadOnlyInline):
    model = ConsentRecord
    fields = ["rule_text", "rule_version", "agreed_at"]


class AnswerInline(ReadOnlyInline):
    model = BookingAnswer
    fields = ["question_text", "choice_text"]


class EventInline(ReadOnlyInline):
    model = ReservationEvent
    fields = ["kind", "at", "actor"]


@admin.register(Reservation)
class ReservationAdmin(PersonalDataAdminMixin, admin.ModelAdmin):
    """Bookings are made and changed through the booking pages; the admin shows them
    (each page shown is in the access log: it carries citizens' names and contacts)."""

    list_display = ["code", "start_at", "procedure", "citizen_name", "staff", "status", "channel"]
    list_filter = ["status", EmailFailedFilter, LeftBehindFilter, "channel", "procedure"]
    search_fields = ["code", "citizen_name", "citizen_kana", "email", "phone"]
    date_hierarchy = "start_at"
    list_select_related = ["procedure", "staff__user"]
    inlines = [AnswerInline, ConsentInline, EventInline]
    readonly_fields = [*(field.name for field in Reservation._meta.fields), "emails"]

    @admin.display(description=_("E-mails to the citizen"))
    def emails(self, obj):
        """What became of each e-mail about this booking (a failed confirmation: call
        the citizen), without the outbox's other rows."""
        from outbox import registry
        from outbox.models import Email
        from reservations.emails import BOOKING_EMAIL_KINDS

        rows = Email.objects.filter(object_id=obj.pk, kind__in=BOOKING_EMAIL_KINDS).order_by(
            "created_at", "pk"
        )
        if not rows:
            return _("None (no e-mail address, or none due yet).")
        return format_html_join(
            mark_safe("<br>"),
            "{}: {}{}",
            (
                (
                    registry.label_for(row.kind),
                    row.get_status_display(),
                    " (%s)" % row.last_error if row.last_error else "",
                )
                for row in rows
            ),
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


UserModel = get_user_model()
admin.site.unregister(UserModel)


@admin.register(UserModel)
class UserAdmin(OrganizationUserAdmin):
    """The organization's user admin, which also warns when deactivating a clerk's
    login leaves their bookings without anyone to serve them."""

    def save_model(self, request, obj, form, change):
        with warns_of_bookings_left_behind(request):
            super().save_model(request, obj, form, change)

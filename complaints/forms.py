import uuid

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import (
    LEVELS,
    Category,
    CitizenState,
    Complaint,
    EscalationRole,
    ReportKind,
)
from complaints.services.intake import received_at_problem
from organization.calendar import is_business_day
from organization.models import Department
from reservations.codes import normalize_code
from reservations.models import Procedure, Reservation

LEVEL_AS_POLICY = ""


def text_field(label, *, rows: int = 3, max_length: int = 5000, **options) -> forms.CharField:
    """A free-text box of the complaint pages (several lines, bounded length)."""
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": rows}),
        max_length=max_length,
        **options,
    )


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ComplaintForm(forms.ModelForm):
    booking_code = forms.CharField(
        label=_("Booking code"),
        required=False,
        max_length=20,
        help_text=_("If the complaint is about a booking, e.g. ACDE-FGH3."),
    )
    level = forms.TypedChoiceField(
        label=_("Level"),
        choices=[(LEVEL_AS_POLICY, _("As the policy gives it")), *LEVELS],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Raise it above the policy's level only with a reason."),
    )
    level_reason = forms.CharField(
        label=_("Reason for raising the level"), required=False, max_length=500
    )
    # The form's own key, made when it is shown: sent twice, it records one complaint.
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)

    class Meta:
        model = Complaint
        fields = [
            "channel",
            "received_at",
            "citizen_name",
            "citizen_kana",
            "citizen_contact",
            "department",
            "procedure",
            "category",
            "summary",
            "description",
            "first_response",
            "citizen_state",
            "damage",
            "reach",
            "emotion",
            "repeat",
        ]
        widgets = {
            "received_at": DateTimeLocalInput(),
            "description": forms.Textarea(attrs={"rows": 5}),
            "first_response": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, member=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        # Bounded like every other text box of the complaint pages.
        for name in ("description", "first_response"):
            self.fields[name].max_length = 5000
            self.fields[name].validators.append(MaxLengthValidator(5000))
            self.fields[name].widget.attrs["maxlength"] = "5000"
        self.fields["department"].queryset = Department.objects.all()
        if member is not None:
            self.fields["department"].initial = member.department_id
        self.fields["procedure"].queryset = Procedure.objects.all()
        self.fields["category"].queryset = Category.objects.all()
        for name in ("damage", "reach", "emotion", "repeat", "citizen_state", "channel"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0] != ""]
            self.fields[name].widget = forms.RadioSelect(choices=self.fields[name].choices)

    def clean_received_at(self):
        received = self.cleaned_data["received_at"]
        problem = received and received_at_problem(received)
        if problem:
            raise forms.ValidationError(problem)
        return received

    def clean_booking_code(self):
        text = self.cleaned_data["booking_code"].strip()
        if not text:
            return None
        code = normalize_code(text)
        reservation = Reservation.objects.filter(code=code).first()
        if reservation is None:
            raise forms.ValidationError(_("No booking has this code."))
        return reservation


class TextForm(forms.Form):
    text = text_field(_("Text"))


class EscalateForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.all())
    role = forms.ChoiceField(
        label=_("Role"), choices=EscalationRole.choices, widget=forms.RadioSelect
    )
    request = text_field(_("What is asked"))
    due_on = forms.DateField(
        label=_("Answer due"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the level's answer time in business days."),
    )

    def clean_due_on(self):
        """Every other deadline counts business days: nobody answers on a Saturday."""
        due_on = self.cleaned_data["due_on"]
        if due_on is not None and not is_business_day(due_on):
            raise forms.ValidationError(
                _("%(day)s is not a working day of the city hall: choose a working day."),
                params={"day": due_on.isoformat()},
            )
        return due_on


class RespondForm(forms.Form):
    response = text_field(_("Answer"))
    root_cause = text_field(_("Root cause"), rows=2, required=False)
    countermeasure = text_field(_("Countermeasure"), rows=2, required=False)


class ReportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Report"),
        choices=[
            (ReportKind.INITIAL, ReportKind.INITIAL.label),
            (ReportKind.PROGRESS, ReportKind.PROGRESS.label),
        ],
    )
    body = text_field(_("Report"))


class LevelForm(forms.Form):
    level = forms.TypedChoiceField(label=_("New level"), choices=LEVELS, coerce=int)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ReasonForm(forms.Form):
    reason = text_field(_("Reason"), rows=2, max_length=2000)


class InformationRespondForm(forms.Form):
    """A department asked for information only answers; the root cause and the
    countermeasure are the owner's to give."""

    response = RespondForm.base_fields["response"]


class ClosingForm(forms.Form):
    body = text_field(
        _("Closing report"),
        help_text=_("What was done, what the citizen was told, and how it ended."),
    )
    citizen_state = forms.ChoiceField(
        label=_("The citizen's state now"),
        choices=[("", _("Unchanged")), *CitizenState.choices],
        required=False,
        help_text=_("Update it from the last contact with the citizen before closing."),
    )
    close_while_unhappy = forms.BooleanField(
        label=_("Close although the citizen is still not satisfied"),
        required=False,
        help_text=_("Only when everything the city can do has been done; say so in the report."),
    )


class ApproveForm(forms.Form):
    comment = text_field(_("Comment"), rows=2, max_length=2000, required=False)


class KnowledgeSearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False
    )
    procedure = forms.ModelChoiceField(
        label=_("Procedure"), queryset=Procedure.objects.all(), required=False
    )

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dashboards.models import Kpi, Stage
from dashboards.periods import KINDS
from dashboards.selectors import UNITS
from organization.models import Department
from reservations.models import Procedure


class FilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Period"), choices=list(KINDS.items()), required=False)
    period = forms.CharField(label=_("Which"), required=False, widget=forms.Select)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("Whole city hall"),
    )
    procedure = forms.ModelChoiceField(
        label=_("Procedure"),
        queryset=Procedure.objects.all(),
        required=False,
        empty_label=_("All procedures"),
    )


# The largest target that means anything in each unit: a share is at most 100 %, a rate
# per 1,000 visits at most 1,000, a wait or handling time within a day, a closing within
# a year (100000 complaints per 1,000 visits read as "met").
TARGET_MAX = {"%": 100, "per_1000": 1000, "min": 24 * 60, "days": 365}


class TargetsForm(forms.Form):
    """One optional number per KPI; an empty field clears the quarter's target."""

    form = forms.CharField(widget=forms.HiddenInput, initial="targets")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in Kpi.choices:
            self.fields[code] = forms.DecimalField(
                label=label,
                required=False,
                max_digits=10,
                decimal_places=2,
                min_value=0,
                max_value=TARGET_MAX[UNITS.get(code, "%")],
                widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
            )

    def clean(self):
        cleaned = super().clean()
        cleaned.pop("form", None)
        return cleaned


class ReviewForm(forms.Form):
    form = forms.CharField(widget=forms.HiddenInput, initial="review")
    findings = forms.CharField(
        label=_("Findings (Check): what the numbers show and why"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    decisions = forms.CharField(
        label=_("Decisions (Act): what changes next quarter"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def clean(self):
        cleaned = super().clean()
        cleaned.pop("form", None)
        return cleaned


class ActionForm(forms.Form):
    form = forms.CharField(widget=forms.HiddenInput, initial="action")
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, widget=forms.RadioSelect)
    kpi = forms.ChoiceField(
        label=_("For the indicator"), choices=[("", "—"), *Kpi.choices], required=False
    )
    text = forms.CharField(
        label=pgettext_lazy("PDCA", "Action"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner = forms.CharField(label=_("Who"), max_length=100, required=False)
    due_on = forms.DateField(
        label=_("By"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        cleaned.pop("form", None)
        return cleaned

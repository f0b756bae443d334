"""The GOV.UK error summary: every problem of a form, each linking to its field."""

from dataclasses import dataclass

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS

register = template.Library()


@dataclass(frozen=True)
class Problem:
    message: str
    label: str = ""
    anchor: str = ""


def _anchor(bound_field) -> str:
    """The id of the element that takes focus for this field (the first option of a
    group of radio buttons or checkboxes)."""
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "%s_0" % bound_field.auto_id
    return bound_field.id_for_label or bound_field.auto_id


@register.inclusion_tag("_error_summary.html")
def error_summary(form, title=""):
    """Problems of ``form`` in the order its fields are shown: those of the whole form
    first, except those whose code the form's ``error_fields`` ties to fields, which
    come where the first of those fields is (and link to it: "give an e-mail or a phone"
    after the name's problem, not before); errors of hidden fields are told without a
    link (nothing to fix)."""
    problems = []
    at_field: dict[str, list[Problem]] = {}
    fields_of = getattr(form, "error_fields", {})  # error code -> the fields it concerns
    for error in form.errors.as_data().get(NON_FIELD_ERRORS, []):
        names = fields_of.get(error.code, ())
        anchor = _anchor(form[names[0]]) if names else ""
        found = [Problem(str(message), "", anchor) for message in error.messages]
        if names:
            at_field.setdefault(names[0], []).extend(found)
        else:
            problems.extend(found)
    for bound_field in form:
        problems.extend(at_field.get(bound_field.name, []))
        for message in bound_field.errors:
            if bound_field.is_hidden:
                problems.append(Problem(str(message)))
            else:
                problems.append(
                    Problem(str(message), str(bound_field.label or ""), _anchor(bound_field))
                )
    return {"problems": problems, "title": title}

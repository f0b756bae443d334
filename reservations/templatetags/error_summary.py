"""The GOV.UK error summary: every problem of a form, each linking to its field."""

from dataclasses import dataclass

from django import forms, template

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
    """Problems of ``form`` in the order its fields are shown, after those of the whole
    form; errors of hidden fields are told without a link (there is nothing to fix)."""
    problems = [Problem(str(message)) for message in form.non_field_errors()]
    for bound_field in form:
        for message in bound_field.errors:
            if bound_field.is_hidden:
                problems.append(Problem(str(message)))
            else:
                problems.append(
                    Problem(str(message), str(bound_field.label or ""), _anchor(bound_field))
                )
    return {"problems": problems, "title": title}

"""The details and reschedule pages write their hidden fields (rule versions, idempotency
key) without Django's form templates: what they send back must be what the widgets
would have written, escaped the same way."""

import pytest
from django import forms

from reservations.templatetags.booking import hidden_inputs


class Hidden(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, initial=3)
    key = forms.CharField(required=False, widget=forms.HiddenInput)
    empty = forms.CharField(required=False, widget=forms.HiddenInput)


@pytest.mark.parametrize(
    "form",
    [
        Hidden(initial={"key": 'x"><script>alert(1)</script>'}),
        Hidden({"version": "4", "key": "a&b", "empty": ""}),
        Hidden(auto_id=False),
        Hidden(prefix="step2"),
    ],
    ids=["unbound, hostile value", "bound", "without ids", "prefixed"],
)
def test_hidden_inputs_are_what_the_widgets_render(form):
    fields = [form[name] for name in ("version", "key", "empty")]

    assert hidden_inputs(fields) == "".join(str(field) for field in fields)
    assert hidden_inputs(form["key"]) == str(form["key"])
    assert "<script>" not in hidden_inputs(fields)

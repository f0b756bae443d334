"""A NUL typed or pasted into any text field is refused with a message that says so, in
the page's language (helper 43: Django's own Japanese reads 「何か文字を入力してください」,
"please type something", and Vietnamese had none)."""

import pytest
from django import forms
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("ja", "使えない文字が含まれています"),
        ("en", "a character that cannot be used here"),
        ("vi", "có ký tự không dùng được"),
        ("pt-br", "caractere que não pode ser usado"),
    ],
)
def test_find_my_booking_says_what_is_wrong_with_a_nul(client, language, message):
    response = client.post(
        "/booking/find/",
        {"code": "AB\x00CD", "contact": "jane@example.jp"},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "何か文字を入力" not in response.content.decode()


def test_every_text_field_of_every_form_says_the_same():
    class AnyForm(forms.Form):
        note = forms.CharField()

    with translation.override("ko"):
        form = AnyForm({"note": "a\x00b"})
        assert not form.is_valid()
        assert form.errors["note"] == [
            "여기에서 사용할 수 없는 문자가 포함되어 있습니다. 다시 입력하십시오."
        ]

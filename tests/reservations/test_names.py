"""Issue 19, item 4: names in any script. The name as on the residence card, in any
script; a reading in kana only for a name with kanji; Latin names width-folded with
their case kept; matching across bookings and letters by name and reading."""

import pytest
from django.urls import reverse
from django.utils import translation

from notices import selectors as notice_selectors
from reservations import names, services
from reservations.forms import CitizenDetailsForm
from reservations.models import Reservation
from tests.notices.factories import TODAY, booking_for, holder, notice_rule
from tests.organization.factories import DepartmentFactory
from tests.reservations.factories import ProcedureFactory, at, citizen
from tests.reservations.test_views import FUTURE_DAY, details_url, form_data
from tests.reservations.test_views import procedure as procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter_rule():
    procedure = ProcedureFactory(code="inkan", name="印鑑登録証明書")
    department = DepartmentFactory(name="市民課")
    return notice_rule(procedure, department, code="inkan", name="印鑑登録証明書")


def details(language="en", **fields):
    data = {"name": "", "kana": "", "email": "a@example.jp", "phone": ""}
    data.update(fields)
    with translation.override(language):
        form = CitizenDetailsForm(data)
        form.is_valid()
        form.errors  # noqa: B018  (rendered in the language)
        return form


# --- the form -----------------------------------------------------------------------


def test_a_latin_name_books_without_kana(client, procedure):
    response = client.post(details_url(procedure), form_data(procedure, name="Jane Doe", kana=""))

    assert response.status_code == 302
    reservation = Reservation.objects.get()
    assert (reservation.citizen_name, reservation.citizen_kana) == ("Jane Doe", "")


def test_a_kanji_name_still_needs_its_reading(client, procedure):
    response = client.post(
        details_url(procedure), form_data(procedure, kana=""), HTTP_ACCEPT_LANGUAGE="en"
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert not Reservation.objects.exists()
    assert 'href="#id_kana"' in content
    assert "Your name is written with kanji" in content
    assert "Latin letters as on your residence card" in content  # 张伟 may write ZHANG WEI


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Ｊａｎｅ　Ｄｏｅ", "Jane Doe"),  # full width → ASCII, case kept
        ("  NGUYEN   Van  An ", "NGUYEN Van An"),  # spaces collapsed, case as typed
        ("María José GARCÍA", "María José GARCÍA"),
        ("김민준", "김민준"),  # hangul: no kanji, no reading needed
        ("ｻﾄｳ ﾊﾅｺ", "サトウ ハナコ"),  # half-width katakana → full width
    ],
)
def test_names_are_normalised_for_width_and_spaces_with_their_case_kept(typed, stored):
    form = details(name=typed)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == stored


@pytest.mark.parametrize(
    ("name", "kana", "field", "message"),
    [
        ("", "", "name", "residence card"),
        ("Jane\x00Doe", "", "name", "cannot be stored"),
        ("Jane\u202eDoe", "", "name", "cannot be stored"),
        ("J" * 101, "", "name", "100"),
        ("山田 太郎", "", "kana", "kanji"),
        ("山田 太郎", "Yamada", "kana", "hiragana or katakana"),
        ("Jane Doe", "jane", "kana", "hiragana or katakana"),
    ],
)
def test_bad_names_are_refused_with_a_clear_message(name, kana, field, message):
    with translation.override("en"):  # the messages are read in English
        form = details(name=name, kana=kana)

        assert not form.is_valid()
        assert message in " ".join(str(m) for m in form.errors[field])


def test_the_messages_are_in_japanese_on_japanese_pages():
    form = details(language="ja", name="山田 太郎", kana="")
    message = " ".join(form.errors["kana"])

    assert "漢字" in message


def test_a_kana_reading_is_optional_for_a_latin_name_but_checked_when_given():
    assert details(name="Jane Doe", kana="ジェーン ドウ").is_valid()
    assert details(name="Jane Doe", kana="").is_valid()


def test_the_service_refuses_a_kanji_name_without_reading_from_any_caller(procedure):
    with pytest.raises(services.BookingError) as refused:
        services.reservation_book(
            procedure=procedure,
            start=at(FUTURE_DAY, 9),
            citizen=citizen(kana=""),
            consented_rules={},
        )

    assert refused.value.code == "bad_name"


def test_staff_see_the_reading_only_where_given(client, procedure):
    client.post(details_url(procedure), form_data(procedure, name="Jane Doe", kana=""))
    reservation = Reservation.objects.get()
    token = services.manage_token_for(reservation)

    page = client.get(reverse("reservations:manage", args=[token])).content.decode()

    assert "Jane Doe" in page
    assert "Jane Doe ()" not in page


# --- matching -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        (("Jane Doe", ""), ("JANE  DOE", ""), True),
        (("Ｊａｎｅ Ｄｏｅ", ""), ("jane doe", ""), True),
        (("Jane Doe", ""), ("Jane Roe", ""), False),
        (("山田 太郎", "やまだ たろう"), ("山田太郎", "ヤマダ タロウ"), True),
        (("山田 太郎", "ヤマダ タロウ"), ("山田 太郎", "ヤマダ タカシ"), False),
        (("山田 太郎", "ヤマダ タロウ"), ("山田 太郎", ""), True),  # reading on one side only
        (("やまだ はなこ", ""), ("ヤマダ ハナコ", ""), False),  # the name itself as written
        (("", ""), ("", ""), False),  # anonymised records match nobody
    ],
)
def test_same_person_compares_names_and_readings(one, other, same):
    assert names.same_person(*one, *other) is same


def _booking(rule, name, kana, code):
    return booking_for(
        rule, name=name, kana=kana, code=code, email_key="%s@example.jp" % code.lower()
    )


@pytest.mark.parametrize(
    ("resident", "booking", "matched"),
    [
        pytest.param(("Jane Doe", ""), ("JANE DOE", ""), True, id="latin-case"),
        pytest.param(("Jane Doe", ""), ("Ｊａｎｅ Ｄｏｅ", ""), True, id="full-width"),
        pytest.param(("Jane Doe", ""), ("John Doe", ""), False, id="another-name"),
        pytest.param(("サトウ ハナコ", ""), ("サトウ ハナコ", ""), True, id="katakana-name"),
        pytest.param(
            ("山田 太郎", "ヤマダ タロウ"), ("山田太郎", "やまだ たろう"), True, id="kana-script"
        ),
        pytest.param(
            ("山田 太郎", "ヤマダ タロウ"),
            ("山田 太郎", "ヤマダ タケシ"),
            False,
            id="other-reading",
        ),
    ],
)
def test_letters_are_not_due_for_who_booked_since_in_any_script(
    letter_rule, resident, booking, matched
):
    certificate = holder(letter_rule, name=resident[0], kana=resident[1])
    _booking(letter_rule, *booking, code="BOOK-0001")

    due = list(notice_selectors.due_certificates(rule=letter_rule, today=TODAY))
    why_not = notice_selectors.residents_without_letter(rule=letter_rule, today=TODAY)

    assert (certificate not in due) is matched
    assert any(item.booking is not None for item in why_not) is matched


def test_one_open_booking_per_person_holds_for_a_latin_name(client, procedure):
    first = form_data(procedure, name="Jane Doe", kana="", email="jane@example.jp")
    again = {**first, "name": "JANE DOE"}

    client.post(details_url(procedure), first)
    second = client.post(details_url(procedure, hour=10), again, HTTP_ACCEPT_LANGUAGE="en")

    assert Reservation.objects.count() == 1
    assert "already have a booking" in second.content.decode()


def test_a_contact_typed_wrong_gets_one_error_and_none_given_is_said_under_the_fields(
    client, procedure
):
    invalid = details(name="Jane Doe", email="foo@")
    full_width = details(name="Jane Doe", email="ｊａｎｅ＠example.jp")
    none_given = client.post(
        details_url(procedure), form_data(procedure, name="Jane Doe", kana="", email="", phone="")
    ).content.decode()

    assert list(invalid.errors) == ["email"]  # not also "give an e-mail or a phone"
    assert full_width.is_valid() and full_width.cleaned_data["email"] == "jane@example.jp"
    assert 'id="contact-error"' in none_given
    assert 'aria-describedby="contact-error id_email_helptext"' in none_given
    under_phone = none_given[none_given.index('name="phone"') :]
    assert "contact-error" in under_phone[: under_phone.index("</form>")]

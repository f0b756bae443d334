import datetime as dt
import re

import pytest
from django.urls import reverse

from organization.models import Role
from reservations import services
from reservations.models import Channel, Reservation, ReservationStatus
from tests.organization.factories import make_staff_member
from tests.reservations.factories import add_clerk, at, open_day, procedure_with

pytestmark = pytest.mark.django_db

# The pages use the real clock: book far enough ahead.
FUTURE_DAY = open_day(10)


@pytest.fixture
def procedure():
    return procedure_with(
        "顔写真（6か月以内に撮影）",
        "本人確認書類",
        clerk_days=[FUTURE_DAY],
        code="jr-commuter-pass",
        name="JR定期券割引の証明書",
    )


def staff_details_url(procedure, hhmm="0900"):
    """The details step of a telephone booking (staff book for a caller) on FUTURE_DAY."""
    return reverse(
        "reservations:staff_details",
        kwargs={"code": procedure.code, "day": FUTURE_DAY, "hhmm": hhmm},
    )


def details_url(procedure, hour=9, minute=0):
    return reverse(
        "reservations:details",
        kwargs={"code": procedure.code, "day": FUTURE_DAY, "hhmm": "%02d%02d" % (hour, minute)},
    )


def form_data(procedure, *, agree=True, **overrides):
    data = {
        "name": "山田 太郎",
        "kana": "やまだ たろう",
        "email": "taro@example.jp",
        "phone": "090-1234-5678",
    }
    for rule in procedure.document_rules.all():
        data["rule_%d_version" % rule.pk] = rule.version
        if agree:
            data["rule_%d" % rule.pk] = "on"
    data.update(overrides)
    return data


def test_procedure_page_shows_required_documents_before_any_choice(client, procedure):
    response = client.get(reverse("reservations:calendar", args=[procedure.code]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "顔写真（6か月以内に撮影）" in content
    assert "本人確認書類" in content


def test_calendar_links_open_days_to_their_times(client, procedure):
    response = client.get(
        reverse("reservations:calendar", args=[procedure.code]),
        {"month": FUTURE_DAY.strftime("%Y-%m")},
    )

    day_url = reverse("reservations:day", args=[procedure.code, FUTURE_DAY])
    assert day_url in response.content.decode()


def test_the_month_past_the_booking_horizon_says_when_its_days_open(client, procedure):
    from django.utils import timezone

    last = timezone.localdate() + dt.timedelta(days=procedure.booking_horizon_days)
    calendar = reverse("reservations:calendar", args=[procedure.code])

    beyond = client.get(calendar, {"month": last.strftime("%Y-%m")}).content.decode()
    this = client.get(calendar).content.decode()

    assert "後日予約できるようになります" in beyond
    if last.month != timezone.localdate().month:
        assert "後日予約できるようになります" not in this


def test_typed_date_goes_to_that_days_times(client, procedure):
    response = client.get(
        reverse("reservations:calendar", args=[procedure.code]),
        {"date": FUTURE_DAY.isoformat()},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("reservations:day", args=[procedure.code, FUTURE_DAY])


def test_a_badly_typed_date_gets_a_form_error(client, procedure):
    response = client.get(
        reverse("reservations:calendar", args=[procedure.code]), {"date": "31/02/2026"}
    )

    assert response.status_code == 200
    assert response.context["jump_form"].errors


def test_day_page_lists_times_and_htmx_gets_only_the_list(client, procedure):
    url = reverse("reservations:day", args=[procedure.code, FUTURE_DAY])

    page = client.get(url)
    partial = client.get(url, headers={"HX-Request": "true"})

    assert details_url(procedure) in page.content.decode()
    assert "<html" in page.content.decode()
    assert "<html" not in partial.content.decode()
    assert details_url(procedure) in partial.content.decode()


def test_booking_with_every_consent_confirms_and_shows_the_code(client, procedure):
    response = client.post(details_url(procedure), form_data(procedure), follow=True)

    reservation = Reservation.objects.get()
    content = response.content.decode()
    assert reservation.status == ReservationStatus.CONFIRMED
    assert reservation.code in content
    assert "<svg" in content  # the QR code
    assert reservation.citizen_kana == "やまだ たろう"


def test_booking_refused_without_consent_keeps_the_form_and_writes_nothing(client, procedure):
    response = client.post(details_url(procedure), form_data(procedure, agree=False))

    assert response.status_code == 200
    assert Reservation.objects.count() == 0
    rule = procedure.document_rules.first()
    assert response.context["form"].errors["rule_%d" % rule.pk]


def test_the_booking_form_carries_a_new_unguessable_key_each_time(client, procedure):
    first = client.get(details_url(procedure)).context["form"]["idempotency_key"].value()
    second = client.get(details_url(procedure)).context["form"]["idempotency_key"].value()

    assert first != second
    assert len(first) >= 22  # 128 random bits, URL-safe base64


def test_the_same_form_sent_twice_books_once_and_shows_that_booking(client, procedure):
    data = form_data(procedure, idempotency_key="k" * 22)
    first = client.post(details_url(procedure), data)
    # The answer was lost (or the citizen clicked twice): the browser sends it again.
    again = client.post(details_url(procedure), data)

    assert Reservation.objects.count() == 1
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]


def test_a_used_form_key_cannot_book_for_someone_else_or_reveal_their_booking(client, procedure):
    client.post(details_url(procedure), form_data(procedure, idempotency_key="k" * 22))

    response = client.post(
        details_url(procedure, hour=10),
        form_data(procedure, idempotency_key="k" * 22, email="other@example.jp", phone=""),
    )

    assert response.status_code == 200
    assert "すでに予約に使われています" in str(response.context["form"].non_field_errors())
    assert Reservation.objects.count() == 1
    assert Reservation.objects.get().code not in response.content.decode()


def test_a_tampered_form_key_gets_a_message_and_books_nothing(client, procedure):
    response = client.post(details_url(procedure), form_data(procedure, idempotency_key="<x>"))

    assert response.status_code == 200
    assert "古くなっています" in str(response.context["form"].non_field_errors())
    assert Reservation.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("kana", "Yamada"), ("phone", "12345"), ("email", "not-an-email")],
)
def test_bad_details_get_a_message_on_the_field(client, procedure, field, value):
    response = client.post(details_url(procedure), form_data(procedure, **{field: value}))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Reservation.objects.count() == 0


def test_neither_email_nor_phone_is_refused(client, procedure):
    response = client.post(details_url(procedure), form_data(procedure, email="", phone=""))

    assert response.context["form"].non_field_errors()
    assert Reservation.objects.count() == 0


def test_neither_email_nor_phone_marks_both_fields_and_the_summary_links_to_one(client, procedure):
    response = client.post(details_url(procedure), form_data(procedure, email="", phone=""))

    page = response.content.decode()
    summary = re.search(r'<div class="alert alert-danger error-summary".*?</div>', page, re.S)
    assert 'href="#id_email"' in summary.group(0)
    for name in ("email", "phone"):
        field = re.search(r'<input[^>]*id="id_%s"[^>]*>' % name, page).group(0)
        assert 'aria-invalid="true"' in field and "is-invalid" in field


def test_a_slot_that_just_went_sends_the_citizen_back_to_the_times(client, procedure):
    client.post(details_url(procedure), form_data(procedure))

    response = client.post(
        details_url(procedure), form_data(procedure, email="other@example.jp", phone="")
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("reservations:day", args=[procedure.code, FUTURE_DAY])
    assert Reservation.objects.count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/book/no-such-procedure/",
        "/book/jr-commuter-pass/2026-02-31/",
        "/book/jr-commuter-pass/2030-06-12/2560/",
        "/booking/FORGED-TOKEN~abc/",
        "/booking/FORGED-TOKEN~abc/cancel/",
    ],
)
def test_tampered_addresses_are_404_not_500(client, procedure, path):
    assert client.get(path).status_code == 404


def test_a_time_off_the_grid_cannot_be_booked(client, procedure):
    response = client.post(details_url(procedure, 9, 10), form_data(procedure))

    assert response.status_code == 302
    assert Reservation.objects.count() == 0


def book_via_service(procedure, day=FUTURE_DAY, who=None):
    """A booking at 9:00 on ``day`` through the service, every rule agreed to, by ``who``
    (else 山田 太郎 with an e-mail address)."""
    return services.reservation_book(
        procedure=procedure,
        start=at(day, 9),
        citizen=who or services.CitizenDetails("山田 太郎", "ヤマダ", "taro@example.jp"),
        consented_rules={r.pk: r.version for r in procedure.document_rules.all()},
    )


def test_opening_the_cancel_link_does_not_cancel(client, procedure):
    result = book_via_service(procedure)

    response = client.get(reverse("reservations:cancel", args=[result.token]))

    assert response.status_code == 200
    result.reservation.refresh_from_db()
    assert result.reservation.status == ReservationStatus.CONFIRMED


def test_cancel_is_a_post_from_the_manage_page(client, procedure):
    result = book_via_service(procedure)

    client.post(reverse("reservations:cancel", args=[result.token]))

    result.reservation.refresh_from_db()
    assert result.reservation.status == ReservationStatus.CANCELLED


def test_reschedule_from_the_link_moves_the_booking_after_its_confirmation_step(client, procedure):
    result = book_via_service(procedure)

    chosen = client.post(
        reverse("reservations:reschedule", args=[result.token]),
        {"day": FUTURE_DAY.isoformat(), "time": "1000"},
    )
    assert Reservation.objects.get().start_at == at(FUTURE_DAY, 9)  # nothing moved yet
    response = client.post(chosen["Location"], follow=True)

    new = Reservation.objects.get(status=ReservationStatus.CONFIRMED)
    assert new.start_at == at(FUTURE_DAY, 10)
    assert new.code in response.content.decode()


def test_reschedule_with_a_forged_time_gets_a_message(client, procedure):
    result = book_via_service(procedure)

    response = client.post(
        reverse("reservations:reschedule", args=[result.token]),
        {"day": "not-a-date", "time": "99"},
        follow=True,
    )

    assert response.status_code == 200
    result.reservation.refresh_from_db()
    assert result.reservation.status == ReservationStatus.CONFIRMED


def test_calendar_file_downloads(client, procedure):
    result = book_via_service(procedure)

    response = client.get(reverse("reservations:ics", args=[result.token]))

    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert "BEGIN:VEVENT" in body
    assert result.reservation.code in body


def test_the_place_is_in_the_language_of_the_page_and_the_calendar_file(client, procedure):
    result = book_via_service(procedure)
    counter = result.reservation.counter
    counter.name_en = "Counter 5"
    counter.location = "本庁舎1階"
    counter.location_en = "Main building, 1st floor"
    counter.save()
    manage = reverse("reservations:manage", args=[result.token])
    ics = reverse("reservations:ics", args=[result.token])

    japanese = client.get(manage, HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    english = client.get(manage, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    english_ics = client.get(ics, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "本庁舎1階" in japanese and "Main building" not in japanese
    assert "%s（本庁舎1階）" % counter.name_ja in japanese  # brackets as Japanese writes them
    assert "Counter 5 (Main building, 1st floor)" in english and "本庁舎" not in english
    assert "Main building\\, 1st floor" in english_ics  # commas escaped (RFC 5545)


def test_a_counter_without_a_location_shows_the_departments(client, procedure):
    result = book_via_service(procedure)
    department = procedure.department
    department.location_ja, department.location_en = "本庁舎2階", "Main building, 2nd floor"
    department.save()
    manage = reverse("reservations:manage", args=[result.token])

    english = client.get(manage, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    department.location_en = ""  # no English text: the Japanese rather than nothing
    department.save()
    fallback = client.get(manage, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "(Main building, 2nd floor)" in english
    assert "(本庁舎2階)" in fallback


def test_too_many_requests_get_a_429_with_a_message(client, procedure, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "availability": (3, 60)}
    url = reverse("reservations:calendar", args=[procedure.code])

    statuses = [client.get(url).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    response = client.get(url)
    assert response["Retry-After"] == "60"
    assert "お待ちのうえ" in response.content.decode()


@pytest.mark.parametrize(
    ("scope", "url"),
    [
        ("availability", "/"),
        ("display", "/display/"),
        ("display", "/display/board/"),
        ("manage", "/survey/no-such-survey-token/"),
    ],
)
def test_the_other_public_pages_are_rate_limited_too(client, settings, scope, url):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, scope: (2, 60)}

    statuses = [client.get(url).status_code for _ in range(3)]

    assert statuses[2] == 429
    assert statuses[0] != 429


def test_staff_books_for_a_caller(client, procedure):
    clerk = make_staff_member(role=Role.COUNTER_STAFF)
    client.force_login(clerk.user)

    client.post(staff_details_url(procedure), form_data(procedure, email=""))

    reservation = Reservation.objects.get()
    assert reservation.channel == Channel.PHONE
    assert reservation.booked_by == clerk


def test_telephone_booking_needs_a_staff_login(client, procedure):
    response = client.get(reverse("reservations:staff_procedures"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_day_and_times_pages_use_a_constant_number_of_queries(
    client, procedure, django_assert_max_num_queries
):
    url = reverse("reservations:day", args=[procedure.code, FUTURE_DAY])
    with django_assert_max_num_queries(8) as few:
        client.get(url)
    for _ in range(5):
        add_clerk(procedure, day=FUTURE_DAY)
    for n in range(8):
        services.reservation_book(
            procedure=procedure,
            start=at(FUTURE_DAY, 9 + n % 3),
            citizen=services.CitizenDetails("x", "エックス", "p%d@example.jp" % n),
            consented_rules={r.pk: r.version for r in procedure.document_rules.all()},
        )

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("reservations:calendar", args=[procedure.code]))


def _without_tokens(page: bytes) -> str:
    return re.sub(r'name="(csrfmiddlewaretoken|idempotency_key)" value="[^"]*"', "", page.decode())


def test_the_empty_form_is_the_same_from_the_field_cache_in_each_language(
    client, procedure, monkeypatch
):
    from reservations.views import booking as booking_views

    # given: the form's fields rendered once per language (and kept in the cache)
    first = {
        lang: client.get(details_url(procedure), HTTP_ACCEPT_LANGUAGE=lang) for lang in ("ja", "en")
    }
    # when: shown again from the cache, and rendered without it
    again = {
        lang: client.get(details_url(procedure), HTTP_ACCEPT_LANGUAGE=lang) for lang in ("ja", "en")
    }
    monkeypatch.setattr(booking_views, "_unbound_fields_html", lambda form: None)
    plain = {
        lang: client.get(details_url(procedure), HTTP_ACCEPT_LANGUAGE=lang) for lang in ("ja", "en")
    }

    # then: the same page each time, in its own language
    for lang in ("ja", "en"):
        assert _without_tokens(first[lang].content) == _without_tokens(again[lang].content)
        assert _without_tokens(again[lang].content) == _without_tokens(plain[lang].content)
    assert "本人確認書類" in first["ja"].content.decode()
    assert 'name="name"' in first["en"].content.decode()
    assert (
        "Name" in first["en"].content.decode()
        and "Name" not in first["ja"].content.decode().split("<form")[1]
    )


def test_a_time_too_soon_to_change_online_says_so_before_it_is_booked(client, monkeypatch):
    """Booking closes an hour before the start, changes two hours before: a citizen
    booking a time in between is told first that only a telephone call changes it."""
    import datetime as dt

    from django.utils import timezone

    from tests.reservations.factories import NOW, ProcedureFactory

    procedure = ProcedureFactory(lead_time_minutes=60)
    procedure.change_cutoff_minutes = 120
    procedure.save()
    add_clerk(procedure, day=NOW.date())
    add_clerk(procedure, day=NOW.date() + dt.timedelta(days=2))
    monkeypatch.setattr(timezone, "now", lambda: NOW)  # Monday 9:00

    def page(day, hhmm):
        url = "/book/%s/%s/%s/" % (procedure.code, day.isoformat(), hhmm)
        response = client.get(url)
        assert response.status_code == 200, response.get("Location")
        return response.content.decode()

    soon = page(NOW.date(), "1030")
    later = page(NOW.date() + dt.timedelta(days=2), "1030")

    assert "予約後はオンラインで変更・取消ができません" in soon
    assert "予約後はオンラインで変更・取消ができません" not in later

"""Bad input, generated: every public form and the CSV import answer with a page or a
report, never a 500, and write nothing half-way (hypothesis)."""

import datetime as dt
import string

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints.models import Complaint
from notices import services as notice_services
from notices.models import Certificate, CertificateType, Resident
from organization.models import Role
from reservations.models import Reservation, SurveyAnswer
from tests.dashboards.factories import procedure_with_clerk, visit
from tests.organization.factories import make_staff_member
from tests.reservations.factories import ProcedureFactory, add_clerk, add_rule, at, open_day

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text as people (and attackers) type it: any Unicode, control characters, markup.
TEXT = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        ["", " ", "<script>alert(1)</script>", "' OR 1=1 --", "\x00", "９０９０", "𠮷野家"]
    ),
)
OK = {200, 301, 302, 400, 403, 404, 405, 409, 429}

DAY = open_day(10)


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.RATE_LIMITS = dict.fromkeys(("availability", "book", "manage", "survey"), (10**9, 60))
    cache.clear()


@pytest.fixture
def procedure():
    procedure = ProcedureFactory(code="fuzz", name="住民票の写し")
    add_rule(procedure, "本人確認書類")
    add_clerk(procedure, day=DAY, start=dt.time(9, 0), end=dt.time(17, 0))
    return procedure


@FUZZ
@given(
    name=TEXT,
    kana=TEXT,
    email=TEXT,
    phone=TEXT,
    consent=st.sampled_from(["on", "", "yes", "0"]),
    version=st.one_of(st.integers(-5, 10**12), TEXT),
    hhmm=st.sampled_from(["0900", "0930", "2500", "0907", "abcd"]),
)
def test_the_booking_form_never_fails_and_never_half_books(
    client, procedure, name, kana, email, phone, consent, version, hhmm
):
    rule = procedure.document_rules.get()
    before = Reservation.objects.count()
    url = "/book/%s/%s/%s/" % (procedure.code, DAY.isoformat(), hhmm)
    data = {"name": name, "kana": kana, "email": email, "phone": phone}
    data["rule_%d" % rule.pk] = consent
    data["rule_%d_version" % rule.pk] = version

    response = client.post(url, data)

    assert response.status_code in OK
    made = Reservation.objects.count() - before
    assert made == (1 if response.status_code == 302 and "/booking/" in response["Location"] else 0)
    if made:
        reservation = Reservation.objects.latest("pk")
        assert reservation.consents.count() == 1  # a booking always has its consent
        reservation.delete()


@FUZZ
@given(token=st.text(alphabet=string.printable, max_size=120))
def test_manage_links_with_any_token_answer_404_not_500(client, token):
    for path in ("/booking/%s/", "/booking/%s/cancel/", "/booking/%s/calendar.ics", "/survey/%s/"):
        try:
            url = path % token.replace("/", "")
            response = client.get(url)
        except ValueError:  # the test client refuses some URLs (e.g. NUL) before the app
            continue
        assert response.status_code in OK, url


@FUZZ
@given(
    overall=st.one_of(st.integers(-10, 10), TEXT),
    waiting=st.one_of(st.integers(-10, 10), TEXT),
    comment=st.text(max_size=3000),
)
def test_the_survey_never_fails_and_keeps_one_answer(client, overall, waiting, comment):
    from django.utils import timezone

    today = timezone.localdate()
    global _survey_visit
    if (
        "_survey_visit" not in globals()
        or not type(_survey_visit).objects.filter(pk=_survey_visit.pk).exists()
    ):
        procedure, _ = procedure_with_clerk(today)
        _survey_visit = visit(procedure, today, arrived=at(today, 0, 1), wait=0, handle=1)
        _survey_visit.done_at = timezone.now()
        _survey_visit.save()

    response = client.post(
        "/survey/%s/" % _survey_visit.survey_token,
        {"overall": overall, "waiting": waiting, "comment": comment},
    )

    assert response.status_code in OK
    assert SurveyAnswer.objects.filter(visit=_survey_visit).count() <= 1


CSV_CELL = st.one_of(
    st.text(alphabet=st.characters(blacklist_characters="\r\n"), max_size=40),
    st.sampled_from(["", "2026-04-01", "R8.4.1", "令和8年4月1日", "2026/13/45", "abc", "-1"]),
)


@FUZZ
@given(
    rows=st.lists(st.lists(CSV_CELL, min_size=0, max_size=14), max_size=8),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp932"]),
    garbage=st.binary(max_size=64),
)
def test_the_csv_import_reports_every_row_and_writes_only_whole_rows(rows, encoding, garbage):
    CertificateType.objects.get_or_create(code="jr-commuter", defaults={"name": "JR"})
    header = ",".join(notice_services.COLUMNS)
    lines = [header] + [",".join('"%s"' % cell.replace('"', '""') for cell in row) for row in rows]
    data = "\n".join(lines).encode(encoding, errors="replace") + garbage
    before = (Resident.objects.count(), Certificate.objects.count())

    run = notice_services.certificates_import(data=data, file_name="fuzz.csv")

    after = (Resident.objects.count(), Certificate.objects.count())
    assert run.pk is not None  # a report, whatever the file
    # A certificate is only ever written with its resident: never half a row.
    assert after[1] - before[1] <= run.created
    assert Certificate.objects.filter(resident__isnull=True).count() == 0


@FUZZ
@given(summary=TEXT, description=TEXT, received=TEXT, level=TEXT, booking=TEXT)
def test_the_complaint_form_never_fails(client, summary, description, received, level, booking):
    global _clerk
    if "_clerk" not in globals() or not type(_clerk).objects.filter(pk=_clerk.pk).exists():
        _clerk = make_staff_member(role=Role.COUNTER_STAFF)
    client.force_login(_clerk.user)
    before = Complaint.objects.count()

    response = client.post(
        reverse("complaints:new"),
        {
            "channel": "counter",
            "received_at": received,
            "department": _clerk.department_id,
            "category": 1,
            "summary": summary,
            "description": description,
            "citizen_state": "calmed",
            "damage": "none",
            "reach": "one",
            "emotion": "calm",
            "repeat": "first",
            "level": level,
            "booking_code": booking,
        },
    )

    assert response.status_code in OK
    created = Complaint.objects.count() - before
    assert created == (1 if response.status_code == 302 else 0)
    if created:
        assert Complaint.objects.latest("pk").events.count() >= 1


# Query parameters that name a row by its id, or a month, on the pages that read them.
ID_PARAMETERS = [
    ("/counter/", "counter"),
    ("/counter/", "staff"),
    ("/dashboards/", "department"),
    ("/dashboards/", "procedure"),
    ("/complaints/knowledge/", "category"),
    ("/complaints/", "page"),
]
HUGE = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["99999999999999999999999", "-1", "0", "1e9", "９", "", "١٢"]),
)


@FUZZ
@given(value=HUGE)
def test_ids_in_query_strings_never_fail(client, procedure, value):
    """A filter's id too large for the database, negative or not a number: an empty
    filter or a 404, never a 500 (SQLite refuses integers past 64 bits)."""
    global _manager
    if "_manager" not in globals() or not type(_manager).objects.filter(pk=_manager.pk).exists():
        _manager = make_staff_member(role=Role.MANAGER)
    client.force_login(_manager.user)

    with override_settings(TWO_FACTOR_REQUIRED=False):
        for path, name in ID_PARAMETERS:
            response = client.get(path, {name: value})
            assert response.status_code in (200, 404), (path, name, value)
    similar = client.get(
        reverse("complaints:similar"),
        {"summary": "待ち", "category": value},
        HTTP_HX_REQUEST="true",
    )
    assert similar.status_code in OK
    month = client.get(
        reverse("reservations:calendar", args=[procedure.code]), {"month": "%s-1" % value}
    )
    assert month.status_code in OK


EDGE_DAYS = ["0001-01-01", "1899-12-31", "9998-12-31", "9999-12-30", "9999-12-31"]


@pytest.mark.parametrize("day", EDGE_DAYS)
def test_days_at_the_ends_of_the_calendar_never_fail(client, procedure, day):
    """The first and last days a date can be (a typed date, a link): the day's reason,
    a redirect or a 404, never a 500."""
    from reservations.services import manage_token_for
    from tests.reservations.factories import book

    token = manage_token_for(book(procedure, at(DAY, 9), now=timezone.now()).reservation)
    pages = [
        "/book/%s/%s/" % (procedure.code, day),
        "/book/%s/%s/0900/" % (procedure.code, day),
        "/book/%s/?date=%s" % (procedure.code, day),
        "/book/%s/?month=%s" % (procedure.code, day[:7]),
        "/booking/%s/reschedule/?date=%s" % (token, day),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code in (200, 302, 404), (page, response.status_code)
    far = client.get(pages[0]).content.decode()
    assert "9999" not in day or "cannot be booked yet" in far or "まだ予約できません" in far

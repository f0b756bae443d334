import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.urls import reverse

from organization.models import Role
from reservations import services
from reservations.models import Reservation, ReservationStatus, Visit, VisitEvent, VisitStatus
from tests.organization.factories import make_staff_member
from tests.reservations.factories import (
    DAY,
    NOW,
    ProcedureFactory,
    add_clerk,
    add_rule,
    add_shift,
    at,
    booked_now,
    citizen,
    consents,
    procedure_with,
)

pytestmark = pytest.mark.django_db


def booked(procedure, start, n=1):
    return services.reservation_book(
        procedure=procedure,
        start=start,
        citizen=citizen(n),
        consented_rules=consents(procedure),
        now=NOW,
    ).reservation


@pytest.fixture
def procedure():
    return procedure_with("本人確認書類")


def test_check_in_gives_a_number_once_and_records_the_time(procedure):
    clerk = add_clerk(procedure)
    reservation = booked(procedure, at(DAY, 10))

    first = services.visit_check_in(reservation=reservation, now=at(DAY, 9, 40))
    again = services.visit_check_in(reservation=reservation, now=at(DAY, 9, 41))

    assert first.visit.ticket == "A001"
    assert again.already and again.visit.pk == first.visit.pk
    assert first.visit.staff == clerk
    assert first.visit.events.get().kind == VisitEvent.Kind.CHECKED_IN


def test_kiosk_check_in_outside_the_window_is_refused_but_staff_may(procedure, settings):
    settings.CHECKIN_EARLY_MINUTES = 30
    clerk = add_clerk(procedure)
    reservation = booked(procedure, at(DAY, 11))

    with pytest.raises(services.CounterError) as error:
        services.visit_check_in(reservation=reservation, now=at(DAY, 10))
    assert error.value.code == "too_early"

    result = services.visit_check_in(reservation=reservation, now=at(DAY, 10), by_staff=clerk)
    assert result.visit.status == VisitStatus.WAITING


def test_unknown_code_gets_a_message(procedure):
    with pytest.raises(services.CounterError) as error:
        services.visit_check_in_by_code(code="XXXX-XXXX", now=at(DAY, 9))

    assert error.value.code == "unknown_code"


def test_check_in_accepts_the_code_as_typed(procedure):
    add_clerk(procedure)
    reservation = booked(procedure, at(DAY, 10))
    typed = reservation.code.lower().replace("-", " ")

    result = services.visit_check_in_by_code(code=typed, now=at(DAY, 9, 50))

    assert result.visit.reservation == reservation


def test_only_valid_transitions_are_allowed(procedure):
    clerk = add_clerk(procedure)
    visit = services.visit_check_in(
        reservation=booked(procedure, at(DAY, 10)), now=at(DAY, 9, 55)
    ).visit

    for action in ("serve", "done", "recall", "no_show"):
        with pytest.raises(services.CounterError) as error:
            services.visit_act(visit=visit, action=action, actor=clerk, now=at(DAY, 10))
        assert error.value.code == "invalid_transition"
        assert visit.ticket in str(error.value.message)

    called = services.visit_call_next(staff=clerk, now=at(DAY, 10))
    services.visit_act(visit=called, action="recall", actor=clerk, now=at(DAY, 10, 1))
    services.visit_act(visit=called, action="serve", actor=clerk, now=at(DAY, 10, 2))
    done = services.visit_act(visit=called, action="done", actor=clerk, now=at(DAY, 10, 20))

    assert done.status == VisitStatus.DONE
    assert done.recall_count == 1
    kinds = list(done.events.values_list("kind", flat=True))
    assert kinds == ["checked_in", "called", "recalled", "serving", "done"]
    # wait (check-in to first call) and handling time (serving to done) come from the record
    times = dict(done.events.values_list("kind", "at").order_by("-at"))
    assert times["called"] - times["checked_in"] == dt.timedelta(minutes=5)
    assert times["done"] - times["serving"] == dt.timedelta(minutes=18)


def test_call_next_takes_due_bookings_then_walk_ins_then_early_bookings(procedure):
    clerk = add_clerk(procedure, start=dt.time(9, 0), end=dt.time(12, 0))
    due = booked(procedure, at(DAY, 10), 1)
    early = booked(procedure, at(DAY, 11), 2)
    services.visit_check_in(reservation=early, now=at(DAY, 9, 50), by_staff=clerk)
    walk_in = services.visit_issue_walk_in(procedure=procedure, now=at(DAY, 9, 52))
    services.visit_check_in(reservation=due, now=at(DAY, 9, 55))

    order = []
    for minute in (0, 10, 20):
        visit = services.visit_call_next(staff=clerk, now=at(DAY, 10, minute))
        order.append(visit.ticket)
        services.visit_act(visit=visit, action="serve", actor=clerk, now=at(DAY, 10, minute))
        services.visit_act(visit=visit, action="done", actor=clerk, now=at(DAY, 10, minute + 5))

    assert order == ["A002", walk_in.ticket, "A001"]  # A001 was the early one


def test_a_clerk_must_finish_before_calling_the_next(procedure):
    clerk = add_clerk(procedure)
    services.visit_issue_walk_in(procedure=procedure, now=at(DAY, 9))
    services.visit_issue_walk_in(procedure=procedure, now=at(DAY, 9, 1))
    services.visit_call_next(staff=clerk, now=at(DAY, 9, 5))

    with pytest.raises(services.CounterError) as error:
        services.visit_call_next(staff=clerk, now=at(DAY, 9, 6))

    assert error.value.code == "busy"


def test_nobody_waiting_returns_none(procedure):
    clerk = add_clerk(procedure)

    assert services.visit_call_next(staff=clerk, now=at(DAY, 9)) is None


def test_a_walk_in_without_a_qualified_clerk_today_gets_next_slots_not_a_ticket(procedure):
    add_clerk(procedure, day=DAY + dt.timedelta(days=1))  # works tomorrow only

    with pytest.raises(services.WalkInRefused) as refusal:
        services.visit_issue_walk_in(procedure=procedure, now=at(DAY, 9))

    assert Visit.objects.count() == 0
    assert refusal.value.next_slots
    assert refusal.value.next_slots[0].start.date() == DAY + dt.timedelta(days=1)


def test_transfer_only_to_a_qualified_clerk(procedure):
    clerk = add_clerk(procedure)
    other = add_clerk(procedure)
    unqualified = make_staff_member(role=Role.COUNTER_STAFF)
    visit = services.visit_check_in(
        reservation=booked(procedure, at(DAY, 10)), now=at(DAY, 9, 55)
    ).visit
    assert visit.staff == clerk or visit.staff == other

    with pytest.raises(services.CounterError):
        services.visit_transfer(visit=visit, to_staff=unqualified, actor=clerk)
    target = other if visit.staff == clerk else clerk
    moved = services.visit_transfer(visit=visit, to_staff=target, actor=clerk, now=at(DAY, 9, 56))

    assert moved.staff == target
    assert services.visit_call_next(staff=target, now=at(DAY, 10)).pk == visit.pk


def test_absent_and_unanswered_citizens_become_no_shows(procedure, settings):
    settings.NO_SHOW_AFTER_MINUTES = 30
    settings.CALLED_NO_SHOW_MINUTES = 10
    clerk = add_clerk(procedure)
    absent = booked(procedure, at(DAY, 9), 1)
    services.visit_issue_walk_in(procedure=procedure, now=at(DAY, 9, 50))
    services.visit_call_next(staff=clerk, now=at(DAY, 9, 55))

    assert services.visits_mark_no_shows(now=at(DAY, 9, 20)) == 0
    assert services.visits_mark_no_shows(now=at(DAY, 10, 6)) == 2
    assert services.visits_mark_no_shows(now=at(DAY, 10, 7)) == 0

    assert Visit.objects.get(reservation=absent).status == VisitStatus.NO_SHOW
    assert Visit.objects.filter(status=VisitStatus.NO_SHOW).count() == 2


def test_after_two_no_shows_the_next_online_booking_must_be_confirmed_by_email(procedure, settings):
    settings.NO_SHOW_POLICY_COUNT = 2
    clerk = add_clerk(procedure, start=dt.time(9, 0), end=dt.time(12, 0))
    add_shift(clerk, day=DAY + dt.timedelta(days=7))
    for hour, booked_at in ((9, NOW), (11, at(DAY, 9, 45))):  # one open booking at a time
        services.reservation_book(
            procedure=procedure,
            start=at(DAY, hour),
            citizen=citizen(1),
            consented_rules=consents(procedure),
            now=booked_at,
        )
        services.visits_mark_no_shows(now=at(DAY, hour, 40))

    result = services.reservation_book(
        procedure=procedure,
        start=at(DAY + dt.timedelta(days=7), 9),
        citizen=citizen(1),
        consented_rules=consents(procedure),
        now=at(DAY, 12),
    )

    assert result.reservation.status == ReservationStatus.PENDING
    assert "2" in result.confirmation_reason


def test_a_citizen_is_not_offered_a_transfer_to_the_clerk_they_are_with(client):
    today = dt.date.today()
    procedure = ProcedureFactory()
    first, second = (
        add_clerk(procedure, day=today, start=dt.time(0, 0), end=dt.time(23, 59)) for _ in range(2)
    )
    reservation = booked_now(procedure, first)
    services.visit_check_in(reservation=reservation, by_staff=first)
    client.force_login(first.user)

    page = client.get(reverse("reservations:queue"), {"staff": "all"}).content.decode()

    options = page[page.index('name="to"') : page.index("</select>", page.index('name="to"'))]
    assert 'value="%d"' % second.pk in options and 'value="%d"' % first.pk not in options


def test_a_clerk_sees_only_the_citizens_of_procedures_they_can_serve(client):
    """Need-to-know: "All clerks" shows a counter clerk every colleague's citizens that
    they could serve or take over, not another department's; a manager sees all."""
    today = dt.date.today()
    ours, theirs = ProcedureFactory(), ProcedureFactory()
    mine, colleague, stranger = (
        add_clerk(procedure, day=today, start=dt.time(0, 0), end=dt.time(23, 59))
        for procedure in (ours, ours, theirs)
    )
    ours_booking = booked_now(ours, colleague, citizen_name="鈴木 花子")
    theirs_booking = booked_now(
        theirs, stranger, citizen_name="佐藤 次郎", email_key="jiro@example.jp"
    )
    services.visit_check_in(reservation=ours_booking, by_staff=colleague)
    services.visit_check_in(reservation=theirs_booking, by_staff=stranger)
    everyone = {"staff": "all"}

    client.force_login(mine.user)
    page = client.get(reverse("reservations:queue"), everyone).content.decode()
    strangers = client.get(reverse("reservations:queue"), {"staff": stranger.pk}).content.decode()

    assert "鈴木 花子" in page and "佐藤 次郎" not in page + strangers
    assert "あなたが担当できる手続きの市民だけです" in page
    client.force_login(make_staff_member(role=Role.MANAGER).user)
    page = client.get(reverse("reservations:queue"), everyone).content.decode()
    assert "鈴木 花子" in page and "佐藤 次郎" in page
    assert "あなたが担当できる手続きの市民だけです" not in page


def _called_by_a_colleague():
    """Two clerks serving all day today; the second has called a booked citizen."""
    today = dt.date.today()
    procedure = ProcedureFactory()
    mine, other = (
        add_clerk(procedure, day=today, start=dt.time(0, 0), end=dt.time(23, 59)) for _ in range(2)
    )
    services.visit_check_in(reservation=booked_now(procedure, other), by_staff=other)
    return mine, other, services.visit_call_next(staff=other)


def test_a_clerk_cannot_serve_or_finish_another_clerks_citizen(client):
    """The handling time would go to the wrong clerk: a colleague's citizen is taken
    over by a transfer; a manager may still act on any."""
    mine, other, visit = _called_by_a_colleague()
    client.force_login(mine.user)

    page = client.get(reverse("reservations:queue"), {"staff": "all"}).content.decode()
    response = client.post(
        reverse("reservations:visit_action", args=[visit.pk, "serve"]), follow=True
    )

    assert "%sserve/" % visit.pk not in page  # no button for it
    assert "この操作は担当者か管理職だけができます" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CALLED and visit.staff == other
    manager = make_staff_member(role=Role.MANAGER)
    services.visit_act(visit=visit, action="serve", actor=manager)
    assert Visit.objects.get(pk=visit.pk).status == VisitStatus.SERVING


def test_a_colleagues_citizen_is_taken_over_only_by_oneself_and_never_from_a_stale_page(
    client,
):
    """Helper 42: a clerk whose page still showed B001 waiting moved it, already called to
    counter 1 (gone from the board while the citizen walked there), and an uninvolved
    clerk moved it on to a fourth."""
    mine, other, called = _called_by_a_colleague()
    third = add_clerk(called.procedure, day=dt.date.today(), start=dt.time(0), end=dt.time(23, 59))
    client.force_login(mine.user)
    url = reverse("reservations:visit_action", args=[called.pk, "transfer"])

    stale = client.post(url, {"to": mine.pk, "seen": "waiting"}, follow=True)
    assert "ページを開いた後に変わりました" in stale.content.decode()
    assert Visit.objects.get(pk=called.pk).staff == other
    with pytest.raises(services.CounterError, match="ほかの職員に引き継げる"):
        services.visit_transfer(visit=called, to_staff=third, actor=mine)

    page = client.get(reverse("reservations:queue"), {"staff": "all"}).content.decode()
    select = page[page.index('id="to-%d"' % called.pk) :]
    select = select[: select.index("</select>")]
    assert 'value="%d"' % mine.pk in select and 'value="%d"' % third.pk not in select
    taken = client.post(url, {"to": mine.pk, "seen": "called"}, follow=True)
    assert "%s さんの担当になりました" % mine.display_name in taken.content.decode()
    assert Visit.objects.get(pk=called.pk).staff == mine
    manager = make_staff_member(role=Role.MANAGER)
    assert services.visit_transfer(visit=called, to_staff=third, actor=manager).staff == third


def test_after_an_action_the_queue_opens_at_the_citizens_row(client):
    """A keyboard user went on from the top of the page after every action, about 12
    Tabs from their row (helper 42)."""
    mine, _other, _called = _called_by_a_colleague()
    waiting = services.visit_issue_walk_in(procedure=_called.procedure)
    client.force_login(mine.user)

    response = client.post(
        reverse("reservations:visit_action", args=[waiting.pk, "transfer"]), {"to": mine.pk}
    )
    page = client.get(reverse("reservations:queue")).content.decode()

    assert response["Location"].endswith("#visit-%d" % waiting.pk)
    assert 'id="visit-%d"' % waiting.pk in page


def test_call_next_is_offered_to_those_who_serve_today(client, settings):
    settings.TWO_FACTOR_REQUIRED = False
    manager = make_staff_member(role=Role.MANAGER)  # no shift today: nobody to call
    client.force_login(manager.user)
    assert "call-next" not in client.get(reverse("reservations:queue")).content.decode()

    client.force_login(make_staff_member(role=Role.COUNTER_STAFF).user)
    assert "call-next" in client.get(reverse("reservations:queue")).content.decode()


def test_counter_pages_need_a_counter_role(client, procedure):
    url = reverse("reservations:queue")
    assert client.get(url).status_code == 302  # anonymous: to the login

    client.force_login(make_staff_member(role=Role.DEPARTMENT_STAFF).user)
    assert client.get(url).status_code == 403
    assert client.get(reverse("reservations:kiosk")).status_code == 403

    client.force_login(make_staff_member(role=Role.COUNTER_STAFF).user)
    assert client.get(url).status_code == 200


def test_queue_page_needs_the_same_queries_for_10_and_300_bookings(
    client, django_assert_max_num_queries
):
    today = dt.date.today()
    procedure = ProcedureFactory()
    add_rule(procedure, "本人確認書類")
    clerks = [
        add_clerk(procedure, day=today, start=dt.time(0, 0), end=dt.time(23, 59)) for _ in range(10)
    ]
    client.force_login(clerks[0].user)

    def add_bookings(count, offset):
        for n in range(count):
            clerk = clerks[n % len(clerks)]
            minute = (offset + n // len(clerks)) * 3
            start = at(today, minute // 60, minute % 60)
            Reservation.objects.create(
                procedure=procedure,
                staff=clerk,
                counter=clerk.shifts.first().counter,
                start_at=start,
                end_at=start + dt.timedelta(minutes=3),
                code="T%08d" % (offset * 1000 + n),
                manage_nonce="x",
                citizen_name="市民",
                citizen_kana="シミン",
                email_key="q%d-%d@example.jp" % (offset, n),
            )

    def check_in_half():
        for reservation in Reservation.objects.filter(visit__isnull=True)[::2]:
            services.visit_check_in(reservation=reservation, by_staff=clerks[0])

    add_bookings(10, 0)
    check_in_half()
    everybody = reverse("reservations:queue") + "?staff=all"
    with django_assert_max_num_queries(20) as ten:
        client.get(everybody)
    add_bookings(290, 1)
    check_in_half()
    with django_assert_max_num_queries(len(ten.captured_queries)):
        response = client.get(everybody)
    own = client.get(reverse("reservations:queue"))

    assert response.content.decode().count("<tr class=") == 300
    assert own.content.decode().count("<tr class=") == 30  # a clerk sees their own first


@pytest.mark.django_db(transaction=True)
def test_two_clerks_calling_at_the_same_moment_never_get_the_same_citizen():
    procedure = ProcedureFactory()
    clerks = [add_clerk(procedure) for _ in range(6)]
    for minute in range(4):
        services.visit_issue_walk_in(procedure=procedure, now=at(DAY, 9, minute))
    barrier = threading.Barrier(len(clerks))

    def call(clerk):
        try:
            barrier.wait(timeout=30)
            visit = services.visit_call_next(staff=clerk, now=at(DAY, 9, 30))
            return visit.pk if visit else None
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(clerks)) as pool:
        called = [pk for pk in pool.map(call, clerks) if pk]

    assert len(called) == 4
    assert len(set(called)) == 4
    assert Visit.objects.filter(status=VisitStatus.CALLED).count() == 4


def test_a_clerk_cannot_open_another_clerks_receipt_and_its_survey_link(client, settings):
    settings.TWO_FACTOR_REQUIRED = False
    mine, other, visit = _called_by_a_colleague()
    for action in ("serve", "done"):
        services.visit_act(visit=visit, action=action, actor=other)
    url = reverse("reservations:receipt", args=[visit.pk])

    client.force_login(mine.user)
    refused = client.get(url)
    client.force_login(other.user)
    own = client.get(url)
    client.force_login(make_staff_member(role=Role.MANAGER).user)
    managed = client.get(url)

    assert refused.status_code == 404 and visit.survey_token not in refused.content.decode()
    assert own.status_code == 200 and visit.survey_token in own.content.decode()
    assert managed.status_code == 200

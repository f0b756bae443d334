import datetime as dt

import pytest
from django.core.cache import cache

from organization import context_processors
from reservations import selectors
from reservations.availability import DayStatus
from tests.reservations.factories import (
    DAY,
    NOW,
    ProcedureFactory,
    add_clerk,
    at,
    book,
    citizen,
    close_day,
)

pytestmark = pytest.mark.django_db


def test_free_times_follow_the_shift_and_the_procedure_grid():
    procedure = ProcedureFactory(duration_minutes=30, slot_interval_minutes=30)
    add_clerk(procedure, start=dt.time(9, 0), end=dt.time(10, 45))

    view = selectors.day_times(procedure=procedure, day=DAY, now=NOW)

    assert [slot.start for slot in view.slots] == [at(DAY, 9), at(DAY, 9, 30), at(DAY, 10)]


def test_a_counter_taken_out_of_use_takes_no_booking():
    """Its shifts leave the calendar at once (the cached roster is dropped on save)."""
    procedure = ProcedureFactory(duration_minutes=30, slot_interval_minutes=30)
    clerk = add_clerk(procedure, start=dt.time(9, 0), end=dt.time(10, 0))
    assert selectors.day_times(procedure=procedure, day=DAY, now=NOW).slots

    counter = clerk.shifts.get().counter
    counter.is_active = False
    counter.save()

    assert selectors.day_times(procedure=procedure, day=DAY, now=NOW).slots == []
    with pytest.raises(Exception, match="受け付けていません"):  # refused, not booked
        book(procedure, at(DAY, 9), citizen(1))


def test_a_booked_time_is_no_longer_offered_once_every_clerk_is_taken():
    procedure = ProcedureFactory()
    add_clerk(procedure, end=dt.time(10, 0))
    add_clerk(procedure, end=dt.time(10, 0))
    book(procedure, at(DAY, 9), citizen(1))

    slots = {
        slot.start: slot.free_staff
        for slot in selectors.day_times(procedure=procedure, day=DAY, now=NOW).slots
    }
    assert slots[at(DAY, 9)] == 1

    book(procedure, at(DAY, 9), citizen(2))

    slots = {
        slot.start for slot in selectors.day_times(procedure=procedure, day=DAY, now=NOW).slots
    }
    assert at(DAY, 9) not in slots
    assert at(DAY, 9, 30) in slots


def test_times_inside_the_lead_time_are_not_offered():
    procedure = ProcedureFactory(lead_time_minutes=90)
    add_clerk(procedure, day=NOW.date(), start=dt.time(9, 0), end=dt.time(12, 0))

    view = selectors.day_times(procedure=procedure, day=NOW.date(), now=NOW)

    assert min(slot.start for slot in view.slots) == at(NOW.date(), 10, 30)


def test_a_closed_day_is_shown_closed_with_its_reason():
    procedure = ProcedureFactory()
    add_clerk(procedure)
    close_day(DAY, reason="庁舎点検")

    view = selectors.day_times(procedure=procedure, day=DAY, now=NOW)

    assert view.slots == []
    assert view.summary.status == DayStatus.CLOSED
    assert view.summary.reason == "庁舎点検"


def test_japanese_public_holidays_are_closed_without_being_entered():
    procedure = ProcedureFactory()
    marine_day = dt.date(2030, 7, 15)  # 海の日, third Monday of July
    add_clerk(procedure, day=marine_day)

    view = selectors.day_times(procedure=procedure, day=marine_day, now=NOW)

    assert view.summary.status == DayStatus.CLOSED
    assert view.summary.reason == "海の日"


def test_the_year_end_closure_is_closed():
    procedure = ProcedureFactory(booking_horizon_days=366)
    add_clerk(procedure, day=dt.date(2030, 12, 30))

    view = selectors.day_times(procedure=procedure, day=dt.date(2030, 12, 30), now=NOW)

    assert view.summary.status == DayStatus.CLOSED


def test_calendar_marks_open_full_closed_and_out_of_horizon_days():
    procedure = ProcedureFactory(booking_horizon_days=15)
    add_clerk(procedure, end=dt.time(9, 30))  # one slot on DAY
    add_clerk(procedure, day=DAY + dt.timedelta(days=1))
    book(procedure, at(DAY, 9))

    month = selectors.calendar_month(procedure=procedure, month=DAY, now=NOW)

    by_day = {s.day: s for week in month.weeks for s in week if s}
    assert by_day[DAY].status == DayStatus.FULL
    assert by_day[DAY + dt.timedelta(days=1)].status == DayStatus.OPEN
    assert by_day[dt.date(2030, 6, 15)].status == DayStatus.CLOSED  # Saturday
    assert by_day[dt.date(2030, 6, 14)].status == DayStatus.NO_SERVICE  # Friday, no shift
    assert by_day[dt.date(2030, 6, 5)].status == DayStatus.UNAVAILABLE  # past
    assert by_day[dt.date(2030, 6, 27)].status == DayStatus.UNAVAILABLE  # beyond 15 days
    assert month.previous_month is None
    # The grid's blank cells beyond the horizon are explained under it (helper 43).
    assert month.last_bookable is not None and month.last_bookable < dt.date(2030, 6, 27)


def test_a_clerk_not_qualified_is_never_offered():
    procedure = ProcedureFactory()
    other = ProcedureFactory(department=procedure.department)
    add_clerk(other)  # on shift, but qualified only for the other procedure

    view = selectors.day_times(procedure=procedure, day=DAY, now=NOW)

    assert view.slots == []


def test_calendar_needs_the_same_queries_for_one_day_or_a_full_roster(
    django_assert_max_num_queries,
):
    procedure = ProcedureFactory()
    add_clerk(procedure)

    with django_assert_max_num_queries(3):
        selectors.calendar_month(procedure=procedure, month=DAY, now=NOW)

    for day_offset in range(1, 19):
        for _ in range(3):
            add_clerk(procedure, day=DAY + dt.timedelta(days=day_offset))
    for n in range(20):
        book(procedure, at(DAY + dt.timedelta(days=1 + n % 10), 9 + n % 3), citizen(n + 2))

    with django_assert_max_num_queries(3):
        selectors.calendar_month(procedure=procedure, month=DAY, now=NOW)
    with django_assert_max_num_queries(3):
        selectors.day_times(procedure=procedure, day=DAY + dt.timedelta(days=1), now=NOW)


@pytest.mark.django_db(transaction=True)
def test_a_booking_committed_elsewhere_is_not_shown_free_from_the_cache():
    procedure = ProcedureFactory()
    add_clerk(procedure, end=dt.time(9, 30))
    before = selectors.day_times(procedure=procedure, day=DAY, now=NOW)  # now cached
    assert [slot.start for slot in before.slots] == [at(DAY, 9)]

    book(procedure, at(DAY, 9))  # commits in its own transaction

    after = selectors.day_times(procedure=procedure, day=DAY, now=NOW)
    assert after.slots == []
    month = selectors.calendar_month(procedure=procedure, month=DAY, now=NOW)
    by_day = {s.day: s for week in month.weeks for s in week if s}
    assert by_day[DAY].status == DayStatus.FULL


def test_availability_pages_read_the_database_once_then_the_cache(
    django_assert_num_queries,
):
    procedure = ProcedureFactory()
    add_clerk(procedure)
    selectors.day_times(procedure=procedure, day=DAY, now=NOW)

    with django_assert_num_queries(0):
        selectors.day_times(procedure=procedure, day=DAY, now=NOW)


def test_a_shift_changed_by_a_plain_save_shows_on_the_cached_day_at_once():
    # given a day page computed and cached with the clerk on shift until 10:00
    procedure = ProcedureFactory(duration_minutes=30, slot_interval_minutes=30)
    clerk = add_clerk(procedure, start=dt.time(9, 0), end=dt.time(10, 0))
    before = selectors.day_times(procedure=procedure, day=DAY, now=NOW)
    assert [slot.start for slot in before.slots] == [at(DAY, 9), at(DAY, 9, 30)]

    # when a script (not the admin) lengthens the shift with a plain save
    shift = clerk.shifts.get(date=DAY)
    shift.end_time = dt.time(11, 0)
    shift.save()

    # then the next page offers the new times
    after = selectors.day_times(procedure=procedure, day=DAY, now=NOW)
    assert [slot.start for slot in after.slots][-1] == at(DAY, 10, 30)


def test_the_free_times_fragment_does_not_read_the_city_settings(client, monkeypatch):
    # given a procedure with free times (the fragment htmx swaps into the day page)
    procedure = ProcedureFactory()
    add_clerk(procedure, day=dt.date.today() + dt.timedelta(days=7))
    day = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    reads = []
    real = context_processors.site_settings
    monkeypatch.setattr(context_processors, "site_settings", lambda: reads.append(1) or real())
    path = "/book/%s/%s/" % (procedure.code, day)

    # when the fragment is asked for, then the whole page
    fragment = client.get(path, headers={"HX-Request": "true"})
    reads_for_fragment = len(reads)
    page = client.get(path)

    # then the fragment (no header, no footer) never read the settings; the page did
    assert fragment.status_code == page.status_code == 200
    assert reads_for_fragment == 0
    assert len(reads) == 1


def _day_page(client, procedure, day):
    return client.get("/book/%s/%s/" % (procedure.code, day), headers={"HX-Request": "true"})


def test_the_day_page_reads_the_procedure_and_its_times_from_the_cache_at_once(client, monkeypatch):
    # given a procedure with free times whose day page this process has served once
    procedure = ProcedureFactory()
    day = dt.date.today() + dt.timedelta(days=7)
    add_clerk(procedure, day=day)
    assert _day_page(client, procedure, day).status_code == 200
    reads = []
    real = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: reads.append(keys) or real(keys))

    # when the page is asked for again
    page = _day_page(client, procedure, day)

    # then the procedure and the day's times came in one read of the cache
    assert page.status_code == 200
    assert "times-grid" in page.content.decode()
    assert len(reads) == 1


def test_a_code_that_now_names_another_procedure_shows_that_ones_times(client):
    # given a day page served for a procedure, which is then replaced under its code
    day = dt.date.today() + dt.timedelta(days=7)
    first = ProcedureFactory(code="passport")
    add_clerk(first, day=day, start=dt.time(9, 0), end=dt.time(10, 0))
    assert "9:30" in _day_page(client, first, day).content.decode()
    first.delete()
    second = ProcedureFactory(code="passport")
    add_clerk(second, day=day, start=dt.time(14, 0), end=dt.time(15, 0))

    # when the page is asked for again
    page = _day_page(client, second, day).content.decode()

    # then it offers the new procedure's times, not the old one's
    assert "14:00" in page
    assert "9:30" not in page


def test_the_last_day_you_can_book_is_a_day_the_counters_open():
    from reservations.refusals import last_open_day

    procedure = ProcedureFactory()
    saturday = dt.date(2030, 6, 15)
    friday, thursday = saturday - dt.timedelta(days=1), saturday - dt.timedelta(days=2)

    assert last_open_day(procedure, saturday) == friday
    close_day(friday, "臨時休業")
    assert last_open_day(procedure, saturday) == thursday
    assert last_open_day(procedure, thursday) == thursday


def test_a_closed_days_reason_is_in_each_readers_language_in_the_month_and_the_day():
    from django.utils import translation

    procedure = ProcedureFactory()
    marine_day = dt.date(2030, 7, 15)  # 海の日
    add_clerk(procedure, day=marine_day)

    def month_reason(language):
        with translation.override(language):
            month = selectors.calendar_month(procedure=procedure, month=marine_day, now=NOW)
            day = selectors.day_times(procedure=procedure, day=marine_day, now=NOW)
        (summary,) = [s for week in month.weeks for s in week if s and s.day == marine_day]
        return summary.reason, day.summary.reason

    assert month_reason("vi") == ("Marine Day", "Marine Day")  # read first, then cached
    assert month_reason("ja") == ("海の日", "海の日")
    assert month_reason("ko") == ("Marine Day", "Marine Day")
    assert month_reason("ja-easy") == ("海の日", "海の日")


def test_the_months_closed_days_are_listed_with_their_reasons_under_the_grid(client, monkeypatch):
    from django.utils import timezone

    procedure = ProcedureFactory()
    marine_day = dt.date(2030, 7, 15)  # 海の日
    add_clerk(procedure, day=marine_day)
    monkeypatch.setattr(timezone, "now", lambda: NOW)

    page = client.get("/book/%s/?month=2030-07" % procedure.code).content.decode()

    listed = page[page.index('id="month-closures"') :]
    assert "今月の閉庁日" in page and "海の日" in listed[: listed.index("</ul>")]


@pytest.mark.parametrize("lead_minutes", [0, 60])
def test_a_day_whose_times_are_past_is_not_bookable_rather_than_full(lead_minutes):
    """Helper 47: at 17:20 today said "Full" and "All times on this day are taken",
    with 4 of 31 times booked: the rest had only passed."""
    procedure = ProcedureFactory(lead_time_minutes=lead_minutes)
    add_clerk(procedure, start=dt.time(9, 0), end=dt.time(12, 0))
    book(procedure, at(DAY, 9))
    evening = at(DAY, 17, 20)

    view = selectors.day_times(procedure=procedure, day=DAY, now=evening)
    month = selectors.calendar_month(procedure=procedure, month=DAY, now=evening)

    assert view.summary.status == DayStatus.UNAVAILABLE
    assert "予約できる時間がもう" in view.unavailable_reason
    by_day = {s.day: s for week in month.weeks for s in week if s}
    assert by_day[DAY].status == DayStatus.UNAVAILABLE

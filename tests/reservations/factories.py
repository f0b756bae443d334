"""Builders for booking tests: a procedure with rules, qualified clerks on shift."""

import datetime as dt

import factory
from django.utils import timezone

from organization.models import Role
from reservations import selectors
from reservations.availability import closure_reason
from reservations.models import ClosedDay, Counter, DocumentRule, Procedure, Reservation, Shift
from reservations.services import CitizenDetails
from tests.organization.factories import DepartmentFactory, make_staff_member

# A Wednesday well in the future with no Japanese holiday around it.
NOW = timezone.make_aware(dt.datetime(2030, 6, 10, 9, 0))  # Monday 9:00 JST
DAY = dt.date(2030, 6, 12)  # Wednesday


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    code = factory.Sequence(lambda n: "procedure-%d" % n)
    name = factory.Sequence(lambda n: "手続%d" % n)
    name_en = factory.Sequence(lambda n: "Procedure %d" % n)
    department = factory.SubFactory(DepartmentFactory)
    duration_minutes = 30
    slot_interval_minutes = 30
    booking_horizon_days = 60
    lead_time_minutes = 60
    change_cutoff_minutes = 120


class CounterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Counter

    name = factory.Sequence(lambda n: "%d番窓口" % n)
    department = factory.SubFactory(DepartmentFactory)


def first_open_day(day: dt.date) -> dt.date:
    """``day``, or the first weekday after it that is not a closed day (a holiday)."""
    while day.weekday() >= 5 or closure_reason(day, {}):
        day += dt.timedelta(days=1)
    return day


def open_day(days_ahead: int) -> dt.date:
    """The first open weekday at least ``days_ahead`` days from today (the real clock)."""
    return first_open_day(dt.date.today() + dt.timedelta(days=days_ahead))


def procedure_with(*rules: str, clerk_days=(), **fields) -> Procedure:
    """A procedure (``fields`` for its factory) with these document rules, in this order,
    and a clerk on shift on each of ``clerk_days`` (a day given twice: two clerks)."""
    procedure = ProcedureFactory(**fields)
    for text in rules:
        add_rule(procedure, text)
    for day in clerk_days:
        add_clerk(procedure, day=day)
    return procedure


def bookable_in(days_ahead: int, *rules: str, **fields) -> Procedure:
    """``procedure_with`` these rules and a clerk on the first open day ``days_ahead`` days
    from today, that day kept as ``procedure.test_day`` (for pages on the real clock)."""
    day = open_day(days_ahead)
    procedure = procedure_with(*rules, clerk_days=[day], **fields)
    procedure.test_day = day
    return procedure


def add_rule(procedure: Procedure, text: str = "顔写真（6か月以内に撮影）", **fields):
    return DocumentRule.objects.create(procedure=procedure, text=text, **fields)


def add_clerk(procedure, *, day=DAY, start=dt.time(9, 0), end=dt.time(12, 0), **user_fields):
    """A counter clerk qualified for ``procedure`` with a shift on ``day``."""
    clerk = make_staff_member(
        role=Role.COUNTER_STAFF, department=procedure.department, **user_fields
    )
    procedure.qualified_staff.add(clerk)
    add_shift(clerk, day=day, start=start, end=end)
    return clerk


def add_shift(clerk, *, day=DAY, start=dt.time(9, 0), end=dt.time(12, 0)):
    counter = CounterFactory(department=clerk.department)
    shift = Shift.objects.create(
        staff=clerk, counter=counter, date=day, start_time=start, end_time=end
    )
    return shift


def first_free_time(procedure, *, within_days: int) -> tuple[dt.date, str]:
    """The first day after today (within ``within_days``) with a free time for
    ``procedure``, and that time as HHMM, as the booking addresses spell them."""
    now = timezone.now()
    day = timezone.localdate(now)
    for _ in range(within_days):
        day += dt.timedelta(days=1)
        times = selectors.day_times(procedure=procedure, day=day, now=now)
        if times.slots:
            break
    return day, timezone.localtime(times.slots[0].start).strftime("%H%M")


def close_day(day: dt.date, reason: str = "庁舎点検"):
    return ClosedDay.objects.create(date=day, reason=reason)


def citizen(n: int = 1, **overrides) -> CitizenDetails:
    fields = {
        "name": "市民 %d" % n,
        "kana": "シミン",
        "email": "citizen%d@example.jp" % n,
        "phone": "",
    }
    fields.update(overrides)
    return CitizenDetails(**fields)


def consents(procedure) -> dict[int, int]:
    return {rule.pk: rule.version for rule in procedure.document_rules.filter(is_active=True)}


def booked_now(procedure, clerk, **fields) -> Reservation:
    """A booking for right now, written directly: today may be a holiday or a weekend,
    which the online booking rightly refuses, but the counter works any day."""
    from reservations.codes import new_booking_code

    start = timezone.now()
    values = {
        "procedure": procedure,
        "staff": clerk,
        "counter": clerk.shifts.first().counter,
        "start_at": start,
        "end_at": start + procedure.duration,
        "code": new_booking_code(),
        "manage_nonce": "n",
        "citizen_name": "山田 太郎",
        "citizen_kana": "ヤマダ",
        "email_key": "taro@example.jp",
        **fields,
    }
    return Reservation.objects.create(**values)


def kiosk_day(**tomorrow_only) -> tuple[Reservation, Procedure]:
    """For the kiosk on the demo data: 住民票 (juminhyo) served all day today, with a
    booking for now, and a new procedure (``tomorrow_only`` its fields) served only from
    tomorrow. Returns the booking and that procedure."""
    today = timezone.localdate()
    procedure = Procedure.objects.get(code="juminhyo")
    clerk = add_clerk(procedure, day=today, start=dt.time(0, 0), end=dt.time(23, 59))
    booking = booked_now(procedure, clerk)
    later = ProcedureFactory(lead_time_minutes=0, **tomorrow_only)
    add_clerk(later, day=today + dt.timedelta(days=1), start=dt.time(9), end=dt.time(17))
    return booking, later


def enrolled_kiosk(name: str = "1階待合 左", by_staff=None) -> tuple:
    """A kiosk device and the token its browser would hold in its cookie."""
    from reservations.services import kiosk_device_enrol

    return kiosk_device_enrol(name=name, by_staff=by_staff)


def as_kiosk(client, name: str = "1階待合 左"):
    """Give a Django test client the cookie of a freshly enrolled kiosk."""
    from reservations.views.counter import KIOSK_COOKIE

    device, token = enrolled_kiosk(name)
    client.cookies[KIOSK_COOKIE] = token
    return device


def book(procedure, start=None, who=None, *, now=NOW, **kwargs):
    """Book through the service as a citizen does: at 10:00 on DAY unless ``start`` says
    otherwise, as ``who`` (else citizen 1), every active rule agreed to unless
    ``consented_rules`` says otherwise. Returns the service's result."""
    from reservations import services

    return services.reservation_book(
        procedure=procedure,
        start=start or at(DAY),
        citizen=who or citizen(),
        consented_rules=kwargs.pop("consented_rules", None) or consents(procedure),
        now=now,
        **kwargs,
    )

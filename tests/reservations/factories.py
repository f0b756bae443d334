"""Builders for booking tests: a procedure with rules, qualified clerks on shift."""

import datetime as dt

import factory
from django.utils import timezone

from organization.models import Role
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

"""Writing a new booking: routed to the first qualified free clerk, inserted so that
the database's refusal of an overlap (PostgreSQL: an exclusion constraint; SQLite:
triggers; see migration 0002) makes it try the next clerk, then report the slot as
taken; with its consents (the wording and version agreed to), answers and event."""

import datetime as dt
import logging
import secrets
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.utils import timezone
from django.utils.translation import get_language

from organization.models import StaffMember
from reservations import availability, codes, names
from reservations.models import (
    HOLD_MINUTES,
    BookingAnswer,
    Channel,
    ConsentRecord,
    DocumentRule,
    Procedure,
    Reservation,
    ReservationEvent,
    ReservationStatus,
)
from reservations.services.booking_rules import CitizenDetails, form_used, slot_taken

logger = logging.getLogger("reservations.services.booking")


@dataclass(frozen=True)
class NewBooking:
    """Everything a new booking is written from (checked by the caller)."""

    procedure: Procedure
    start: dt.datetime
    citizen: CitizenDetails
    email_key: str
    phone_key: str
    rules: list[DocumentRule]  # the rules agreed to, stored with their wording and version
    channel: str
    booked_by: StaffMember | None
    now: dt.datetime
    agreed_at: dt.datetime
    # (question id, choice id, question text, choice text) of each answer given.
    answers: list[tuple] = ()
    exclude_id: int | None = None  # the booking being moved, whose time is free to take
    force_confirmation: bool = False
    referral_code: str = ""
    idempotency_key: str = ""
    calendar_uid: str = ""
    calendar_sequence: int = 0
    static: tuple | None = None  # the day's roster master data, when already read

    @property
    def needs_confirmation(self) -> bool:
        return self.channel == Channel.WEB and (
            self.procedure.requires_email_confirmation or self.force_confirmation
        )


def _advisory_key(text: str) -> int:
    """A signed 32-bit key for PostgreSQL's two-key advisory locks."""
    value = zlib.crc32(text.encode())
    return value - 2**32 if value >= 2**31 else value


PERSON_LOCKS = 1  # bookings of one person (by contact), for the one-booking rule
CLERK_DAY_LOCKS = 2  # inserting a booking for one clerk on one day


def lock_person(keys: list[str]) -> None:
    """Serialise bookings of one person until the transaction ends (PostgreSQL).

    SQLite needs no lock: its IMMEDIATE transactions already run one at a time.
    """
    if connection.vendor != "postgresql" or not keys:
        return
    # One statement for the e-mail's and the phone's lock, taken in key order (volatile
    # functions in the select list run after the ORDER BY), so that two bookings
    # sharing both contacts cannot each hold one and wait for the other.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, k) FROM unnest(%s::integer[]) AS k ORDER BY k",
            [PERSON_LOCKS, sorted({_advisory_key(k) for k in keys})],
        )


@contextmanager
def _clerk_insert_lock(staff_id: int, day: dt.date):
    """Hold a lock on one clerk's day while inserting a booking for them (PostgreSQL).

    Two transactions inserting overlapping bookings of one clerk at the same moment
    would each wait for the other inside the exclusion constraint: a deadlock. Under
    this lock the insert finds at most committed rows, or an uncommitted row of a
    transaction that waits on nothing. It is a session lock released right after the
    insert, so a transaction never holds two and no lock cycle can form.
    """
    if connection.vendor != "postgresql":
        yield
        return
    key = _advisory_key("%d:%s" % (staff_id, day))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [CLERK_DAY_LOCKS, key])
        try:
            yield
        except BaseException:
            # The insert failed and took the transaction with it (a value too long, a
            # lost connection): no statement runs in it any more, the unlock neither,
            # and a session lock outlives the rollback. Closing the connection ends the
            # session and its lock; otherwise every later booking of this clerk's day
            # on any connection would wait for it.
            connection.close()
            raise
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [CLERK_DAY_LOCKS, key])


def expire_lapsed_holds(now: dt.datetime) -> int:
    lapsed_rows = list(
        Reservation.objects.filter(
            status=ReservationStatus.PENDING, hold_expires_at__lte=now
        ).values_list("pk", "staff_id")
    )
    if not lapsed_rows:
        return 0
    lapsed = [pk for pk, _staff_id in lapsed_rows]
    availability.changed(staff_ids=[staff_id for _pk, staff_id in lapsed_rows])
    updated = Reservation.objects.filter(pk__in=lapsed, status=ReservationStatus.PENDING).update(
        status=ReservationStatus.EXPIRED
    )
    ReservationEvent.objects.bulk_create(
        ReservationEvent(reservation_id=pk, kind=ReservationEvent.Kind.EXPIRED, at=now)
        for pk in lapsed
    )
    return updated


def _save_new(reservation: Reservation, *, now: dt.datetime, day: dt.date) -> bool:
    """Insert ``reservation``; False when the database refuses it as overlapping.

    The rare other refusals are mended and tried once more: a booking code that exists
    already (a new code), or a hold that lapsed but was not yet released (released now).
    """
    for _attempt in range(3):
        if _insert_unless_refused(reservation, day=day):
            return True
        key = reservation.idempotency_key
        if key and Reservation.objects.filter(idempotency_key=key).exists():
            raise form_used() from None
        if Reservation.objects.filter(code=reservation.code).exists():
            reservation.code = codes.new_booking_code()
        elif not expire_lapsed_holds(now):
            return False
    return False


def _insert_unless_refused(reservation: Reservation, *, day: dt.date) -> bool:
    """One INSERT of ``reservation``; False when a constraint refused it (the clerk's
    time overlaps, or its code or request key exists), with the transaction still usable.

    PostgreSQL: ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` (exclusion and unique
    constraints alike; it waits for an uncommitted overlapping booking as a plain
    INSERT does), so no savepoint is needed around it. SQLite: a savepoint, whose
    rollback undoes the insert its triggers or unique indexes refused.
    """
    if connection.vendor != "postgresql":
        try:
            with transaction.atomic():
                reservation.save(force_insert=True)
        except IntegrityError:
            return False
        return True
    meta = Reservation._meta
    query = InsertQuery(Reservation, on_conflict=OnConflict.IGNORE)
    query.insert_values([f for f in meta.local_concrete_fields if f is not meta.pk], [reservation])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [meta.pk]
    [(sql, params)] = compiler.as_sql()
    with _clerk_insert_lock(reservation.staff_id, day), connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return False
    reservation.pk = row[0]
    reservation._state.adding = False
    reservation._state.db = connection.alias
    return True


def insert_booking(new: NewBooking) -> Reservation:
    """Write ``new`` for the first qualified clerk free at its time; BookingError
    ``slot_taken`` when none is (any more)."""
    day = timezone.localdate(new.start)
    calendar_uid = new.calendar_uid or "%s@%s" % (
        secrets.token_hex(16),
        settings.SITE_URL.split("//")[-1],
    )
    for staff_id, counter_id in _candidates(new, day):
        reservation = _unsaved(new, staff_id, counter_id, calendar_uid)
        if not _save_new(reservation, now=new.now, day=day):
            # The database saw this clerk taken at that time (a concurrent booking
            # committed first): try the next qualified clerk.
            logger.info("Clerk %s taken at %s, trying the next one", staff_id, new.start)
            continue
        record_consents_and_answers(
            reservation, rules=new.rules, answers=new.answers, agreed_at=new.agreed_at
        )
        ReservationEvent.objects.create(
            reservation=reservation,
            kind=ReservationEvent.Kind.BOOKED,
            at=new.now,
            actor=new.booked_by,
        )
        availability.changed(staff_ids=[staff_id])
        return reservation
    raise slot_taken()


def _candidates(new: NewBooking, day: dt.date) -> list[tuple[int, int]]:
    """(clerk, counter) free at the time, in routing order; refused when there is none."""
    roster = availability.load_roster(
        procedure=new.procedure,
        first_day=day,
        last_day=day,
        now=new.now,
        exclude_reservation_id=new.exclude_id,
        window=(new.start, new.start + new.procedure.duration),
        static=new.static,
    )
    candidates = availability.routing_candidates(roster, new.start)
    if not candidates:
        raise slot_taken()
    return candidates


def _unsaved(new: NewBooking, staff_id: int, counter_id: int, calendar_uid: str) -> Reservation:
    held = new.needs_confirmation
    return Reservation(
        procedure=new.procedure,
        staff_id=staff_id,
        counter_id=counter_id,
        start_at=new.start,
        end_at=new.start + new.procedure.duration,
        status=ReservationStatus.PENDING if held else ReservationStatus.CONFIRMED,
        channel=new.channel,
        code=codes.new_booking_code(),
        manage_nonce=codes.new_manage_nonce(),
        citizen_name=names.normalize_name(new.citizen.name),
        citizen_kana=names.normalize_name(new.citizen.kana),
        email=new.citizen.email.strip(),
        phone=new.citizen.phone.strip(),
        email_key=new.email_key,
        phone_key=new.phone_key,
        language=get_language() or settings.LANGUAGE_CODE,
        hold_expires_at=new.now + dt.timedelta(minutes=HOLD_MINUTES) if held else None,
        booked_by=new.booked_by,
        referral_code=new.referral_code[:20],
        idempotency_key=new.idempotency_key,
        calendar_uid=calendar_uid,
        calendar_sequence=new.calendar_sequence,
        created_at=new.now,
    )


def record_consents_and_answers(
    reservation: Reservation, *, rules, answers, agreed_at: dt.datetime
) -> None:
    """The wording and version of each rule agreed to, and the answers to the questions
    before it as (question id, choice id, question text, choice text)."""
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            reservation=reservation,
            rule=rule,
            rule_text=rule.text,
            rule_version=rule.version,
            agreed_at=agreed_at,
        )
        for rule in rules
    )
    BookingAnswer.objects.bulk_create(
        BookingAnswer(
            reservation=reservation,
            question_id=question_id,
            choice_id=choice_id,
            question_text=question_text,
            choice_text=choice_text,
        )
        for question_id, choice_id, question_text, choice_text in answers
    )

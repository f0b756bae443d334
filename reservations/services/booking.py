"""Every write of the reservations app: booking, confirming, cancelling, rescheduling,
expiring holds, reminders, and master data whose changes need care (document rules).

The no-double-booking guarantee has two layers. The service re-checks availability
inside its transaction (on SQLite the transaction holds the database's write lock from
BEGIN, so no other booking can interleave); the database refuses two overlapping
holding reservations of one clerk whatever the code does (PostgreSQL: an exclusion
constraint; SQLite: triggers; see migration 0002). A refusal by the database makes the
service try the next qualified clerk, then report the slot as taken.
"""

import datetime as dt
import logging
import secrets
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from organization.models import StaffMember
from reservations import availability, codes, documents, names, requirements, selectors
from reservations.models import (
    OPEN_STATUSES,
    BookingAnswer,
    Channel,
    ConsentRecord,
    DocumentRule,
    Procedure,
    Reservation,
    ReservationEvent,
    ReservationStatus,
)

logger = logging.getLogger(__name__)

HOLD_MINUTES = 15

# Refusals of a time the calendar never offered, or no longer offers (the citizen goes
# back to the day's times with the reason).
TIME_REFUSALS = frozenset(
    {"past", "too_late", "beyond_horizon", "closed", "no_service", "outside_hours", "off_grid"}
)


class BookingError(Exception):
    """A booking request that cannot be fulfilled; ``message`` is shown to the citizen."""

    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CitizenDetails:
    name: str
    kana: str = ""  # the reading, needed only for a name with kanji
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class BookingResult:
    reservation: Reservation
    token: str
    # Why this booking must be confirmed by e-mail although the procedure does not ask it.
    confirmation_reason: str = ""


def _advisory_key(text: str) -> int:
    """A signed 32-bit key for PostgreSQL's two-key advisory locks."""
    value = zlib.crc32(text.encode())
    return value - 2**32 if value >= 2**31 else value


PERSON_LOCKS = 1  # bookings of one person (by contact), for the one-booking rule
CLERK_DAY_LOCKS = 2  # inserting a booking for one clerk on one day


def _lock_person(keys: list[str]) -> None:
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
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [CLERK_DAY_LOCKS, key])


def _check_answers(procedure: Procedure, answers: dict[int, int]) -> dict:
    """Question id → choice for the answers given; every question must be answered with
    one of its own answers (the rules to agree to depend on them)."""
    questions = requirements.questions_of(procedure)
    chosen = requirements.chosen_from_ids(questions, answers)
    if requirements.unanswered(questions, chosen):
        raise BookingError(
            "answers_missing",
            _("Please answer the questions about your application before booking."),
        )
    return chosen


def _check_consents(
    procedure: Procedure,
    consented: dict[int, int],
    chosen: dict,
    rules_in_force: list[DocumentRule] | None = None,
) -> list[DocumentRule]:
    # Read from the database inside the booking transaction, never from a cache: what
    # is stored as agreed must be the wording in force when the booking commits, and
    # the version the form showed must be that wording's. Rules the caller read for its
    # form are used only when one query here finds them unchanged (same rules, versions
    # and conditions; a new wording always has a new version). Which rules apply is
    # computed from the answers here, never taken from the client.
    in_force = procedure.document_rules.filter(is_active=True)
    if rules_in_force is None or _fingerprint(rules_in_force) != set(
        in_force.values_list("pk", "version", "applies_when")
    ):
        rules_in_force = list(in_force.prefetch_related("applies_when"))
    rules = requirements.applicable_rules(rules_in_force, chosen)
    for rule in rules:
        if rule.pk not in consented:
            raise BookingError(
                "consent_missing",
                _("Please agree to every required-document rule before booking."),
            )
        if consented[rule.pk] != rule.version:
            raise BookingError(
                "rules_changed",
                _("The document rules have just changed. Please read them again and agree."),
            )
    return rules


def _fingerprint(rules: list[DocumentRule]) -> set[tuple]:
    """(id, version, condition) of each rule and answer it applies for (None: always),
    as ``values_list("pk", "version", "applies_when")`` reads them."""
    return {
        (rule.pk, rule.version, choice_id)
        for rule in rules
        for choice_id in ([choice.pk for choice in rule.applies_when.all()] or [None])
    }


def _check_timing(
    procedure: Procedure, start: dt.datetime, now: dt.datetime, static: tuple | None = None
) -> None:
    """Refuse a time the calendar never offered, with the real reason (a closed day, the
    lunch hour, off the grid, too soon, too far ahead, past): not "just taken"."""
    refusal = availability.refusal_for(procedure, start, now=now, static=static)
    if refusal is not None:
        raise BookingError(refusal.code, refusal.message)


def _validate_citizen(citizen: CitizenDetails) -> tuple[str, str]:
    email_key = codes.normalize_email(citizen.email)
    phone_key = codes.normalize_phone(citizen.phone)
    if email_key:
        try:
            validate_email(email_key)
        except ValidationError as error:
            raise BookingError("bad_email", _("Please check the e-mail address.")) from error
    if not (email_key or phone_key):
        raise BookingError("no_contact", _("Please give an e-mail address or a phone number."))
    problems = names.name_problems(
        names.normalize_name(citizen.name), names.normalize_name(citizen.kana)
    )
    if problems:
        raise BookingError("bad_name", problems.get("name") or problems["kana"])
    return email_key, phone_key


def _already_booked() -> BookingError:
    return BookingError(
        "already_booked",
        _(
            "You already have a booking for this procedure. Use the link in its e-mail "
            "to change it, or cancel it before booking again."
        ),
    )


def _earlier_bookings(
    key: str,
    *,
    procedure: Procedure,
    start: dt.datetime,
    email_key: str,
    phone_key: str,
    now: dt.datetime,
) -> tuple[Reservation | None, bool]:
    """One query for two rules: the booking already made with this request key (if the
    request is the same one), and whether the person already has an open booking of
    ``procedure`` (one open booking per person, by e-mail or phone).

    The same key with another procedure, time or person is a form used twice for
    different bookings (or a forged key): refused, and nothing of the other is shown.
    """
    same_person = Q()
    if email_key:
        same_person |= Q(email_key=email_key)
    if phone_key:
        same_person |= Q(phone_key=phone_key)
    wanted = same_person & Q(procedure=procedure, status__in=OPEN_STATUSES, end_at__gt=now)
    if key:
        wanted |= Q(idempotency_key=key)
    earlier, has_open = None, False
    for row in Reservation.objects.filter(wanted):
        if key and row.idempotency_key == key:
            same = (row.procedure_id, row.start_at, row.email_key, row.phone_key) == (
                procedure.pk,
                start,
                email_key,
                phone_key,
            )
            if not same:
                raise _form_used()
            earlier = row
        elif (
            row.procedure_id == procedure.pk
            and row.status in OPEN_STATUSES
            and row.end_at > now
            and (
                (email_key and row.email_key == email_key)
                or (phone_key and row.phone_key == phone_key)
            )
        ):
            has_open = True
    return earlier, has_open


def _form_used() -> BookingError:
    return BookingError(
        "form_used",
        _("This form has already been used for a booking. Please start again from the calendar."),
    )


def _confirmation_reason(channel: str, email_key: str, phone_key: str, now) -> str:
    """Why this web booking must be confirmed by e-mail: earlier bookings missed."""
    if channel != Channel.WEB:
        return ""
    missed = selectors.no_show_count(
        email_key=email_key,
        phone_key=phone_key,
        since=now - dt.timedelta(days=settings.NO_SHOW_POLICY_DAYS),
    )
    if missed < settings.NO_SHOW_POLICY_COUNT:
        return ""
    return _(
        "%(count)s earlier bookings were missed without cancelling, so this booking "
        "must be confirmed from the e-mail we send."
    ) % {"count": missed}


def _expire_lapsed_holds(now: dt.datetime) -> int:
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
            raise _form_used() from None
        if Reservation.objects.filter(code=reservation.code).exists():
            reservation.code = codes.new_booking_code()
        elif not _expire_lapsed_holds(now):
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


def _insert(
    *,
    procedure: Procedure,
    start: dt.datetime,
    citizen: CitizenDetails,
    email_key: str,
    phone_key: str,
    rules: list[DocumentRule],
    channel: str,
    booked_by: StaffMember | None,
    now: dt.datetime,
    exclude_id: int | None,
    agreed_at: dt.datetime,
    answers: list[tuple] = (),
    force_confirmation: bool = False,
    referral_code: str = "",
    idempotency_key: str = "",
    calendar_uid: str = "",
    calendar_sequence: int = 0,
    static: tuple | None = None,
) -> Reservation:
    day = timezone.localdate(start)
    calendar_uid = calendar_uid or "%s@%s" % (
        secrets.token_hex(16),
        settings.SITE_URL.split("//")[-1],
    )
    roster = availability.load_roster(
        procedure=procedure,
        first_day=day,
        last_day=day,
        now=now,
        exclude_reservation_id=exclude_id,
        window=(start, start + procedure.duration),
        static=static,
    )
    candidates = availability.routing_candidates(roster, start)
    if not candidates:
        raise BookingError(
            "slot_taken", _("Sorry, that time has just been taken. Please choose another.")
        )
    needs_confirmation = channel == Channel.WEB and (
        procedure.requires_email_confirmation or force_confirmation
    )
    for staff_id, counter_id in candidates:
        reservation = Reservation(
            procedure=procedure,
            staff_id=staff_id,
            counter_id=counter_id,
            start_at=start,
            end_at=start + procedure.duration,
            status=ReservationStatus.PENDING if needs_confirmation else ReservationStatus.CONFIRMED,
            channel=channel,
            code=codes.new_booking_code(),
            manage_nonce=codes.new_manage_nonce(),
            citizen_name=names.normalize_name(citizen.name),
            citizen_kana=names.normalize_name(citizen.kana),
            email=citizen.email.strip(),
            phone=citizen.phone.strip(),
            email_key=email_key,
            phone_key=phone_key,
            language=get_language() or settings.LANGUAGE_CODE,
            hold_expires_at=now + dt.timedelta(minutes=HOLD_MINUTES)
            if needs_confirmation
            else None,
            booked_by=booked_by,
            referral_code=referral_code[:20],
            idempotency_key=idempotency_key,
            calendar_uid=calendar_uid,
            calendar_sequence=calendar_sequence,
            created_at=now,
        )
        if not _save_new(reservation, now=now, day=day):
            # The database saw this clerk taken at that time (a concurrent booking
            # committed first): try the next qualified clerk.
            logger.info("Clerk %s taken at %s, trying the next one", staff_id, start)
            continue
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
        ReservationEvent.objects.create(
            reservation=reservation, kind=ReservationEvent.Kind.BOOKED, at=now, actor=booked_by
        )
        availability.changed(staff_ids=[staff_id])
        return reservation
    raise BookingError(
        "slot_taken", _("Sorry, that time has just been taken. Please choose another.")
    )


def reservation_book(
    *,
    procedure: Procedure,
    start: dt.datetime,
    citizen: CitizenDetails,
    consented_rules: dict[int, int],
    channel: str = Channel.WEB,
    booked_by: StaffMember | None = None,
    now: dt.datetime | None = None,
    referral_code: str = "",
    idempotency_key: str = "",
    answers: dict[int, int] | None = None,
    rules_in_force: list[DocumentRule] | None = None,
) -> BookingResult:
    """Book ``procedure`` at ``start`` for ``citizen``, routed to a qualified free clerk.

    ``answers`` maps each of the procedure's questions onto the choice given (all must
    be answered); they decide which document rules apply (``requirements.py``) and are
    stored with the booking. ``consented_rules`` maps each document rule id the citizen
    agreed to onto the version they were shown; every rule in force that applies must
    be there at its current version (others are ignored). Raises
    BookingError (nothing written) when the time, the consents, the person's other
    bookings or the roster do not allow it. On success the confirmation e-mail is sent
    after commit (or the confirm-your-booking e-mail, where the procedure requires it).

    ``idempotency_key`` (the booking form's, one per form shown) makes a repeated request
    safe: when a booking was already made with it, that booking is returned (the client
    lost the first answer, or clicked twice) and nothing new is written.

    ``rules_in_force`` (``selectors.rules_in_force``, with their conditions prefetched)
    may be passed when the caller has just read them for its form: they are used when
    the transaction finds them unchanged (one query), else read again.
    """
    from reservations import emails

    now = now or timezone.now()
    if not procedure.is_active:
        raise BookingError("inactive", _("This procedure cannot be booked online."))
    email_key, phone_key = _validate_citizen(citizen)
    # Reads that need no lock stay outside the transaction (on SQLite it holds the write
    # lock of the whole database from its first statement).
    reason = _confirmation_reason(channel, email_key, phone_key, now)
    if reason and not email_key:
        raise BookingError("email_required", reason)
    if procedure.requires_email_confirmation and channel == Channel.WEB and not email_key:
        raise BookingError(
            "email_required",
            _("This procedure is confirmed by e-mail: please give an e-mail address."),
        )
    with transaction.atomic():
        _lock_person([k for k in (email_key, phone_key) if k])
        earlier, has_open = _earlier_bookings(
            idempotency_key,
            procedure=procedure,
            start=start,
            email_key=email_key,
            phone_key=phone_key,
            now=now,
        )
        if earlier is not None:
            return BookingResult(earlier, manage_token_for(earlier))
        # The day's shifts and closures (cached master data), read once for the time's
        # check and the routing.
        day = timezone.localdate(start)
        static = availability.static_roster(procedure, day, day)
        _check_timing(procedure, start, now, static)
        chosen = _check_answers(procedure, answers or {})
        rules = _check_consents(procedure, consented_rules, chosen, rules_in_force)
        if has_open:
            raise _already_booked()
        reservation = _insert(
            procedure=procedure,
            start=start,
            citizen=citizen,
            email_key=email_key,
            phone_key=phone_key,
            rules=rules,
            channel=channel,
            booked_by=booked_by,
            now=now,
            exclude_id=None,
            agreed_at=now,
            answers=[
                (question_id, choice.pk, choice.question.label_ja, choice.label_ja)
                for question_id, choice in chosen.items()
            ],
            force_confirmation=bool(reason),
            referral_code=referral_code,
            idempotency_key=idempotency_key,
            static=static,
        )
        # The e-mail is promised in this transaction (one INSERT), sent after commit.
        held = reservation.status == ReservationStatus.PENDING
        emails.booking_email_queue(
            reservation, "booking_hold" if held else "booking_confirmed", now=now
        )
    return BookingResult(reservation, manage_token_for(reservation), str(reason))


def manage_token_for(reservation: Reservation) -> str:
    return codes.manage_token(code=reservation.code, nonce=reservation.manage_nonce)


def reservation_confirm_email(*, reservation: Reservation, now: dt.datetime | None = None):
    """The citizen confirms a held booking from the e-mailed link (a POST from its page)."""
    from reservations import emails

    now = now or timezone.now()
    with transaction.atomic():
        reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
        if reservation.status == ReservationStatus.CONFIRMED:
            return reservation
        if reservation.status != ReservationStatus.PENDING or reservation.hold_expires_at <= now:
            if reservation.status == ReservationStatus.PENDING:
                _expire_lapsed_holds(now)
            raise BookingError(
                "hold_lapsed",
                _(
                    "This booking was not confirmed within 15 minutes and has been released. "
                    "Please book again."
                ),
            )
        reservation.status = ReservationStatus.CONFIRMED
        reservation.hold_expires_at = None
        reservation.save(update_fields=["status", "hold_expires_at"])
        ReservationEvent.objects.create(
            reservation=reservation, kind=ReservationEvent.Kind.CONFIRMED, at=now
        )
        emails.booking_email_queue(reservation, "booking_confirmed", now=now)
    return reservation


def _locked(reservation: Reservation) -> Reservation:
    """The booking re-read under a row lock (call inside a transaction)."""
    return (
        Reservation.objects.select_for_update().select_related("procedure").get(pk=reservation.pk)
    )


def _mark_cancelled(reservation: Reservation, *, now: dt.datetime) -> None:
    """Release the clerk's time; the slot is offered again after the re-release delay."""
    reservation.status = ReservationStatus.CANCELLED
    reservation.cancelled_at = now
    reservation.release_at = _release_at(reservation, now)
    reservation.save(update_fields=["status", "cancelled_at", "release_at"])
    availability.changed(staff_ids=[reservation.staff_id])


def _release_at(reservation: Reservation, now: dt.datetime) -> dt.datetime | None:
    delay = dt.timedelta(minutes=settings.BOOKING_RERELEASE_DELAY_MINUTES)
    if reservation.start_at <= now or not delay:
        return None
    return min(now + delay, reservation.start_at)


def reservation_cancel(
    *,
    reservation: Reservation,
    now: dt.datetime | None = None,
    by_staff: StaffMember | None = None,
) -> Reservation:
    """Cancel a booking. Citizens may do so until the procedure's cut-off; staff any time.

    The slot is offered again only after BOOKING_RERELEASE_DELAY_MINUTES (against people
    who cancel and rebook to pass slots on). A cancellation e-mail follows on commit.
    """
    from reservations import emails

    now = now or timezone.now()
    with transaction.atomic():
        reservation = _locked(reservation)
        if reservation.status in (ReservationStatus.CANCELLED, ReservationStatus.EXPIRED):
            return reservation
        if not reservation.is_open:
            raise BookingError("not_open", _("This booking can no longer be cancelled."))
        if by_staff is None and not reservation.can_change(now=now):
            raise BookingError(
                "cutoff",
                _("It is too late to cancel online. Please telephone the department shown below."),
            )
        _mark_cancelled(reservation, now=now)
        # The cancellation's calendar file (METHOD:CANCEL) must outrank the last REQUEST.
        reservation.calendar_sequence += 1
        reservation.save(update_fields=["calendar_sequence"])
        ReservationEvent.objects.create(
            reservation=reservation, kind=ReservationEvent.Kind.CANCELLED, at=now, actor=by_staff
        )
        emails.booking_email_queue(reservation, "booking_cancelled", now=now)
    return reservation


def reservation_reschedule(
    *,
    reservation: Reservation,
    new_start: dt.datetime,
    now: dt.datetime | None = None,
    consented_rules: dict[int, int] | None = None,
) -> BookingResult:
    """Move a booking to ``new_start``: a new booking (new code and link), the old one
    cancelled and pointing to it, in one transaction; nothing changes if the new time fails.

    The consents carry over while the rules are unchanged; where a rule changed since,
    ``consented_rules`` must agree to the current versions. The new booking keeps the
    old one's calendar UID with SEQUENCE + 1 (the citizen's calendar moves the event);
    the change e-mail (old and new time, the old code void) is queued on commit.
    """
    from reservations import emails

    now = now or timezone.now()
    with transaction.atomic():
        old = _locked(reservation)
        if not old.can_change(now=now):
            raise BookingError(
                "cutoff",
                _("It is too late to change this booking online. Please telephone the department."),
            )
        procedure = old.procedure
        carried_over = consented_rules is None
        if carried_over:
            consented_rules = {
                rule_id: version
                for rule_id, version in old.consents.values_list("rule_id", "rule_version")
                if rule_id
            }
        first_consent = old.consents.order_by("agreed_at").first()
        agreed_at = first_consent.agreed_at if carried_over and first_consent else now
        _check_timing(procedure, new_start, now)
        # The answers carry over as given; the rules that apply follow from them.
        old_answers = list(old.answers.all())
        chosen = requirements.chosen_from_ids(
            requirements.questions_of(procedure),
            {a.question_id: a.choice_id for a in old_answers if a.question_id and a.choice_id},
        )
        rules = _check_consents(procedure, consented_rules, chosen)
        _expire_lapsed_holds(now)
        citizen = CitizenDetails(old.citizen_name, old.citizen_kana, old.email, old.phone)
        _mark_cancelled(old, now=now)
        new = _insert(
            procedure=procedure,
            start=new_start,
            citizen=citizen,
            email_key=old.email_key,
            phone_key=old.phone_key,
            rules=rules,
            channel=old.channel,
            booked_by=old.booked_by,
            now=now,
            exclude_id=old.pk,
            agreed_at=agreed_at,
            answers=[
                (a.question_id, a.choice_id, a.question_text, a.choice_text) for a in old_answers
            ],
            referral_code=old.referral_code,
            calendar_uid=documents.calendar_uid(old),
            calendar_sequence=old.calendar_sequence + 1,
        )
        if new.status == ReservationStatus.PENDING:
            # The citizen already proved the address with the first booking.
            new.status = ReservationStatus.CONFIRMED
            new.hold_expires_at = None
            new.save(update_fields=["status", "hold_expires_at"])
        old.rescheduled_to = new
        old.save(update_fields=["rescheduled_to"])
        ReservationEvent.objects.create(
            reservation=old, kind=ReservationEvent.Kind.RESCHEDULED, at=now
        )
        emails.booking_email_queue(new, "booking_changed", now=now, params={"previous_id": old.pk})
    return BookingResult(new, manage_token_for(new))


def reservations_expire_holds(*, now: dt.datetime | None = None) -> int:
    """Release every hold not confirmed in time (idempotent; run by beat every minute)."""
    with transaction.atomic():
        return _expire_lapsed_holds(now or timezone.now())


def reservation_queue_reminder(*, reservation_id: int, now: dt.datetime) -> bool:
    """Promise tomorrow's reminder, once: the booking is marked reminded and the e-mail
    written to the outbox in one transaction. True only for the caller that did it (a
    rerun or a second beat finds it marked)."""
    from reservations import emails

    with transaction.atomic():
        claimed = Reservation.objects.filter(
            pk=reservation_id,
            reminder_sent_at__isnull=True,
            status=ReservationStatus.CONFIRMED,
        ).update(reminder_sent_at=now)
        if not claimed:
            return False
        reservation = Reservation.objects.only("pk", "email", "language").get(pk=reservation_id)
        ReservationEvent.objects.create(
            reservation_id=reservation_id, kind=ReservationEvent.Kind.REMINDED, at=now
        )
        emails.booking_email_queue(reservation, "booking_reminder", now=now)
    return True


def document_rule_save(*, rule: DocumentRule, wording_changed: bool | None = None) -> DocumentRule:
    """Save a rule; a change of wording makes a new version (past consents keep theirs).

    The model numbers the version from the stored wording (``wording_changed`` is
    accepted for callers that know it, and not needed). The booking pages' cache of
    the rules is refreshed on commit, in every process (the cache is shared).
    """
    with transaction.atomic():
        rule.full_clean(exclude=["version"])
        rule.save()
        availability.changed()  # the booking pages show the rules
    return rule


@dataclass(frozen=True)
class FindResult:
    """What the find page may do: ``matched`` for the log only (the page answers the same
    either way); ``show_token`` only for a phone-only booking found by code, phone and
    date, whose page the citizen may then see."""

    matched: int
    show_token: str = ""


def reservation_find_and_send_link(
    *,
    code: str,
    email_key: str,
    phone_key: str,
    day: dt.date | None,
    language: str,
    now: dt.datetime | None = None,
) -> FindResult:
    """A citizen lost the e-mail: send the manage link(s) of their open bookings again.

    With an e-mail address (and optionally a code) the links of the matching open
    bookings go to that address, which only its owner reads. With a phone number, the
    code and the booking's date must match too; a booking with an e-mail address then
    gets its link by e-mail, one without may be shown. Each match is recorded as an
    event; the e-mail is queued on commit. Nothing is said about what did not match.
    """

    now = now or timezone.now()
    open_bookings = Reservation.objects.filter(status__in=OPEN_STATUSES, end_at__gt=now)
    if email_key:
        found = open_bookings.filter(email_key=email_key)
        if code:
            found = found.filter(code=code)
    elif phone_key and code and day:
        found = [
            r
            for r in open_bookings.filter(phone_key=phone_key, code=code)
            if timezone.localdate(r.start_at) == day
        ]
    else:
        return FindResult(0)
    found = list(found)
    if not found:
        return FindResult(0)
    by_email = [r for r in found if r.email]
    shown = [r for r in found if not r.email]
    with transaction.atomic():
        ReservationEvent.objects.bulk_create(
            ReservationEvent(
                reservation=r,
                kind=ReservationEvent.Kind.LINK_SENT
                if r.email
                else ReservationEvent.Kind.LINK_SHOWN,
                at=now,
            )
            for r in found
        )
        from reservations import emails

        emails.links_email_queue(by_email, language=language, now=now)
    token = manage_token_for(shown[0]) if shown and phone_key else ""
    return FindResult(len(found), token)

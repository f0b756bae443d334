"""What a booking must satisfy before it is written: the error codes and message a
refusal carries, the citizen's details, the answers and consents (with the versions
shown), the time, and the person's earlier bookings (the form's request key, one open
booking per person). Nothing here writes."""

import datetime as dt
import enum
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reservations import codes, names, refusals, requirements, selectors
from reservations.models import (
    OPEN_STATUSES,
    Channel,
    DocumentRule,
    Procedure,
    Reservation,
)

# A booking held until it is confirmed from the e-mail cannot be moved before that.
NOT_CONFIRMED_YET = _(
    "This booking is not confirmed yet: confirm it with the link in the e-mail we sent "
    "first (or cancel it and book again)."
)


class BookingErrorCode(enum.StrEnum):
    """Why a booking, a change or a cancellation was refused (``BookingError.code``)."""

    INACTIVE = "inactive"
    EMAIL_REQUIRED = "email_required"
    SLOT_TAKEN = "slot_taken"
    ANSWERS_MISSING = "answers_missing"
    CONSENT_MISSING = "consent_missing"
    RULES_CHANGED = "rules_changed"
    BAD_EMAIL = "bad_email"
    NO_CONTACT = "no_contact"
    BAD_NAME = "bad_name"
    ALREADY_BOOKED = "already_booked"
    FORM_USED = "form_used"
    HOLD_LAPSED = "hold_lapsed"
    NOT_CONFIRMED = "not_confirmed"
    NOT_OPEN = "not_open"
    CUTOFF = "cutoff"
    # The time's refusals (``availability.refusal_for``).
    PAST = "past"
    TOO_LATE = "too_late"
    BEYOND_HORIZON = "beyond_horizon"
    CLOSED = "closed"
    NO_SERVICE = "no_service"
    OUTSIDE_HOURS = "outside_hours"
    OFF_GRID = "off_grid"


# Refusals of a time the calendar never offered, or no longer offers (the citizen goes
# back to the day's times with the reason).
TIME_REFUSALS = frozenset(
    {
        BookingErrorCode.PAST,
        BookingErrorCode.TOO_LATE,
        BookingErrorCode.BEYOND_HORIZON,
        BookingErrorCode.CLOSED,
        BookingErrorCode.NO_SERVICE,
        BookingErrorCode.OUTSIDE_HOURS,
        BookingErrorCode.OFF_GRID,
    }
)


class BookingError(Exception):
    """A booking request that cannot be fulfilled; ``message`` is shown to the citizen."""

    def __init__(self, code: str, message):
        super().__init__(str(message))
        self.code = BookingErrorCode(code)
        self.message = message


@dataclass(frozen=True)
class CitizenDetails:
    name: str
    kana: str = ""  # the reading, needed only for a name with kanji
    email: str = ""
    phone: str = ""


def slot_taken() -> BookingError:
    return BookingError(
        BookingErrorCode.SLOT_TAKEN,
        _("Sorry, that time has just been taken. Please choose another."),
    )


def check_answers(procedure: Procedure, answers: dict[int, int]) -> dict:
    """Question id → choice for the answers given; every question must be answered with
    one of its own answers (the rules to agree to depend on them)."""
    questions = requirements.questions_of(procedure)
    chosen = requirements.chosen_from_ids(questions, answers)
    if requirements.unanswered(questions, chosen):
        raise BookingError(
            BookingErrorCode.ANSWERS_MISSING,
            _("Please answer the questions about your application before booking."),
        )
    return chosen


def check_consents(
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
                BookingErrorCode.CONSENT_MISSING,
                _("Please agree to every required-document rule before booking."),
            )
        if consented[rule.pk] != rule.version:
            raise BookingError(
                BookingErrorCode.RULES_CHANGED,
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


def check_timing(
    procedure: Procedure, start: dt.datetime, now: dt.datetime, static: tuple | None = None
) -> None:
    """Refuse a time the calendar never offered, with the real reason (a closed day, the
    lunch hour, off the grid, too soon, too far ahead, past): not "just taken"."""
    refusal = refusals.refusal_for(procedure, start, now=now, static=static)
    if refusal is not None:
        raise BookingError(refusal.code, refusal.message)


def validate_citizen(citizen: CitizenDetails) -> tuple[str, str]:
    email_key = codes.normalize_email(citizen.email)
    phone_key = codes.normalize_phone(citizen.phone)
    if email_key:
        try:
            validate_email(email_key)
        except ValidationError as error:
            raise BookingError(
                BookingErrorCode.BAD_EMAIL, _("Please check the e-mail address.")
            ) from error
    if not (email_key or phone_key):
        raise BookingError(
            BookingErrorCode.NO_CONTACT, _("Please give an e-mail address or a phone number.")
        )
    problems = names.name_problems(
        names.normalize_name(citizen.name), names.normalize_name(citizen.kana)
    )
    if problems:
        raise BookingError(BookingErrorCode.BAD_NAME, problems.get("name") or problems["kana"])
    return email_key, phone_key


def already_booked() -> BookingError:
    return BookingError(
        BookingErrorCode.ALREADY_BOOKED,
        _(
            "You already have a booking for this procedure. Use the link in its e-mail "
            "to change it, or cancel it before booking again."
        ),
    )


def earlier_bookings(
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
                raise form_used()
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


def form_used() -> BookingError:
    return BookingError(
        BookingErrorCode.FORM_USED,
        _("This form has already been used for a booking. Please start again from the calendar."),
    )


def confirmation_reason(channel: str, email_key: str, phone_key: str, now) -> str:
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

"""The reservations app's models, by topic: procedures (master data), places (counters,
shifts, closed days), bookings and visits (the counter). Every model is importable from
``reservations.models`` as before."""

from reservations.models.bookings import (
    OPEN_STATUSES,
    RELEASED_STATUSES,
    BookingAnswer,
    Channel,
    ConsentRecord,
    Reservation,
    ReservationEvent,
    ReservationQuerySet,
    ReservationStatus,
    TimedEvent,
)
from reservations.models.places import (
    ClosedDay,
    Counter,
    Shift,
)
from reservations.models.procedures import (
    HOLD_MINUTES,
    MAX_QUESTIONS_PER_PROCEDURE,
    DocumentRule,
    Procedure,
    ProcedureQuestion,
    QuestionChoice,
    rule_text_columns,
)
from reservations.models.visits import (
    SCORE_VALIDATORS,
    VISIT_TRANSITIONS,
    KioskDevice,
    SurveyAnswer,
    Visit,
    VisitEvent,
    VisitKind,
    VisitStatus,
)

__all__ = [
    "HOLD_MINUTES",
    "MAX_QUESTIONS_PER_PROCEDURE",
    "OPEN_STATUSES",
    "RELEASED_STATUSES",
    "SCORE_VALIDATORS",
    "VISIT_TRANSITIONS",
    "BookingAnswer",
    "Channel",
    "ClosedDay",
    "ConsentRecord",
    "Counter",
    "DocumentRule",
    "KioskDevice",
    "Procedure",
    "ProcedureQuestion",
    "QuestionChoice",
    "Reservation",
    "ReservationEvent",
    "ReservationQuerySet",
    "ReservationStatus",
    "Shift",
    "SurveyAnswer",
    "TimedEvent",
    "Visit",
    "VisitEvent",
    "VisitKind",
    "VisitStatus",
    "rule_text_columns",
]

"""Every write of the reservations app, one function per use case.

``booking``: book, confirm, cancel, reschedule, holds (what a booking must satisfy in
``booking_rules``, how it is written in ``booking_store``).
``reminders``: tomorrow's reminder e-mails. ``document_rules``: the rules' master data.
``find``: re-sending a lost booking link.
``checkin``: check-in and walk-in tickets. ``counter``: the day at the counter: calling, serving,
no-shows, transfers.
``survey``: the satisfaction survey after a visit.
"""

from reservations.codes import manage_token_for
from reservations.models import HOLD_MINUTES
from reservations.services.booking import (
    BookingResult,
    reservation_book,
    reservation_cancel,
    reservation_confirm_email,
    reservation_reschedule,
    reservations_expire_holds,
)
from reservations.services.booking_rules import (
    TIME_REFUSALS,
    BookingError,
    BookingErrorCode,
    CitizenDetails,
)
from reservations.services.counter import (
    CheckInResult,
    CounterError,
    WalkInRefused,
    current_counter,
    may_act_on,
    may_see,
    visit_act,
    visit_call_next,
    visit_check_in,
    visit_check_in_by_code,
    visit_issue_walk_in,
    visit_transfer,
    visits_mark_no_shows,
)
from reservations.services.document_rules import document_rule_save
from reservations.services.find import FindResult, reservation_find_and_send_link
from reservations.services.kiosk import (
    kiosk_device_enrol,
    kiosk_device_seen,
    kiosk_devices_revoke,
    kiosk_token_hash,
)
from reservations.services.reminders import reservation_queue_reminder
from reservations.services.survey import SurveyClosed, survey_answer_submit, survey_state

__all__ = [
    "HOLD_MINUTES",
    "TIME_REFUSALS",
    "BookingError",
    "BookingErrorCode",
    "BookingResult",
    "CheckInResult",
    "CitizenDetails",
    "CounterError",
    "FindResult",
    "SurveyClosed",
    "WalkInRefused",
    "current_counter",
    "document_rule_save",
    "kiosk_device_enrol",
    "kiosk_device_seen",
    "kiosk_devices_revoke",
    "kiosk_token_hash",
    "manage_token_for",
    "may_act_on",
    "may_see",
    "reservation_book",
    "reservation_cancel",
    "reservation_confirm_email",
    "reservation_find_and_send_link",
    "reservation_queue_reminder",
    "reservation_reschedule",
    "reservations_expire_holds",
    "survey_answer_submit",
    "survey_state",
    "visit_act",
    "visit_call_next",
    "visit_check_in",
    "visit_check_in_by_code",
    "visit_issue_walk_in",
    "visit_transfer",
    "visits_mark_no_shows",
]

"""Citizen booking pages (no account) and staff telephone booking; the pages of a
booking made (its manage link, cancel, change, find) are in ``views/manage.py``.

Every page is form → service → render. Day and time choices are plain links that htmx
enhances in place; bad or stale input gets a message or a 4xx, never a 500.
"""

import datetime as dt
import hashlib
import time
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from organization.http import NotFound, client_ip
from organization.permissions import staff_required
from reservations import (
    codes,
    ratelimit,
    refusals,
    requirements,
    selectors,
    services,
)
from reservations.availability import DayStatus
from reservations.forms import (
    AnswersForm,
    CitizenDetailsForm,
    DateJumpForm,
)
from reservations.models import Channel, Procedure, ReservationStatus
from reservations.ratelimit import rate_limited
from reservations.services import BookingErrorCode
from reservations.views.kiosk_guard import not_on_kiosk


def _flow(staff_mode: bool) -> dict:
    """URL names of the booking steps: the citizen's, or the staff's telephone booking."""
    prefix = "reservations:staff_" if staff_mode else "reservations:"
    return {
        "staff_mode": staff_mode,
        "procedures_url": prefix + "procedures",
        "calendar_url": prefix + "calendar",
        "day_url": prefix + "day",
        "details_url": prefix + "details",
    }


REFERRAL_KEY = "booking_referral"


def _referral(request, procedure: Procedure, staff_mode: bool) -> str:
    referral = request.session.get(REFERRAL_KEY) or {}
    if staff_mode or referral.get("procedure") != procedure.code:
        return ""
    return referral.get("code", "")


def procedure_or_404(code: str) -> Procedure:
    try:
        return selectors.procedure_for_booking(code)
    except Procedure.DoesNotExist as error:
        raise _no_such_procedure() from error


def _no_such_procedure() -> Http404:
    return NotFound(_("There is no such procedure to book."))


def month_from(request, today: dt.date) -> dt.date:
    """The month asked for in ``?month=YYYY-MM``; this month for anything else, or for a
    month more than ten years off (nothing is bookable there, and year 1 has no month
    before it for the calendar's "previous" link)."""
    raw = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-"))
        if abs(year - today.year) <= 10:
            return dt.date(year, month, 1)
    except (ValueError, TypeError, OverflowError):
        pass
    return today.replace(day=1)


@dataclass(frozen=True)
class CalendarCell:
    """A day of the month grid with where choosing it leads."""

    day: dt.date
    status: str
    free_slots: int
    reason: str
    href: str
    hx: bool


def linked_weeks(month, href_for, *, hx: bool):
    return [
        [
            None
            if summary is None
            else CalendarCell(
                summary.day,
                summary.status,
                summary.free_slots,
                summary.reason,
                href_for(summary.day) if summary.status == DayStatus.OPEN else "",
                hx,
            )
            for summary in week
        ]
        for week in month.weeks
    ]


def _staff_or_citizen(view):
    """Run ``view`` for citizens, or behind staff login when the URL is the staff's."""
    staff_view = staff_required(view)

    def dispatch(request, *args, staff_mode=False, **kwargs):
        if staff_mode:
            return staff_view(request, *args, staff_mode=True, **kwargs)
        return view(request, *args, staff_mode=False, **kwargs)

    return dispatch


@require_GET
@not_on_kiosk
@rate_limited("availability")
@_staff_or_citizen
def procedure_list(request, *, staff_mode):
    return render(
        request,
        "reservations/procedure_list.html",
        {"procedures": selectors.procedure_list_public(), **_flow(staff_mode)},
    )


@require_GET
@not_on_kiosk
@rate_limited("availability")
@_staff_or_citizen
def procedure_calendar(request, code, *, staff_mode):
    procedure = procedure_or_404(code)
    now = timezone.now()
    flow = _flow(staff_mode)
    if request.GET.get("letter") and not staff_mode:
        # Came from a renewal letter's QR code: the booking will say so.
        request.session[REFERRAL_KEY] = {
            "procedure": procedure.code,
            "code": request.GET["letter"][:20],
        }
    jump = DateJumpForm(request.GET or None)
    if "date" in request.GET and jump.is_valid() and jump.cleaned_data["date"]:
        return redirect(flow["day_url"], code=code, day=jump.cleaned_data["date"])
    month = selectors.calendar_month(
        procedure=procedure, month=month_from(request, timezone.localdate(now)), now=now
    )
    month = replace(
        month,
        weeks=linked_weeks(month, lambda day: reverse(flow["day_url"], args=[code, day]), hx=True),
    )
    return render(
        request,
        "reservations/calendar.html",
        {
            "procedure": procedure,
            "month": month,
            "jump_form": jump,
            "grid_flow": "staff" if staff_mode else "citizen",
            **flow,
        },
    )


@require_GET
@not_on_kiosk
@rate_limited("availability")
@_staff_or_citizen
def procedure_day(request, code, day, *, staff_mode):
    try:
        procedure, view = selectors.procedure_and_day(code=code, day=day, now=timezone.now())
    except Procedure.DoesNotExist:
        raise _no_such_procedure() from None
    context = {"procedure": procedure, "day_view": view, **_flow(staff_mode)}
    if request.htmx:
        return render(request, "reservations/_times.html", context)
    return render(request, "reservations/day.html", context)


def start_from(day: dt.date, hhmm: str) -> dt.datetime:
    try:
        time = dt.time(int(hhmm[:2]), int(hhmm[2:]))
    except ValueError as error:
        raise NotFound(_("There is no such time.")) from error
    return timezone.make_aware(dt.datetime.combine(day, time))


DRAFT_KEY = "booking_draft"


def _booking_limit_hits(request, form, staff_mode: bool) -> list[tuple[str, str]]:
    """What a valid booking request counts against: its address (a high limit: carriers
    and the city hall's Wi-Fi share addresses) and its e-mail and phone (low). Staff
    booking for callers is not limited."""
    if staff_mode:
        return []
    hits = [("book", client_ip(request))]
    for key in (
        codes.normalize_email(form.cleaned_data["email"]),
        codes.normalize_phone(form.cleaned_data["phone"]),
    ):
        if key:
            hits.append(("book_contact", key))
    return hits


def _booking_limits_refuse(request, hits: list[tuple[str, str]]):
    """The 429 answer when this valid booking request is over a limit, else None (and
    counted). Only a form that could book counts (a form error costs nothing); what was
    typed is kept in the session for the way back."""
    refused = ratelimit.hit_all(hits) if hits else None
    if refused is None:
        return None
    request.session[DRAFT_KEY] = {
        "path": request.path,
        "data": {
            name: values for name, values in request.POST.lists() if name != "csrfmiddlewaretoken"
        },
    }
    # Back to the same page with its answers to the questions (in the query string).
    return ratelimit.too_many(request, refused, back_url=request.get_full_path(), form_kept=True)


def _draft(request):
    """What was typed before a 429 on this page, once (None when there is none)."""
    draft = request.session.get(DRAFT_KEY)
    if not draft or draft.get("path") != request.path:
        return None
    del request.session[DRAFT_KEY]
    data = QueryDict(mutable=True)
    for name, values in draft["data"].items():
        data.setlist(name, values)
    return data


@require_http_methods(["GET", "POST"])
@never_cache
@not_on_kiosk
@rate_limited("availability", methods=("GET",))
@_staff_or_citizen
def booking_details(request, code, day, hhmm, *, staff_mode):
    procedure = procedure_or_404(code)
    start = start_from(day, hhmm)
    flow = _flow(staff_mode)
    if request.method == "GET":
        # A time reached by URL that the calendar never offered: the real reason, and
        # no form (the POST is refused the same way by the service).
        refusal = refusals.refusal_for(procedure, start, now=timezone.now())
        if refusal is not None:
            messages.error(request, refusal.message)
            return redirect(flow["day_url"], code=code, day=day)
    # The questions before the documents (if the procedure asks any) come first, on
    # their own step (a GET form: answers are no personal data, and going back keeps
    # them); the details form carries them as hidden fields and they are checked again.
    # The questions and rules come from the cached procedure (refreshed on every change
    # of them): the form decides nothing. The booking service checks the answers and
    # consents against the database in its transaction; a form that showed an older
    # wording is refused there and shown again with the wording in force (below).
    questions = [question for question in procedure.all_questions if question.choices.all()]
    rules_in_force = procedure.rules_in_force
    answers_form = AnswersForm(
        request.POST if request.method == "POST" else request.GET, questions=questions
    )
    if questions and ("change" in request.GET or not answers_form.is_valid()):
        return _questions_page(request, procedure, start, questions, answers_form, flow)
    chosen = answers_form.chosen() if questions else {}
    email_required = procedure.requires_email_confirmation and not staff_mode
    # Only the rules that apply for the answers are shown, and required.
    data = request.POST if request.method == "POST" else _draft(request)
    form = CitizenDetailsForm(
        data,
        rules=requirements.applicable_rules(rules_in_force, chosen),
        email_required=email_required,
    )
    lost_link = False  # "you already have a booking": offer to find its link
    if request.method == "POST" and form.is_valid():
        hits = _booking_limit_hits(request, form, staff_mode)
        refused = _booking_limits_refuse(request, hits)
        if refused is not None:
            return refused
        try:
            # A booking that failed because the database was restarting is not counted.
            with ratelimit.counted(hits):
                result = _book(request, procedure, start, form, chosen, rules_in_force, staff_mode)
        except services.BookingError as error:
            if error.code == BookingErrorCode.SLOT_TAKEN or error.code in services.TIME_REFUSALS:
                messages.error(request, error.message)
                return redirect(flow["day_url"], code=code, day=day)
            form = _refused_form(request, form, error, procedure, chosen)
            lost_link = error.code == BookingErrorCode.ALREADY_BOOKED
        else:
            return _booked(request, result)
    return _details_page(request, procedure, start, form, chosen, lost_link, flow)


def _questions_page(request, procedure, start, questions, answers_form, flow):
    """The step of the questions asked before the documents (unanswered, or to change)."""
    if request.method == "GET" and "answered" not in request.GET:
        answers_form = AnswersForm(initial=request.GET.dict(), questions=questions)
    return render(
        request,
        "reservations/questions.html",
        {"procedure": procedure, "start": start, "form": answers_form, **flow},
    )


def _book(request, procedure, start, form, chosen, rules_in_force, staff_mode):
    """The booking service's answer to a valid details form (BookingError if refused)."""
    return services.reservation_book(
        procedure=procedure,
        start=start,
        citizen=services.CitizenDetails(
            name=form.cleaned_data["name"],
            kana=form.cleaned_data["kana"],
            email=form.cleaned_data["email"],
            phone=form.cleaned_data["phone"],
        ),
        consented_rules=form.consented_rules(),
        answers=requirements.as_ids(chosen),
        # As read for the form (the service checks they are still in force).
        rules_in_force=rules_in_force,
        channel=Channel.PHONE if staff_mode else Channel.WEB,
        booked_by=getattr(request, "staff_member", None) if staff_mode else None,
        referral_code=_referral(request, procedure, staff_mode),
        idempotency_key=form.cleaned_data["idempotency_key"],
    )


def _refused_form(request, form, error, procedure, chosen):
    """The details form again, with the refusal's message."""
    if error.code in {BookingErrorCode.RULES_CHANGED, BookingErrorCode.CONSENT_MISSING}:
        # A rule changed between the form's check and the booking: show the wording now
        # in force, to be agreed to again.
        rules = requirements.applicable_rules(selectors.rules_in_force(procedure), chosen)
        form = CitizenDetailsForm(request.POST, rules=rules, email_required=form.email_required)
        form.is_valid()
    if not form.errors:
        form.add_error(None, error.message)
    return form


def _booked(request, result):
    """To the new booking's page, with what it says once."""
    request.session.pop(REFERRAL_KEY, None)
    if result.reservation.status == ReservationStatus.PENDING:
        # The page itself says "confirm from the e-mail we sent to …" (once).
        if result.confirmation_reason:
            messages.info(request, result.confirmation_reason)
    else:
        messages.success(request, _("Your booking is confirmed."))
    return redirect("reservations:manage", token=result.token)


def _details_page(request, procedure, start, form, chosen, lost_link, flow):
    return render(
        request,
        "reservations/details.html",
        {
            "procedure": procedure,
            "start": start,
            # Booking closes lead_time_minutes before the start, changes
            # change_cutoff_minutes before it: say so before a time in between is booked.
            "soon_for_changes": timezone.now() >= procedure.change_deadline(start),
            "form": form,
            "fields_html": None if form.is_bound else _unbound_fields_html(form),
            "lost_link": lost_link,
            "answers": list(chosen.values()),
            "answer_fields": requirements.as_query(chosen),
            "answer_query": urlencode(requirements.as_query(chosen)),
            **flow,
        },
    )


# How long the markup of an empty details form's fields is kept. The key carries the
# moment this process started, so a deployment (new templates or catalogues, new
# processes) never serves the markup the old code rendered; each process fills its own.
FIELDS_CACHE_SECONDS = 300
_PROCESS_STARTED = "%x" % time.time_ns()


def _unbound_fields_html(form: CitizenDetailsForm) -> dict:
    """The markup of an empty details form's fields (name … phone, and the rules to
    tick), from the shared cache: the same for every citizen in one language, rule
    versions and e-mail requirement, and about half the page's rendering time."""
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

    shape = "%s:%s:%d:%s" % (
        _PROCESS_STARTED,
        get_language(),
        form.email_required,
        ",".join("%d.%d" % (rule.pk, rule.version) for rule in form.rules),
    )
    key = "booking:fields:v1:" + hashlib.sha256(shape.encode()).hexdigest()[:32]
    html = cache.get(key)
    if html is None:
        html = {
            "details": "".join(as_crispy_field(field) for field in form.detail_fields()),
            "consents": "".join(as_crispy_field(field) for field in form.consent_fields()),
        }
        cache.set(key, html, FIELDS_CACHE_SECONDS)
    # Markup crispy rendered (and escaped) above, from this process or another.
    return {part: mark_safe(markup) for part, markup in html.items()}

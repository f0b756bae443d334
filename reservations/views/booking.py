"""Citizen booking pages (no account), the manage link, and staff telephone booking.

Every page is form → service → render. Day and time choices are plain links that htmx
enhances in place; bad or stale input gets a message or a 4xx, never a 500.
"""

import datetime as dt
import hashlib
import logging
import time
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from config.documents import qr_svg
from organization.http import client_ip
from organization.permissions import staff_required
from organization.selectors import staff_member_for_user
from organization.services import access_log_read
from reservations import (
    availability,
    codes,
    documents,
    ratelimit,
    requirements,
    selectors,
    services,
)
from reservations.availability import DayStatus
from reservations.contact import city_contact
from reservations.forms import (
    AnswersForm,
    CitizenDetailsForm,
    DateJumpForm,
    FindBookingForm,
    RulesAgreementForm,
)
from reservations.models import Channel, Procedure, ReservationStatus
from reservations.ratelimit import rate_limited
from reservations.views.kiosk_guard import not_on_kiosk

find_logger = logging.getLogger("reservations.find")


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


def _procedure_or_404(code: str) -> Procedure:
    try:
        return selectors.procedure_for_booking(code)
    except Procedure.DoesNotExist as error:
        raise Http404(_("There is no such procedure to book.")) from error


def _month_from(request, today: dt.date) -> dt.date:
    raw = request.GET.get("month", "")
    try:
        year, month = (int(part) for part in raw.split("-"))
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
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


def _linked_weeks(month, href_for, *, hx: bool):
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
    procedure = _procedure_or_404(code)
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
        procedure=procedure, month=_month_from(request, timezone.localdate(now)), now=now
    )
    month = replace(
        month,
        weeks=_linked_weeks(month, lambda day: reverse(flow["day_url"], args=[code, day]), hx=True),
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
    procedure = _procedure_or_404(code)
    view = selectors.day_times(procedure=procedure, day=day, now=timezone.now())
    context = {"procedure": procedure, "day_view": view, **_flow(staff_mode)}
    if request.htmx:
        return render(request, "reservations/_times.html", context)
    return render(request, "reservations/day.html", context)


def _start_from(day: dt.date, hhmm: str) -> dt.datetime:
    try:
        time = dt.time(int(hhmm[:2]), int(hhmm[2:]))
    except ValueError as error:
        raise Http404(_("There is no such time.")) from error
    return timezone.make_aware(dt.datetime.combine(day, time))


DRAFT_KEY = "booking_draft"


def _booking_limits_refuse(request, form, staff_mode: bool):
    """The 429 answer when this valid booking request is over a limit, else None.

    Only a form that could book counts (a form error costs nothing): per address (high:
    carriers and the city hall's Wi-Fi share addresses) and per e-mail and phone (low).
    What was typed is kept in the session for the way back. Staff booking for callers
    is not limited.
    """
    if staff_mode:
        return None
    hits = [("book", client_ip(request))]
    for key in (
        codes.normalize_email(form.cleaned_data["email"]),
        codes.normalize_phone(form.cleaned_data["phone"]),
    ):
        if key:
            hits.append(("book_contact", key))
    refused = ratelimit.hit_all(hits)
    if refused is None:
        return None
    request.session[DRAFT_KEY] = {
        "path": request.path,
        "data": {
            name: values for name, values in request.POST.lists() if name != "csrfmiddlewaretoken"
        },
    }
    return ratelimit.too_many(request, refused, back_url=request.path, form_kept=True)


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
    procedure = _procedure_or_404(code)
    start = _start_from(day, hhmm)
    flow = _flow(staff_mode)
    if request.method == "GET":
        # A time reached by URL that the calendar never offered: the real reason, and
        # no form (the POST is refused the same way by the service).
        refusal = availability.refusal_for(procedure, start, now=timezone.now())
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
        if request.method == "GET" and "answered" not in request.GET:
            answers_form = AnswersForm(initial=request.GET.dict(), questions=questions)
        return render(
            request,
            "reservations/questions.html",
            {"procedure": procedure, "start": start, "form": answers_form, **flow},
        )
    chosen = answers_form.chosen() if questions else {}

    def applicable_rules():
        return requirements.applicable_rules(rules_in_force, chosen)

    email_required = procedure.requires_email_confirmation and not staff_mode
    # Only the rules that apply for the answers are shown, and required.
    data = request.POST if request.method == "POST" else _draft(request)
    form = CitizenDetailsForm(data, rules=applicable_rules(), email_required=email_required)
    lost_link = False  # "you already have a booking": offer to find its link
    if request.method == "POST" and form.is_valid():
        refused = _booking_limits_refuse(request, form, staff_mode)
        if refused is not None:
            return refused
        try:
            result = services.reservation_book(
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
        except services.BookingError as error:
            if error.code == "slot_taken" or error.code in services.TIME_REFUSALS:
                messages.error(request, error.message)
                return redirect(flow["day_url"], code=code, day=day)
            if error.code in {"rules_changed", "consent_missing"}:
                # A rule changed between the form's check and the booking: show the
                # wording now in force, to be agreed to again.
                rules_in_force = selectors.rules_in_force(procedure)
                form = CitizenDetailsForm(
                    request.POST, rules=applicable_rules(), email_required=email_required
                )
                form.is_valid()
            if not form.errors:
                form.add_error(None, error.message)
            lost_link = error.code == "already_booked"
        else:
            reservation = result.reservation
            request.session.pop(REFERRAL_KEY, None)
            if reservation.status == ReservationStatus.PENDING:
                # The page itself says "confirm from the e-mail we sent to …" (once).
                if result.confirmation_reason:
                    messages.info(request, result.confirmation_reason)
            else:
                messages.success(request, _("Your booking is confirmed."))
            return redirect("reservations:manage", token=result.token)
    return render(
        request,
        "reservations/details.html",
        {
            "procedure": procedure,
            "start": start,
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


@require_http_methods(["GET", "POST"])
@never_cache
@not_on_kiosk
@rate_limited("manage", methods=("GET",))
def find(request):
    """Find my booking / send my link again. The answer is the same whether anything
    matched or not (no way to learn whose bookings exist); a phone-only booking found
    by code, phone and date is shown. Valid requests are limited per address and per
    contact, and every one is logged (the contact only as a hash)."""
    form = FindBookingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        contact = form.cleaned_data["email_key"] or form.cleaned_data["phone_key"]
        refused = ratelimit.hit_all([("find", client_ip(request)), ("find_contact", contact)])
        if refused is not None:
            find_logger.warning(
                "Find my booking refused (%s) from %s for contact %s",
                refused,
                client_ip(request),
                _contact_hash(contact),
            )
            return ratelimit.too_many(request, refused, back_url=reverse("reservations:find"))
        result = services.reservation_find_and_send_link(
            code=form.cleaned_data["code"],
            email_key=form.cleaned_data["email_key"],
            phone_key=form.cleaned_data["phone_key"],
            day=form.cleaned_data["day"],
            language=get_language() or settings.LANGUAGE_CODE,
        )
        find_logger.info(
            "Find my booking from %s for contact %s (code given: %s): %d matched%s",
            client_ip(request),
            _contact_hash(contact),
            bool(form.cleaned_data["code"]),
            result.matched,
            ", shown" if result.show_token else "",
        )
        if result.show_token:
            return redirect("reservations:manage", token=result.show_token)
        return redirect(reverse("reservations:find") + "?sent=1")
    return render(
        request,
        "reservations/find.html",
        {"form": form, "sent": request.GET.get("sent") == "1", "contact": city_contact()},
    )


def _contact_hash(contact: str) -> str:
    return hashlib.sha256(contact.encode()).hexdigest()[:12]


def _reservation_or_404(token: str):
    reservation = selectors.reservation_by_token(token)
    if reservation is None:
        raise Http404(_("This booking link is not valid. Check that you copied all of it."))
    return reservation


@require_GET
@never_cache
@not_on_kiosk
@rate_limited("manage")
def manage(request, token):
    reservation = _reservation_or_404(token)
    if staff_member_for_user(request.user) is not None:
        # Staff open it after a telephone booking, or from the caller's link.
        access_log_read(request, objects=[reservation])
    now = timezone.now()
    return render(
        request,
        "reservations/manage.html",
        {
            "reservation": reservation,
            "token": token,
            "documents": selectors.documents_to_bring(reservation),
            "qr_svg": qr_svg(reservation.code),
            "can_change": reservation.can_change(now=now),
            "is_upcoming": reservation.is_open and reservation.end_at > now,
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@not_on_kiosk
@rate_limited("manage")
def cancel(request, token):
    """GET asks "are you sure?" (and changes nothing); the POST from that page cancels."""
    reservation = _reservation_or_404(token)
    if request.method == "GET":
        if not reservation.can_change(now=timezone.now()):
            return redirect("reservations:manage", token=token)
        return render(
            request, "reservations/cancel.html", {"reservation": reservation, "token": token}
        )
    try:
        services.reservation_cancel(reservation=reservation)
    except services.BookingError as error:
        messages.error(request, error.message)
    # The booking's page says it is cancelled (once), and offers to book again.
    return redirect("reservations:manage", token=token)


@require_http_methods(["GET", "POST"])
@never_cache
@not_on_kiosk
@rate_limited("manage")
def confirm(request, token):
    reservation = _reservation_or_404(token)
    if request.method == "POST":
        try:
            services.reservation_confirm_email(reservation=reservation)
        except services.BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Thank you: your booking is confirmed."))
        return redirect("reservations:manage", token=token)
    return render(
        request, "reservations/confirm.html", {"reservation": reservation, "token": token}
    )


def _changeable_or_redirect(request, token):
    """The booking and its procedure, or a redirect to its page when it cannot change."""
    reservation = _reservation_or_404(token)
    procedure = _procedure_or_404(reservation.procedure.code)
    if not reservation.can_change(now=timezone.now()):
        messages.error(request, _("This booking can no longer be changed online."))
        return reservation, procedure, redirect("reservations:manage", token=token)
    return reservation, procedure, None


def _changed_rules(reservation, procedure) -> tuple[dict[int, int], list]:
    """The versions the citizen agreed to, and the rules in force that apply for the
    booking's answers and whose wording changed since (or that are new): those must be
    read and agreed to again."""
    agreed = {
        consent.rule_id: consent.rule_version
        for consent in reservation.consents.all()
        if consent.rule_id
    }
    chosen = requirements.chosen_from_ids(
        requirements.questions_of(procedure),
        {a.question_id: a.choice_id for a in reservation.answers.all() if a.choice_id},
    )
    rules = requirements.applicable_rules(procedure.rules_in_force, chosen)
    changed = [rule for rule in rules if agreed.get(rule.pk) != rule.version]
    return agreed, changed


@require_http_methods(["GET", "POST"])
@never_cache
@not_on_kiosk
@rate_limited("manage")
def reschedule(request, token):
    """Step 1 of a change: choose a new day and time (the calendar opens at the booking's
    month). Choosing a time leads to the confirmation step; nothing changes here."""
    reservation, procedure, refused = _changeable_or_redirect(request, token)
    if refused:
        return refused
    now = timezone.now()
    if request.method == "POST":
        # An older page posted the chosen time here: it is confirmed on the next step.
        try:
            day = dt.date.fromisoformat(request.POST.get("day", ""))
            start = _start_from(day, request.POST.get("time", ""))
        except (ValueError, Http404):
            messages.error(request, _("Please choose a time from the list."))
            return redirect("reservations:reschedule", token=token)
        return redirect(
            "reservations:reschedule_confirm", token=token, day=day, hhmm=start.strftime("%H%M")
        )

    jump = DateJumpForm(request.GET or None)
    day_view = None
    if "date" in request.GET and jump.is_valid() and jump.cleaned_data["date"]:
        day_view = selectors.day_times(procedure=procedure, day=jump.cleaned_data["date"], now=now)
    booked_month = timezone.localdate(reservation.start_at).replace(day=1)
    month = selectors.calendar_month(
        procedure=procedure, month=_month_from(request, booked_month), now=now
    )
    month = replace(
        month,
        weeks=_linked_weeks(
            month,
            lambda day: "?month=%s&date=%s#times" % (day.strftime("%Y-%m"), day.isoformat()),
            hx=False,
        ),
    )
    _agreed, changed_rules = _changed_rules(reservation, procedure)
    return render(
        request,
        "reservations/reschedule.html",
        {
            "reservation": reservation,
            "procedure": procedure,
            "token": token,
            "month": month,
            "jump_form": jump,
            "day_view": day_view,
            "grid_flow": "reschedule",
            "changed_rules": changed_rules,
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@not_on_kiosk
@rate_limited("manage")
def reschedule_confirm(request, token, day, hhmm):
    """Step 2: "from → to", agreement to any rule whose wording changed, then the POST
    that moves the booking."""
    reservation, procedure, refused = _changeable_or_redirect(request, token)
    if refused:
        return refused
    start = _start_from(day, hhmm)
    back = reverse("reservations:reschedule", args=[token]) + "?month=%s&date=%s#times" % (
        day.strftime("%Y-%m"),
        day.isoformat(),
    )
    refusal = availability.refusal_for(procedure, start, now=timezone.now())
    if refusal is not None:
        messages.error(request, refusal.message)
        return redirect(back)
    if start == reservation.start_at:
        messages.info(request, _("That is the time you have already booked."))
        return redirect(back)
    agreed, changed_rules = _changed_rules(reservation, procedure)
    form = RulesAgreementForm(
        request.POST if request.method == "POST" else None, rules=changed_rules
    )
    if request.method == "POST" and form.is_valid():
        consented = {**agreed, **form.consented_rules()} if changed_rules else None
        try:
            result = services.reservation_reschedule(
                reservation=reservation, new_start=start, consented_rules=consented
            )
        except services.BookingError as error:
            if error.code == "slot_taken" or error.code in services.TIME_REFUSALS:
                messages.error(request, error.message)
                return redirect(back)
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Your booking has been moved. It has a new code and link, which we also "
                    "e-mailed; the old code no longer works."
                ),
            )
            return redirect("reservations:manage", token=result.token)
    return render(
        request,
        "reservations/reschedule_confirm.html",
        {
            "reservation": reservation,
            "procedure": procedure,
            "token": token,
            "new_start": start,
            "new_end": start + procedure.duration,
            "form": form,
            "back_url": back,
        },
    )


@require_GET
@not_on_kiosk
@rate_limited("manage")
def ics(request, token):
    reservation = _reservation_or_404(token)
    if reservation.status == ReservationStatus.CANCELLED and not reservation.rescheduled_to_id:
        # Removes the event from the citizen's calendar (same UID, higher SEQUENCE).
        method = "CANCEL"
    elif reservation.status == ReservationStatus.CONFIRMED:
        method = "REQUEST"
    else:
        raise Http404(_("This booking is no longer active."))
    # In the language of the page it is downloaded from (whoever clicks reads that one);
    # the file attached to the e-mails is in the booking's language.
    body = documents.reservation_ics(
        reservation, documents=selectors.documents_to_bring(reservation), method=method
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="madoguchi-%s.ics"' % reservation.code
    return response

"""The pages of a booking made, reached by its manage link (no account): the booking,
cancel, confirm the hold, change the time (two steps), the calendar file; and "find my
booking", which sends the link again.

Every page is form → service → render; bad or stale input gets a message or a 4xx,
never a 500.
"""

import datetime as dt
import hashlib
import logging
from dataclasses import replace

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from config.documents import qr_svg
from organization.http import NotFound, client_ip
from organization.selectors import staff_member_for_user
from organization.services import access_log_read
from reservations import (
    codes,
    documents,
    ratelimit,
    refusals,
    requirements,
    selectors,
    services,
)
from reservations.contact import city_contact
from reservations.forms import DateJumpForm, FindBookingForm, RulesAgreementForm
from reservations.models import ReservationStatus
from reservations.ratelimit import rate_limited
from reservations.services import BookingErrorCode
from reservations.services.booking_rules import NOT_CONFIRMED_YET
from reservations.views.booking import (
    linked_weeks,
    month_from,
    procedure_or_404,
    start_from,
)
from reservations.views.kiosk_guard import not_on_kiosk

find_logger = logging.getLogger("reservations.find")


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
        hits = [("find", client_ip(request)), ("find_contact", contact)]
        refused = ratelimit.hit_all(hits)
        if refused is not None:
            find_logger.warning(
                "Find my booking refused (%s) from %s for contact %s",
                refused,
                client_ip(request),
                _contact_hash(contact),
            )
            return ratelimit.too_many(request, refused, back_url=reverse("reservations:find"))
        with ratelimit.counted(hits):
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


def link_page(*methods):
    """A page reached by a booking's own link: only these methods, never cached (it shows
    a citizen's booking), never on the shared kiosk, and rate limited per address."""

    def decorate(view):
        limited = rate_limited("manage")(view)
        return require_http_methods(list(methods))(never_cache(not_on_kiosk(limited)))

    return decorate


def _contact_hash(contact: str) -> str:
    return hashlib.sha256(contact.encode()).hexdigest()[:12]


def _reservation_or_404(token: str):
    reservation = selectors.reservation_by_token(token)
    if reservation is None:
        raise NotFound(_("This booking link is not valid. Check that you copied all of it."))
    if (
        reservation.status == ReservationStatus.PENDING
        and reservation.hold_expires_at is not None
        and reservation.hold_expires_at <= timezone.now()
    ):
        # A hold that lapsed reads as released at once, whether or not the minute's
        # job (Celery beat) has run yet: never "held until" a time already past.
        services.reservations_expire_holds()
        reservation.refresh_from_db(fields=["status"])
    return reservation


@link_page("GET")
def manage(request, token):
    reservation = _reservation_or_404(token)
    if staff_member_for_user(request.user) is not None:
        # Staff open it after a telephone booking, or from the caller's link.
        access_log_read(request, objects=[reservation])
    now = timezone.now()
    is_upcoming = reservation.is_open and reservation.end_at > now
    return render(
        request,
        "reservations/manage.html",
        {
            "reservation": reservation,
            "token": token,
            "documents": selectors.documents_to_bring(reservation, in_reader_language=True),
            # What the city asks now that the citizen did not agree to when booking.
            "changed_rules": requirements.reworded_since_booking(reservation)
            if is_upcoming
            else [],
            "qr_svg": qr_svg(reservation.code),
            "can_change": reservation.can_change(now=now),
            "is_upcoming": is_upcoming,
        },
    )


@link_page("GET", "POST")
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


@link_page("GET", "POST")
def confirm(request, token, key=""):
    """The e-mail's confirmation link: the manage token and the key only the e-mail
    carries (``codes.confirm_key_for``). Without the key (the manage link with
    ``confirm/`` added) the page only says to open the e-mail: the booking must prove
    the address works."""
    reservation = _reservation_or_404(token)
    if key and not codes.confirm_key_matches(reservation, key):
        raise NotFound(_("This booking link is not valid. Check that you copied all of it."))
    if request.method == "POST":
        if not key:
            messages.error(request, _("Please confirm with the link in the e-mail we sent."))
            return redirect("reservations:manage", token=token)
        try:
            services.reservation_confirm_email(reservation=reservation)
        except services.BookingError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Thank you: your booking is confirmed."))
        return redirect("reservations:manage", token=token)
    return render(
        request,
        "reservations/confirm.html",
        {"reservation": reservation, "token": token, "from_email": bool(key)},
    )


def _changeable_or_redirect(request, token):
    """The booking and its procedure, or a redirect to its page when it cannot change."""
    reservation = _reservation_or_404(token)
    procedure = procedure_or_404(reservation.procedure.code)
    if reservation.status == ReservationStatus.PENDING:
        messages.error(request, NOT_CONFIRMED_YET)
        return reservation, procedure, redirect("reservations:manage", token=token)
    if not reservation.can_change(now=timezone.now()):
        messages.error(request, _("This booking can no longer be changed online."))
        return reservation, procedure, redirect("reservations:manage", token=token)
    return reservation, procedure, None


@link_page("GET", "POST")
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
            start = start_from(day, request.POST.get("time", ""))
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
        procedure=procedure, month=month_from(request, booked_month), now=now
    )
    month = replace(
        month,
        weeks=linked_weeks(
            month,
            lambda day: "?month=%s&date=%s#times" % (day.strftime("%Y-%m"), day.isoformat()),
            hx=False,
        ),
    )
    _agreed, changed_rules = requirements.changed_since_booking(reservation, procedure)
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


@link_page("GET", "POST")
def reschedule_confirm(request, token, day, hhmm):
    """Step 2: "from → to", agreement to any rule whose wording changed, then the POST
    that moves the booking."""
    reservation, procedure, refused = _changeable_or_redirect(request, token)
    if refused:
        return refused
    start = start_from(day, hhmm)
    back = reverse("reservations:reschedule", args=[token]) + "?month=%s&date=%s#times" % (
        day.strftime("%Y-%m"),
        day.isoformat(),
    )
    refusal = refusals.refusal_for(procedure, start, now=timezone.now())
    if refusal is not None:
        messages.error(request, refusal.message)
        return redirect(back)
    if start == reservation.start_at:
        messages.info(request, _("That is the time you have already booked."))
        return redirect(back)
    agreed, changed_rules = requirements.changed_since_booking(reservation, procedure)
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
            if error.code == BookingErrorCode.SLOT_TAKEN or error.code in services.TIME_REFUSALS:
                messages.error(request, error.message)
                return redirect(back)
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Your booking has been moved. It has a new code and link, which we also "
                    "e-mailed; the old code no longer works."
                )
                if reservation.email
                else _(
                    "Your booking has been moved. It has a new code, below; the old code no "
                    "longer works. Note the new code or print this page: no e-mail is sent."
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
        raise NotFound(_("This booking is no longer active."))
    # In the language of the page it is downloaded from (whoever clicks reads that one),
    # the documents too, as the page lists them; the file attached to the e-mails is in
    # the booking's language.
    body = documents.reservation_ics(
        reservation,
        documents=selectors.documents_to_bring(reservation, in_reader_language=True),
        method=method,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="madoguchi-%s.ics"' % reservation.code
    return response

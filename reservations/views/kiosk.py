"""The check-in kiosk: a tablet in the waiting area, enrolled once by staff as a locked
public device. Citizens check in with their booking code (typed or scanned), take a
walk-in number, or read the privacy notice, and every screen goes back to the start
for the next person."""

import time
from functools import wraps

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from config.documents import qr_svg
from config.languages import remember_language
from config.security import allow_camera
from organization import selectors as organization_selectors
from organization.http import NotFound
from organization.selectors import staff_member_for_user
from reservations import selectors, services
from reservations.forms import KioskEnrolForm
from reservations.models import Procedure, Visit
from reservations.views.counter import COUNTER_ROLES, KIOSK_COOKIE, counter_staff_required

# Browsers keep a cookie at most 400 days; the admin revokes a kiosk sooner when needed.
KIOSK_COOKIE_AGE = 400 * 24 * 60 * 60


def _set_kiosk_cookie(response, token: str) -> None:
    response.set_cookie(
        KIOSK_COOKIE,
        token,
        max_age=KIOSK_COOKIE_AGE,
        secure=settings.HTTPS_ONLY,
        httponly=True,
        samesite="Strict",
    )


def _kiosk_not_enrolled(request):
    """Without a valid kiosk credential: staff who may enrol go to the enrolment page,
    anybody else logs in first (or is refused)."""
    kiosk_url = reverse("reservations:kiosk")
    if not request.user.is_authenticated:
        return redirect_to_login(kiosk_url)
    member = staff_member_for_user(request.user)
    if request.user.is_superuser or (member is not None and member.role in COUNTER_ROLES):
        return redirect("reservations:kiosk_enrol")
    raise PermissionDenied


def kiosk_device_required(view):
    """The page of an enrolled kiosk browser. A kiosk never runs with a staff session:
    one opened in the same browser (somebody logged in at the tablet) is ended here."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = request.COOKIES.get(KIOSK_COOKIE)
        device = selectors.kiosk_device_for_token(token)
        if device is None:
            response = _kiosk_not_enrolled(request)
            if token:  # unknown or revoked: the browser forgets it
                response.delete_cookie(KIOSK_COOKIE, samesite="Strict")
            return response
        if request.user.is_authenticated:
            logout(request)
        services.kiosk_device_seen(device=device)
        request.kiosk_device = device
        request.staff_member = None
        return view(request, *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
@never_cache
@counter_staff_required
def kiosk_enrol(request):
    """A counter clerk, manager or administrator makes this browser the kiosk: the
    staff session ends here, the browser keeps only the kiosk's cookie."""
    form = KioskEnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Enrolling a browser again replaces its previous kiosk credential.
        _device, token = services.kiosk_device_enrol(
            name=form.cleaned_data["name"],
            by_staff=request.staff_member,
            replacing=selectors.kiosk_device_for_token(request.COOKIES.get(KIOSK_COOKIE)),
        )
        logout(request)
        response = redirect("reservations:kiosk")
        _set_kiosk_cookie(response, token)
        return response
    return render(
        request,
        "reservations/counter/kiosk_enrol.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


def kiosk_return():
    return {
        "return_seconds": settings.KIOSK_RETURN_SECONDS,
        # The start again, and in Japanese again for the next person (?start).
        "return_url": reverse("reservations:kiosk") + "?start",
    }


def _kiosk_restart():
    """The kiosk's start page in the default language: the next citizen may not read the
    language the last one chose."""
    response = redirect("reservations:kiosk")
    remember_language(response, settings.LANGUAGE_CODE)
    return response


@require_http_methods(["GET", "POST"])
@never_cache
@kiosk_device_required
def kiosk(request):
    """The check-in tablet in the waiting area, used by citizens: type or scan the
    booking code, or take a number without booking."""
    if request.method == "GET" and "start" in request.GET:
        _walk_ins_forget(request.kiosk_device)  # the next person's tap is a new ticket
        return _kiosk_restart()
    context = {"procedures": selectors.procedure_list_public()}
    if request.method == "POST":
        try:
            result = services.visit_check_in_by_code(code=request.POST.get("code", ""))
        except services.CounterError as error:
            # The kiosk's own start page again, with the message (a screen, not an error),
            # and its way back to the start: the next person does not find it there.
            context.update(error=error.message, **kiosk_return())
            return allow_camera(render(request, "reservations/counter/kiosk.html", context))
        return render(
            request,
            "reservations/counter/kiosk_ticket.html",
            {"visit": result.visit, "booked": True, "already": result.already, **kiosk_return()},
        )
    return allow_camera(render(request, "reservations/counter/kiosk.html", context))


@require_http_methods(["GET", "POST"])
@never_cache
@kiosk_device_required
def kiosk_walk_in(request, code: str):
    if request.method == "GET":  # e.g. the language switch on a ticket: back to the start
        return redirect("reservations:kiosk")
    procedure = Procedure.objects.filter(code=code, is_active=True).first()
    if procedure is None:
        raise NotFound(_("There is no such procedure."))
    now = timezone.now()
    try:
        visit = _walk_in_once(request.kiosk_device, procedure, now)
    except services.WalkInRefused as refusal:
        booking_url = request.build_absolute_uri(
            reverse("reservations:calendar", args=[procedure.code])
        )
        slots = []
        for slot in refusal.next_slots:
            start = timezone.localtime(slot.start)
            # A code for the citizen's own phone, not a link: booked on the shared tablet,
            # the confirmation page and its cancel link would stay there for the next person.
            url = request.build_absolute_uri(
                reverse("reservations:details", args=[procedure.code, start.date(), start])
            )
            slots.append({"start": start, "url": url, "qr_svg": qr_svg(url)})
        return render(
            request,
            "reservations/counter/kiosk_refused.html",
            {
                "procedure": procedure,
                "message": refusal.message,
                "slots": slots,
                "booking_url": booking_url,
                "qr_svg": qr_svg(booking_url),
                **kiosk_return(),
            },
        )
    wait = selectors.walk_in_wait(
        visit=visit, now=now, samples_needed=settings.KIOSK_WAIT_MIN_SAMPLES
    )
    return render(
        request,
        "reservations/counter/kiosk_ticket.html",
        {"visit": visit, "booked": False, "wait": wait, **kiosk_return()},
    )


# A second tap of a walk-in button (or a double click) within this many seconds gives the
# ticket the first one made: one person, one number, no ghost in the queue. The screen's
# return to the start forgets it, so the next person's tap is a new ticket.
WALK_IN_REPEAT_SECONDS = 8


def _walk_in_key(device_id, procedure_id) -> str:
    return "kiosk-walk-in:%s:%s" % (device_id, procedure_id)


def _walk_ins_forget(device) -> None:
    procedures = Procedure.objects.filter(is_active=True).values_list("pk", flat=True)
    cache.delete_many([_walk_in_key(device.pk, pk) for pk in procedures])


def _walk_in_once(device, procedure: Procedure, now) -> Visit:
    """The walk-in ticket of this tablet and procedure: a new one, or the one the same
    tablet issued for the same procedure in the last few seconds (the shared cache holds
    it; a request arriving while the first is still being made waits for it)."""
    key = _walk_in_key(device.pk, procedure.pk)
    if cache.add(key, "", WALK_IN_REPEAT_SECONDS):
        try:
            visit = services.visit_issue_walk_in(procedure=procedure, now=now)
        except BaseException:
            cache.delete(key)
            raise
        cache.set(key, visit.pk, WALK_IN_REPEAT_SECONDS)
        return visit
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        visit_id = cache.get(key)
        if visit_id is None:  # the first one failed, or the cache is away: make one
            break
        if visit_id:
            visit = Visit.objects.filter(pk=visit_id).select_related("procedure").first()
            if visit is not None:
                return visit
        time.sleep(0.05)
    return services.visit_issue_walk_in(procedure=procedure, now=now)


@require_GET
@never_cache
@kiosk_device_required
def kiosk_privacy(request):
    """The privacy notice on the tablet: inside the kiosk's own frame, with no link away
    and the way back to the start (the public page would strand the tablet)."""
    return render(
        request,
        "reservations/counter/kiosk_privacy.html",
        {
            "retention": organization_selectors.retention_periods(),
            **kiosk_return(),
            # A page to read, not a result to glance at: three times as long.
            "return_seconds": settings.KIOSK_RETURN_SECONDS * 3,
        },
    )

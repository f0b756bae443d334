"""The counter's pages: the day's queue and its actions, the check-in kiosk with walk-in
tickets, the public display board and the receipt slip (the survey it links to is in
``survey.py``)."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.documents import qr_svg
from config.security import allow_camera
from organization.models import Role, StaffMember
from organization.permissions import role_required
from organization.selectors import staff_member_for_user
from organization.services import access_log_read
from reservations import selectors, services
from reservations.counter_queue import counter_queue
from reservations.forms import KioskEnrolForm
from reservations.models import Procedure, Visit, VisitStatus
from reservations.ratelimit import rate_limited

COUNTER_ROLES = (Role.COUNTER_STAFF, Role.MANAGER, Role.ADMINISTRATOR)
# Queue actions that cannot be undone: they ask for confirmation first.
CONFIRMED_ACTIONS = ("no_show", "done")
counter_staff_required = role_required(*COUNTER_ROLES)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_GET
@never_cache
@counter_staff_required
def queue(request):
    now = timezone.now()
    day = timezone.localdate(now)
    # A counter clerk sees their own queue first (their bookings and the walk-ins they
    # can take); "All" in the clerk filter (staff=all) shows everybody's.
    staff_filter = request.GET.get("staff", "")
    if not staff_filter and _works_at_the_counter(request.staff_member):
        staff_filter = str(request.staff_member.pk)
    filters = {
        "counter_id": _int_or_none(request.GET.get("counter")),
        "staff_id": _int_or_none(staff_filter),
        "status": request.GET.get("status", ""),
    }
    query = request.GET.urlencode()
    rows = counter_queue(day=day, now=now, **filters)
    # The bookings whose citizen's name is shown. The page refreshes itself every few
    # seconds: the same list for the same clerk is logged once in a while, not each time.
    access_log_read(
        request,
        objects=[row.reservation for row in rows if row.citizen_name],
        once_within=settings.ACCESS_LOG_REPEAT_SECONDS,
    )
    visits_url = reverse("reservations:queue") + "visits/"
    # The transfer choices, drawn once per procedure rather than once per row.
    options = {}
    for row in rows:
        if row.procedure.pk not in options:
            options[row.procedure.pk] = format_html_join(
                "",
                '<option value="{}">{}</option>',
                ((clerk.pk, clerk.display_name) for clerk in row.transfer_to),
            )
        row.transfer_options = options[row.procedure.pk]
        # Action addresses by string, not one {% url %} per button of every row.
        row.actions_url = "%s%d/" % (visits_url, row.visit.pk) if row.visit else ""
    context = {
        "rows": rows,
        "filters": filters,
        "now": now,
        "me": request.staff_member,
        "query": query,
        # Rendered once, not once a row: hundreds of rows each carry their action forms.
        "csrf_input": format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        ),
        "query_input": format_html('<input type="hidden" name="query" value="{}">', query),
    }
    if request.htmx:
        return render(request, "reservations/counter/_queue_table.html", context)
    context.update(
        {
            "counters": selectors.counters_today(day=day),
            "clerks": selectors.clerks_today(day=day),
            "statuses": [("expected", _("Not arrived yet")), *VisitStatus.choices],
            "my_counter": services.current_counter(request.staff_member, now)
            if request.staff_member
            else None,
        }
    )
    return render(request, "reservations/counter/queue.html", context)


def _works_at_the_counter(member) -> bool:
    return member is not None and member.role == Role.COUNTER_STAFF


def _back_to_queue(request):
    target = reverse("reservations:queue")
    query = request.POST.get("query", "")
    return redirect(target + ("?" + query if query else ""))


@require_POST
@counter_staff_required
def call_next(request):
    if request.staff_member is None:
        messages.error(request, _("Only a clerk with a staff profile can call citizens."))
        return _back_to_queue(request)
    try:
        visit = services.visit_call_next(staff=request.staff_member)
    except services.CounterError as error:
        messages.error(request, error.message)
    else:
        if visit is None:
            messages.info(request, _("Nobody is waiting for you right now."))
        else:
            messages.success(
                request,
                _("Called %(ticket)s to %(counter)s.")
                % {"ticket": visit.ticket, "counter": visit.counter or "—"},
            )
    return _back_to_queue(request)


def _visit_or_404(visit_id: int) -> Visit:
    visit = Visit.objects.filter(pk=visit_id).first()
    if visit is None:
        raise Http404(_("There is no such visit."))
    return visit


@require_POST
@counter_staff_required
def visit_action(request, visit_id: int, action: str):
    visit = _visit_or_404(visit_id)
    if action in CONFIRMED_ACTIONS and request.POST.get("confirmed") != "1":
        # No-show and done cannot be taken back: asked once more (in the browser's
        # dialog where scripts run, else on this page).
        return render(
            request,
            "reservations/counter/visit_confirm.html",
            {
                "visit": visit,
                "action": action,
                "must_return": action == "done" and request.POST.get("must_return") == "1",
                "query": request.POST.get("query", ""),
                "queue_url": reverse("reservations:queue")
                + ("?" + request.POST["query"] if request.POST.get("query") else ""),
            },
        )
    try:
        if action == "transfer":
            to_staff = StaffMember.objects.filter(pk=_int_or_none(request.POST.get("to"))).first()
            if to_staff is None:
                raise services.CounterError("no_clerk", _("Choose the clerk to transfer to."))
            visit = services.visit_transfer(
                visit=visit, to_staff=to_staff, actor=request.staff_member
            )
        else:
            visit = services.visit_act(
                visit=visit,
                action=action,
                actor=request.staff_member,
                must_return=action == "done" and request.POST.get("must_return") == "1",
            )
    except services.CounterError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(ticket)s: %(status)s")
            % {"ticket": visit.ticket, "status": visit.get_status_display()},
        )
        if visit.status == VisitStatus.DONE:
            return redirect("reservations:receipt", visit_id=visit.pk)
    return _back_to_queue(request)


@require_POST
@counter_staff_required
def staff_check_in(request):
    """Check in from the queue page: by typed or scanned code, or by the row's button."""
    try:
        if request.POST.get("reservation"):
            reservation = selectors.reservation_for_check_in(
                _int_or_none(request.POST["reservation"])
            )
            if reservation is None:
                raise services.CounterError("unknown", _("There is no such booking."))
            result = services.visit_check_in(reservation=reservation, by_staff=request.staff_member)
        else:
            result = services.visit_check_in_by_code(
                code=request.POST.get("code", ""), by_staff=request.staff_member
            )
    except services.CounterError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Checked in: number %(ticket)s.") % {"ticket": result.visit.ticket},
        )
    return _back_to_queue(request)


# The kiosk browser's credential: a cookie with the device's token, never a session.
KIOSK_COOKIE = "madoguchi_kiosk"
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
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        settings.LANGUAGE_CODE,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response


@require_http_methods(["GET", "POST"])
@never_cache
@kiosk_device_required
def kiosk(request):
    """The check-in tablet in the waiting area, used by citizens: type or scan the
    booking code, or take a number without booking."""
    if request.method == "GET" and "start" in request.GET:
        return _kiosk_restart()
    context = {"procedures": selectors.procedure_list_public()}
    if request.method == "POST":
        try:
            result = services.visit_check_in_by_code(code=request.POST.get("code", ""))
        except services.CounterError as error:
            context["error"] = error.message
            # The kiosk's own start page again, with the message (a screen, not an error).
            return allow_camera(render(request, "reservations/counter/kiosk.html", context))
        return render(
            request,
            "reservations/counter/kiosk_ticket.html",
            {"visit": result.visit, "booked": True, **kiosk_return()},
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
        raise Http404(_("There is no such procedure."))
    now = timezone.now()
    try:
        visit = services.visit_issue_walk_in(procedure=procedure, now=now)
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


def _board_languages(request) -> list[dict]:
    """The board's two languages: Japanese (plain Japanese if chosen) and the chosen
    one, English when Japanese is chosen. ``?language=ko`` on the monitor's address
    chooses it there, where nobody can use a switch."""
    from config.languages import html_lang

    codes = dict(settings.LANGUAGES)
    asked = request.GET.get("language", "").lower()
    if asked in codes:
        translation.activate(asked)
        request.LANGUAGE_CODE = asked
    current = translation.get_language() or settings.LANGUAGE_CODE
    first = "ja-easy" if current == "ja-easy" else "ja"
    second = current if current not in ("ja", "ja-easy") else "en"
    with translation.override("ja"):
        japanese = _("Now calling")
    with translation.override(second):
        if _("Now calling") == japanese:  # not translated yet: English rather than twice
            second = "en"
    return [
        {"code": code, "html_lang": html_lang(code), "second": index == 1}
        for index, code in enumerate([first, second])
    ]


@require_GET
@rate_limited("display")
def display(request):
    """The full-screen board for the waiting-area monitor (public: numbers only)."""
    languages = _board_languages(request)
    return render(
        request,
        "reservations/counter/display.html",
        {
            "called": selectors.display_board(day=timezone.localdate()),
            "board_languages": languages,
            # The refresh asks for the language chosen (even while shown in English).
            "board_language": translation.get_language() or settings.LANGUAGE_CODE,
        },
    )


@require_GET
@never_cache
@rate_limited("display")
def display_board(request):
    return render(
        request,
        "reservations/counter/_display_board.html",
        {
            "called": selectors.display_board(day=timezone.localdate()),
            "board_languages": _board_languages(request),
        },
    )


@require_GET
@counter_staff_required
def receipt(request, visit_id: int):
    visit = selectors.visit_for_staff(visit_id)
    if visit is None:
        raise Http404(_("There is no such visit."))
    survey_url = request.build_absolute_uri(
        reverse("reservations:survey", args=[visit.survey_token])
    )
    return render(
        request,
        "reservations/counter/receipt.html",
        {"visit": visit, "survey_url": survey_url, "qr_svg": qr_svg(survey_url)},
    )

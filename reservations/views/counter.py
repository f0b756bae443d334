"""The counter's pages: the day's queue and its actions, the public display board and
the receipt slip (the check-in kiosk is in ``kiosk.py``, the survey the receipt links to
in ``survey.py``)."""

from django.conf import settings
from django.contrib import messages
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from modeltranslation.utils import build_localized_fieldname

from config.documents import qr_svg
from organization.http import NotFound, id_param
from organization.models import Role, StaffMember
from organization.permissions import role_required
from organization.selectors import site_settings
from organization.services import access_log_read
from reservations import selectors, services
from reservations.counter_queue import counter_queue
from reservations.models import Visit, VisitStatus
from reservations.ratelimit import rate_limited

COUNTER_ROLES = (Role.COUNTER_STAFF, Role.MANAGER, Role.ADMINISTRATOR)
# The kiosk browser's credential (views/kiosk.py): a cookie with the device's token,
# never a session.
KIOSK_COOKIE = "madoguchi_kiosk"
# Queue actions that cannot be undone: they ask for confirmation first.
CONFIRMED_ACTIONS = ("no_show", "done")
counter_staff_required = role_required(*COUNTER_ROLES)


@require_GET
@never_cache
@counter_staff_required
def queue(request):
    now = timezone.now()
    day = timezone.localdate(now)
    # A counter clerk sees their own queue first (their bookings and the walk-ins they
    # can take); "All" in the clerk filter (staff=all) shows everybody's citizens that
    # the clerk could serve (need-to-know: not another department's), managers' all.
    clerk = request.staff_member if _works_at_the_counter(request.staff_member) else None
    staff_filter = request.GET.get("staff", "")
    if not staff_filter and clerk:
        staff_filter = str(clerk.pk)
    filters = {
        "counter_id": id_param(request.GET.get("counter")),
        "staff_id": id_param(staff_filter),
        "status": request.GET.get("status", ""),
    }
    query = request.GET.urlencode()
    rows = counter_queue(day=day, now=now, seen_by=clerk, **filters)
    # The bookings whose citizen's name is shown. The page refreshes itself every few
    # seconds: the same list for the same clerk is logged once in a while, not each time.
    access_log_read(
        request,
        objects=[row.reservation for row in rows if row.citizen_name],
        once_within=settings.ACCESS_LOG_REPEAT_SECONDS,
    )
    _prepare_rows(request, rows)
    context = {
        "rows": rows,
        "filters": filters,
        "scoped": clerk is not None,
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


def _prepare_rows(request, rows) -> None:
    """Each row's transfer choices and action address, and whether this person may act
    on it (drawn once per procedure and clerk rather than once per row)."""
    visits_url = reverse("reservations:queue") + "visits/"
    # The transfer choices: the clerks who can do the procedure, but not the one the
    # citizen is with already.
    options = {}
    for row in rows:
        key = (row.procedure.pk, getattr(row.staff, "pk", None))
        if key not in options:
            options[key] = format_html_join(
                "",
                '<option value="{}">{}</option>',
                ((c.pk, c.display_name) for c in row.transfer_to if c.pk != key[1]),
            )
        row.transfer_options = options[key]
        # Another clerk's citizen: a counter clerk takes them over by a transfer to
        # themselves only.
        row.actable = services.may_act_on(request.staff_member, key[1])
        if not row.actable:
            me = request.staff_member
            mine = any(c.pk == me.pk for c in row.transfer_to)
            row.transfer_options = (
                format_html('<option value="{}">{}</option>', me.pk, me.display_name)
                if mine
                else ""
            )
        # Action addresses by string, not one {% url %} per button of every row.
        row.actions_url = "%s%d/" % (visits_url, row.visit.pk) if row.visit else ""


def _works_at_the_counter(member) -> bool:
    return member is not None and member.role == Role.COUNTER_STAFF


def _back_to_queue(request, visit=None):
    """The queue again, with its filters; at the row of ``visit`` when given, so that a
    keyboard user goes on from there rather than from the top of the page."""
    target = reverse("reservations:queue")
    query = request.POST.get("query", "")
    anchor = "#visit-%d" % visit.pk if visit is not None else ""
    return redirect(target + ("?" + query if query else "") + anchor)


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
            return _back_to_queue(request, visit)
    return _back_to_queue(request)


def _visit_or_404(visit_id: int) -> Visit:
    visit = Visit.objects.filter(pk=visit_id).first()
    if visit is None:
        raise NotFound(_("There is no such visit."))
    return visit


def _require_as_seen(visit: Visit, seen: str | None) -> None:
    """A transfer chosen on a page that showed the citizen in another state (a clerk
    has called them since: they may be on the way to that counter) is refused, for the
    clerk to look at the queue as it is now."""
    if seen and seen != visit.status:
        raise services.CounterError(
            "changed",
            _(
                "%(ticket)s has changed since your page was loaded (now: %(status)s, "
                "%(name)s). Check the queue and choose again."
            )
            % {
                "ticket": visit.ticket,
                "status": visit.get_status_display(),
                "name": visit.staff.display_name if visit.staff else "—",
            },
        )


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
            _require_as_seen(visit, request.POST.get("seen"))
            to_staff = StaffMember.objects.filter(pk=id_param(request.POST.get("to"))).first()
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
        if action == "transfer":
            done = _("%(ticket)s is now with %(name)s, waiting.") % {
                "ticket": visit.ticket,
                "name": visit.staff.display_name,
            }
        else:
            done = _("%(ticket)s: %(status)s") % {
                "ticket": visit.ticket,
                "status": visit.get_status_display(),
            }
        messages.success(request, done)
        if visit.status == VisitStatus.DONE:
            return redirect("reservations:receipt", visit_id=visit.pk)
    return _back_to_queue(request, visit)


@require_POST
@counter_staff_required
def staff_check_in(request):
    """Check in from the queue page: by typed or scanned code, or by the row's button."""
    try:
        if request.POST.get("reservation"):
            reservation = selectors.reservation_for_check_in(id_param(request.POST["reservation"]))
            if reservation is None or not services.may_see(
                request.staff_member,
                procedure_id=reservation.procedure_id,
                staff_id=reservation.staff_id,
            ):
                raise services.CounterError("unknown", _("There is no such booking."))
            result = services.visit_check_in(reservation=reservation, by_staff=request.staff_member)
        else:
            result = services.visit_check_in_by_code(
                code=request.POST.get("code", ""), by_staff=request.staff_member
            )
    except services.CounterError as error:
        messages.error(request, error.message)
    else:
        if result.already:
            messages.info(
                request,
                _("Already checked in: number %(ticket)s.") % {"ticket": result.visit.ticket},
            )
        else:
            messages.success(
                request,
                _("Checked in: number %(ticket)s.") % {"ticket": result.visit.ticket},
            )
    return _back_to_queue(request)


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


def _board_names(obj, field: str, languages) -> list[dict]:
    """``obj``'s translated ``field`` in the board's two languages: Japanese first,
    whatever the monitor's browser asks for, then the second language's (English where
    that one has none); once where the two are the same."""
    names = []
    for board in languages:
        code = "ja" if board["code"] == "ja-easy" else board["code"]
        name, lang = getattr(obj, build_localized_fieldname(field, code), ""), board["html_lang"]
        if not name and board["second"]:
            name, lang = getattr(obj, build_localized_fieldname(field, "en"), ""), "en"
        if name and name not in [n["name"] for n in names]:
            names.append({"name": name, "lang": lang, "second": board["second"]})
    return names


def _board_rows(languages) -> dict:
    """The numbers called (to walk to a counter now) and, apart, those already at their
    counter, each with its counter's name in the board's languages."""
    rows = selectors.display_board(day=timezone.localdate())
    for visit in rows["called"] + rows["serving"]:
        counter = visit.counter
        visit.counter_names = _board_names(counter, "name", languages) if counter else []
    # The wall monitor cannot be scrolled: more calls at once, smaller and in columns.
    count = len(rows["called"])
    rows["called_size"] = "few" if count <= 4 else "some" if count <= 6 else "many"
    return rows


@require_GET
@rate_limited("display")
def display(request):
    """The full-screen board for the waiting-area monitor (public: numbers only)."""
    languages = _board_languages(request)
    return render(
        request,
        "reservations/counter/display.html",
        {
            **_board_rows(languages),
            "board_languages": languages,
            "city_names": _board_names(site_settings(), "city_name", languages),
            # The refresh asks for the language chosen (even while shown in English).
            "board_language": translation.get_language() or settings.LANGUAGE_CODE,
        },
    )


@require_GET
@never_cache
@rate_limited("display")
def display_board(request):
    languages = _board_languages(request)
    return render(
        request,
        "reservations/counter/_display_board.html",
        {**_board_rows(languages), "board_languages": languages},
    )


@require_GET
@counter_staff_required
def receipt(request, visit_id: int):
    """The slip for the citizen (with the survey's link), once the visit is done: for
    the clerk who served it and managers. Visit ids run in order, and a clerk collecting
    other clerks' (or waiting walk-ins') receipts could answer their citizens' surveys."""
    visit = selectors.visit_for_staff(visit_id)
    if (
        visit is None
        or visit.status != VisitStatus.DONE  # a survey link for a visit still to serve
        or not services.may_act_on(request.staff_member, visit.staff_id)
    ):
        raise NotFound(_("There is no such visit."))
    survey_url = request.build_absolute_uri(
        reverse("reservations:survey", args=[visit.survey_token])
    )
    return render(
        request,
        "reservations/counter/receipt.html",
        {"visit": visit, "survey_url": survey_url, "qr_svg": qr_svg(survey_url)},
    )

"""A change of master data that leaves open bookings nobody can serve as booked is said
at once, with the list (helper 44: deactivating a clerk, taking a counter out of use,
removing a qualification or shortening a shift left tomorrow's citizen with a booking
at a window nobody staffs, and the admin said only "changed")."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from organization.models import Role
from reservations import admin_warnings
from reservations.models import ClosedDay
from tests.organization.factories import make_staff_member
from tests.reservations.factories import DAY, ProcedureFactory, add_clerk, add_rule
from tests.reservations.test_counter import booked as booked_at
from tests.reservations.test_views import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking():
    """A booking at 10:00 on DAY with a clerk on shift 09:00–12:00 (DAY is in the future)."""
    procedure = ProcedureFactory()
    add_rule(procedure, "本人確認書類")
    add_clerk(procedure)
    return booked_at(procedure, at(DAY, 10))


def _left_behind() -> list[str]:
    return list(admin_warnings.bookings_left_behind(now=at(DAY, 8)).values_list("code", flat=True))


def test_a_booking_served_as_booked_is_not_left_behind(booking):
    assert _left_behind() == []


@pytest.mark.parametrize(
    "change",
    ["login deactivated", "qualification removed", "shift shortened", "counter out of use"],
)
def test_what_leaves_a_booking_behind(booking, change):
    clerk, shift = booking.staff, booking.staff.shifts.get()
    if change == "login deactivated":
        get_user_model().objects.filter(pk=clerk.user_id).update(is_active=False)
    elif change == "qualification removed":
        booking.procedure.qualified_staff.remove(clerk)
    elif change == "shift shortened":
        shift.start_time = dt.time(10, 30)
        shift.save()
    else:
        shift.counter.is_active = False
        shift.counter.save()

    assert _left_behind() == [booking.code]


def test_a_closed_day_leaves_its_bookings_behind(booking):
    ClosedDay.objects.create(date=DAY, reason="臨時休業")

    assert _left_behind() == [booking.code]


def _admin(client):
    admin = make_staff_member(role=Role.ADMINISTRATOR).user
    get_user_model().objects.filter(pk=admin.pk).update(is_superuser=True, is_staff=True)
    client.force_login(admin)


def _post_admin_form(client, url, changes: dict):
    """Post an admin change form as shown, with ``changes`` made to its main form."""
    page = client.get(url)
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or value is False:
            continue
        if hasattr(field.widget, "widgets"):  # a date and a time: two inputs
            parts = field.widget.decompress(value)
            data.update({"%s_%d" % (name, n): str(part) for n, part in enumerate(parts)})
            continue
        if value is True:
            value = "on"
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else value
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(
            {"%s-%s" % (formset.prefix, k): v for k, v in formset.management_form.initial.items()}
        )
        for inline_form in formset.initial_forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value not in (None, False):
                    data[inline_form.add_prefix(name)] = "on" if value is True else value
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return client.post(url, data, follow=True)


def _warning(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def test_the_admin_says_when_a_counter_out_of_use_leaves_bookings_behind(client, booking):
    _admin(client)
    counter = booking.staff.shifts.get().counter
    url = reverse("admin:reservations_counter_change", args=[counter.pk])

    response = _post_admin_form(client, url, {"is_active": False})

    assert response.redirect_chain, response.context["adminform"].form.errors
    assert "1 件の予約が、予約どおりには対応できなくなりました" in _warning(response)
    listed = client.get(reverse("admin:reservations_reservation_changelist") + "?left_behind=yes")
    assert booking.code in listed.content.decode()


def test_the_admin_says_when_deactivating_a_clerks_login_leaves_bookings_behind(client, booking):
    _admin(client)
    url = reverse("admin:auth_user_change", args=[booking.staff.user_id])

    response = _post_admin_form(client, url, {"is_active": False})

    assert response.redirect_chain, response.context["adminform"].form.errors
    assert "予約どおりには対応できなくなりました" in _warning(response)


def test_a_change_that_leaves_nobody_behind_says_nothing_more(client, booking):
    _admin(client)
    counter = booking.staff.shifts.get().counter
    url = reverse("admin:reservations_counter_change", args=[counter.pk])

    response = _post_admin_form(client, url, {"location_ja": "本庁舎2階"})

    assert response.redirect_chain
    assert "予約どおりには対応できなくなりました" not in _warning(response)


def test_a_shift_at_night_or_on_a_sunday_is_saved_with_a_warning(client):
    """Every shift is offered online at once: 00:00 typed for 09:00, or a Sunday, is
    said (a Sunday opening is the city's choice, so it is not refused)."""
    _admin(client)
    clerk = add_clerk(ProcedureFactory())
    counter = clerk.shifts.get().counter
    sunday = DAY + dt.timedelta(days=(6 - DAY.weekday()) or 7)
    add = reverse("admin:reservations_shift_add")

    def post(day, start, end):
        data = {"staff": clerk.pk, "counter": counter.pk, "date": day.isoformat()}
        response = client.post(add, {**data, "start_time": start, "end_time": end}, follow=True)
        assert response.redirect_chain, response.context["adminform"].form.errors
        return _warning(response)

    night = post(DAY + dt.timedelta(days=1), "00:00", "23:59")
    weekend = post(sunday, "09:00", "12:00")
    usual = post(DAY + dt.timedelta(days=2), "08:30", "17:15")

    assert "07:00〜21:00の外" in night and "市民はもうこの時間をオンラインで予約できます" in night
    assert "通常は閉庁している日" in weekend and "の外" not in weekend
    assert "オンラインで予約できます" not in usual


def test_a_change_that_strands_one_booking_while_fixing_another_says_so(client, booking):
    """Compared by booking, not by count: moving a shift from the morning to the
    afternoon fixes the afternoon's stranded booking and strands the morning's."""
    _admin(client)
    shift = booking.staff.shifts.get()
    shift.end_time = dt.time(16, 0)
    shift.save()
    afternoon = booked_at(booking.procedure, at(DAY, 14), 2)
    shift.start_time = dt.time(13, 0)
    shift.save()
    assert _left_behind() == [booking.code]
    url = reverse("admin:reservations_shift_change", args=[shift.pk])

    response = _post_admin_form(client, url, {"start_time": "09:00", "end_time": "12:00"})

    assert response.redirect_chain, response.context["adminform"].form.errors
    assert _left_behind() == [afternoon.code]
    assert "1 件の予約が、予約どおりには対応できなくなりました" in _warning(response)

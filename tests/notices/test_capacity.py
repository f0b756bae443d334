"""Capacity-aware sending: letters go in weekly waves the qualified clerks can absorb,
never too late for the resident to renew."""

import datetime as dt
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from notices import capacity, selectors, services
from notices.models import Letter
from organization.calendar import holiday_name
from organization.models import Role
from tests.notices.factories import TODAY, holder
from tests.organization.factories import make_staff_member
from tests.reservations.factories import add_clerk, add_shift, at

pytestmark = pytest.mark.django_db

WEEKS = 14
SLOTS_PER_SHIFT = 6  # 9:00-12:00 in 30-minute slots


@pytest.fixture(autouse=True)
def _no_rendering(monkeypatch):
    """The waves are what is tested here, not the PDFs."""
    monkeypatch.setattr("notices.tasks.letter_chunk_render.delay_on_commit", lambda *a: None)


@pytest.fixture
def settings_capacity(settings):
    settings.LETTER_CAPACITY_SHARE = 0.7
    settings.LETTER_RENEWAL_LEAD_DAYS = 14
    settings.LETTER_DEFAULT_CONVERSION = 0.5
    settings.LETTER_FORECAST_WEEKS = 12
    return settings


def _two_clerks_on_weekday_mornings(rule):
    """Two qualified clerks, 9:00-12:00 every weekday of the weeks ahead."""
    days = [TODAY + dt.timedelta(days=n) for n in range(WEEKS * 7) if (TODAY.weekday() + n) % 7 < 5]
    clerks = [add_clerk(rule.procedure, day=days[0]) for _ in range(2)]
    for clerk in clerks:
        for day in days[1:]:
            add_shift(clerk, day=day)
    return clerks


def _free_slots(week_start: dt.date) -> int:
    open_days = sum(1 for n in range(5) if not holiday_name(week_start + dt.timedelta(days=n)))
    return 2 * SLOTS_PER_SHIFT * open_days


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def test_300_due_residents_are_spread_over_weeks_within_70_percent_and_none_late(
    rule, settings_capacity
):
    # given: two qualified clerks and 300 residents due now, expiring in 30 to 100 days
    rule.days_before_expiry = 100
    rule.save()
    _two_clerks_on_weekday_mornings(rule)
    certificates = [holder(rule, expires_in=30 + n * 70 // 300) for n in range(300)]

    # when: the daily job runs every day for 13 weeks (twice on the first day)
    for n in range(13 * 7):
        day = TODAY + dt.timedelta(days=n)
        services.letters_create_due(rule=rule, today=day, now=at(day, 7))
        if n == 0:
            assert services.letters_create_due(rule=rule, today=day, now=at(day, 8)) is None

    # then: everyone got exactly one letter, in time, in waves under 70% of free slots
    letters = list(Letter.objects.select_related("certificate"))
    assert len(letters) == 300
    assert {letter.certificate_id for letter in letters} == {c.pk for c in certificates}
    for letter in letters:
        sent = timezone.localdate(letter.created_at)
        assert sent <= letter.certificate.expires_on - dt.timedelta(days=14)
    per_week = Counter(_monday(timezone.localdate(letter.created_at)) for letter in letters)
    assert len(per_week) >= 4
    for week, count in per_week.items():
        assert count * 0.5 <= 0.7 * _free_slots(week) + 1e-9, week
    # each wave went out on the first day of its week (the wave day)
    assert {timezone.localdate(letter.created_at).weekday() for letter in letters} == {0}


def test_demand_beyond_capacity_is_sent_anyway_by_its_latest_day_and_shown_as_shortfall(
    rule, settings_capacity
):
    # given: one clerk on one morning a week, 60 residents whose latest day is this week
    clerk = add_clerk(rule.procedure, day=TODAY)
    for weeks in range(1, 12):
        add_shift(clerk, day=TODAY + dt.timedelta(weeks=weeks))
    for _ in range(60):
        holder(rule, expires_in=20)

    forecast = capacity.rule_forecast(rule=rule, today=TODAY, now=at(TODAY, 7))

    week = forecast.weeks[0]
    assert (week.free_slots, week.planned, week.expected) == (6, 60, 30.0)
    assert week.shortfall == 26  # 30 expected bookings, 4.2 allowed
    assert forecast.shortfall_weeks == [week]
    batch = services.letters_create_due(rule=rule, today=TODAY, now=at(TODAY, 7))
    assert batch.total == 60


def test_held_letters_show_on_why_not_with_their_wave_day(client, rule, settings_capacity):
    clerk = add_clerk(rule.procedure, day=TODAY)  # 6 slots: 4.2 bookings, 8 letters
    for weeks in range(1, 12):
        add_shift(clerk, day=TODAY + dt.timedelta(weeks=weeks))
    rule.days_before_expiry = 60
    rule.save()
    for _ in range(12):
        holder(rule, expires_in=55)

    items = selectors.residents_without_letter(rule=rule, today=TODAY)

    held = [item for item in items if item.planned_on]
    assert len(held) == 4
    assert {item.planned_on for item in held} == {TODAY + dt.timedelta(weeks=1)}
    assert all("2030-06-17" in item.reason for item in held)


def test_measured_conversion_replaces_the_default_once_enough_letters_are_old(
    rule, settings_capacity
):
    settings_capacity.LETTER_CONVERSION_MIN_LETTERS = 4
    now = at(TODAY, 9)
    for n in range(4):
        certificate = holder(rule)
        letter = Letter.objects.create(
            rule=rule,
            resident=certificate.resident,
            certificate=certificate,
            code="OLD-%04d" % n,
            created_at=now - dt.timedelta(days=40),
        )
        if n == 0:
            from tests.notices.test_why_not import _booking_under_the_same_name

            booking = _booking_under_the_same_name(rule, certificate)
            booking.referral_code = letter.code
            booking.created_at = now - dt.timedelta(days=35)
            booking.save()

    conversion = capacity.rule_conversion(rule=rule, now=now)

    assert (conversion.measured, conversion.letters, conversion.booked) == (True, 4, 1)
    assert conversion.rate == 0.25


def test_without_shifts_capacity_is_unknown_and_every_due_letter_goes(rule, settings_capacity):
    for _ in range(30):
        holder(rule)

    forecast = capacity.rule_forecast(rule=rule, today=TODAY, now=at(TODAY, 7))

    assert forecast.limited is False and forecast.shortfall == 0
    assert services.letters_create_due(rule=rule, today=TODAY, now=at(TODAY, 7)).total == 30


def test_forecast_page_shows_waves_chart_table_and_shortfall(
    client, rule, settings_capacity, sender_staff_on_today
):
    add_clerk(rule.procedure, day=TODAY)
    for _ in range(20):
        holder(rule, expires_in=20)

    page = client.get(reverse("notices:forecast", args=[rule.pk])).content.decode()

    assert "<svg" in page and "<table" in page
    assert "2030-06-10" in page  # the first week
    assert "table-danger" in page  # 20 letters, 10 bookings, 6 slots x 70%: short


def test_another_departments_staff_cannot_open_the_forecast(client, rule):
    other = make_staff_member(role=Role.DEPARTMENT_STAFF)
    client.force_login(other.user)

    assert client.get(reverse("notices:forecast", args=[rule.pk])).status_code == 404


def test_managers_dashboard_names_the_rule_weeks_and_slots_short(client, rule, settings_capacity):
    add_clerk(rule.procedure, day=timezone.localdate() + dt.timedelta(days=1))
    for _ in range(40):
        holder(rule, expires_in=(timezone.localdate() - TODAY).days + 20)
    manager = make_staff_member(role=Role.MANAGER)
    client.force_login(manager.user)

    page = client.get(reverse("dashboards:overview")).content.decode()

    assert "更新案内" in page and reverse("notices:forecast", args=[rule.pk]) in page

"""Booking through the service: the consents it records, the clerk it chooses, and the
times, people and overlaps it refuses (the database refusing them too)."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from reservations import selectors, services
from reservations.models import (
    Channel,
    ConsentRecord,
    Reservation,
    ReservationEvent,
    ReservationStatus,
)
from tests.reservations.factories import (
    DAY,
    NOW,
    ProcedureFactory,
    add_clerk,
    add_shift,
    at,
    book,
    citizen,
    close_day,
    consents,
)

pytestmark = pytest.mark.django_db


def test_booking_records_the_exact_wording_and_version_of_each_rule(procedure):
    add_clerk(procedure)

    result = book(procedure, at(DAY, 9))

    agreed = list(result.reservation.consents.values_list("rule_text", "rule_version"))
    assert agreed == [("顔写真（6か月以内に撮影、縦4cm×横3cm）", 1), ("本人確認書類", 1)]
    assert result.reservation.status == ReservationStatus.CONFIRMED
    assert result.reservation.events.filter(kind=ReservationEvent.Kind.BOOKED).count() == 1


def test_booking_refused_without_every_consent(procedure):
    add_clerk(procedure)
    first_rule_only = dict(list(consents(procedure).items())[:1])

    with pytest.raises(services.BookingError) as error:
        book(procedure, at(DAY, 9), consented_rules=first_rule_only)

    assert error.value.code == "consent_missing"
    assert Reservation.objects.count() == 0
    assert ConsentRecord.objects.count() == 0


def test_booking_refused_when_a_rule_changed_after_the_citizen_read_it(procedure):
    add_clerk(procedure)
    shown = consents(procedure)
    rule = procedure.document_rules.first()
    rule.text = "顔写真（3か月以内に撮影）"
    services.document_rule_save(rule=rule, wording_changed=True)

    with pytest.raises(services.BookingError) as error:
        book(procedure, at(DAY, 9), consented_rules=shown)

    assert error.value.code == "rules_changed"


def test_consents_keep_the_old_wording_after_the_rule_changes(procedure):
    add_clerk(procedure)
    reservation = book(procedure, at(DAY, 9)).reservation
    rule = procedure.document_rules.first()
    rule.text = "新しい文言"
    services.document_rule_save(rule=rule, wording_changed=True)

    assert rule.version == 2
    texts = list(reservation.consents.values_list("rule_text", flat=True))
    assert "顔写真（6か月以内に撮影、縦4cm×横3cm）" in texts


def test_booking_goes_to_the_least_loaded_qualified_clerk(procedure):
    busy = add_clerk(procedure, username="busy")
    idle = add_clerk(procedure, username="idle")
    book(procedure, at(DAY, 10), citizen(1))
    book(procedure, at(DAY, 10, 30), citizen(2))
    loads = {
        busy.pk: Reservation.objects.filter(staff=busy).count(),
        idle.pk: Reservation.objects.filter(staff=idle).count(),
    }
    assert loads == {busy.pk: 1, idle.pk: 1}

    reservation = book(procedure, at(DAY, 9), citizen(3)).reservation
    another = book(procedure, at(DAY, 9), citizen(4)).reservation

    assert {reservation.staff_id, another.staff_id} == {busy.pk, idle.pk}


def test_a_new_booking_goes_to_the_clerk_with_fewer_bookings_that_day(procedure):
    loaded = add_clerk(procedure, username="loaded")
    book(procedure, at(DAY, 10), citizen(1))
    book(procedure, at(DAY, 11), citizen(2))
    free = add_clerk(procedure, username="free")

    # Both are free at 9:00; the clerk without bookings that day gets it, every time.
    first = book(procedure, at(DAY, 9), citizen(3)).reservation
    second = book(procedure, at(DAY, 9, 30), citizen(4)).reservation

    assert (first.staff_id, second.staff_id) == (free.pk, free.pk)
    assert Reservation.objects.filter(staff=loaded).count() == 2


def test_two_qualified_clerks_mean_at_most_two_parallel_bookings(procedure):
    add_clerk(procedure)
    add_clerk(procedure)
    book(procedure, at(DAY, 9), citizen(1))
    book(procedure, at(DAY, 9), citizen(2))

    with pytest.raises(services.BookingError) as error:
        book(procedure, at(DAY, 9), citizen(3))

    assert error.value.code == "slot_taken"


def test_one_clerk_is_never_booked_twice_at_once_across_procedures(procedure):
    clerk = add_clerk(procedure)
    other = ProcedureFactory(department=procedure.department, duration_minutes=60)
    other.qualified_staff.add(clerk)
    book(procedure, at(DAY, 9, 30), citizen(1))

    with pytest.raises(services.BookingError):
        book(other, at(DAY, 9), citizen(2))  # 9:00–10:00 overlaps 9:30–10:00

    assert selectors.staff_double_bookings() == []


def test_database_refuses_an_overlapping_booking_even_without_the_service(procedure):
    clerk = add_clerk(procedure)
    first = book(procedure, at(DAY, 9), citizen(1)).reservation

    with pytest.raises(IntegrityError), transaction.atomic():
        Reservation.objects.create(
            procedure=procedure,
            staff=clerk,
            counter=first.counter,
            start_at=at(DAY, 9, 15),
            end_at=at(DAY, 9, 45),
            code="TEST-CODE",
            manage_nonce="x",
            citizen_name="x",
            citizen_kana="x",
            email_key="other@example.jp",
        )


def test_database_allows_the_time_again_once_the_booking_is_cancelled(procedure):
    add_clerk(procedure)
    first = book(procedure, at(DAY, 9), citizen(1)).reservation
    services.reservation_cancel(reservation=first, now=NOW)

    later = NOW + dt.timedelta(hours=2)  # after the delayed re-release
    second = book(procedure, at(DAY, 9), citizen(2), now=later).reservation

    assert second.staff_id == first.staff_id


def test_a_person_has_at_most_one_open_booking_per_procedure(procedure):
    add_clerk(procedure)
    book(procedure, at(DAY, 9), citizen(1, phone="090-1111-2222"))

    with pytest.raises(services.BookingError) as error:
        book(procedure, at(DAY, 10), citizen(2, email="", phone="０９０１１１１２２２２"))

    assert error.value.code == "already_booked"


def test_the_same_person_may_book_another_procedure(procedure):
    add_clerk(procedure)
    other = ProcedureFactory(department=procedure.department)
    add_clerk(other)
    book(procedure, at(DAY, 9), citizen(1))

    book(other, at(DAY, 9), citizen(1))

    assert Reservation.objects.count() == 2


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (at(dt.date(2030, 6, 1), 9), "past"),
        (NOW + dt.timedelta(minutes=30), "too_late"),
        (at(DAY + dt.timedelta(days=90), 9), "beyond_horizon"),
    ],
)
def test_times_outside_the_booking_window_are_refused(procedure, start, code):
    add_clerk(procedure)

    with pytest.raises(services.BookingError) as error:
        book(procedure, start)

    assert error.value.code == code


def test_a_closed_day_is_refused_even_with_clerks_on_shift(procedure):
    add_clerk(procedure)
    close_day(DAY)

    with pytest.raises(services.BookingError) as error:
        book(procedure, at(DAY, 9))

    # The real reason, not "just taken" (issue 18).
    assert error.value.code == "closed"


def test_a_time_off_the_grid_or_outside_shifts_is_refused(procedure):
    add_clerk(procedure)

    for start in (at(DAY, 9, 10), at(DAY, 14)):
        with pytest.raises(services.BookingError):
            book(procedure, start)


def test_a_clerk_on_shift_for_only_part_of_the_duration_is_not_chosen():
    procedure = ProcedureFactory(duration_minutes=60, slot_interval_minutes=30)
    add_clerk(procedure, start=dt.time(9, 0), end=dt.time(10, 0))

    with pytest.raises(services.BookingError):
        book(procedure, at(DAY, 9, 30))


def test_no_shift_means_no_booking_even_for_a_qualified_clerk(procedure):
    clerk = add_clerk(procedure)
    add_shift(clerk, day=DAY + dt.timedelta(days=1))

    with pytest.raises(services.BookingError):
        book(procedure, at(DAY + dt.timedelta(days=2), 9))


def test_staff_telephone_booking_follows_the_same_rules(procedure):
    clerk = add_clerk(procedure)

    result = book(
        procedure,
        at(DAY, 9),
        citizen(1, email="", phone="03-1234-5678"),
        channel=Channel.PHONE,
        booked_by=clerk,
    )

    assert result.reservation.channel == Channel.PHONE
    assert result.reservation.booked_by == clerk
    with pytest.raises(services.BookingError):
        book(procedure, at(DAY, 9), citizen(2), channel=Channel.PHONE, consented_rules={0: 1})


def test_the_database_guard_is_put_back_when_a_migration_rebuilt_the_table():
    from config.db_guards import NO_OVERLAP, guard_drop, guards_check

    assert guards_check() == []  # every guard in place after migrate
    guard_drop(NO_OVERLAP)  # as a table rebuild or a lost constraint would

    assert guards_check() == [NO_OVERLAP.name]
    assert guards_check() == []


def test_every_refusal_of_a_time_is_a_booking_error_code():
    import ast
    import inspect

    from reservations import refusals

    # given the refusal codes the refusals module can give for a time
    tree = ast.parse(inspect.getsource(refusals))
    refusals = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", "") == "Refusal"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    # then each is a booking error code that sends the citizen back to the day's times
    assert refusals
    assert {services.BookingErrorCode(code) for code in refusals} == services.TIME_REFUSALS

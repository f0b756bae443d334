import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import User
from django.db import connection

from notices import services, tasks
from notices.models import BatchStatus, Certificate, Letter, LetterBatch, LetterStatus
from notices.selectors import recent_batches
from notices.services import batches
from organization.models import Role
from reservations.models import Reservation
from tests.notices.factories import TODAY, holder
from tests.organization.factories import make_staff_member
from tests.reservations.factories import CounterFactory

pytestmark = pytest.mark.django_db


def test_letters_are_made_once_per_case_however_often_the_job_runs(
    rule, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    for n in range(5):
        holder(rule, name="住民 %d" % n)
    holder(rule, postal="")  # an exception, not mailed

    with django_capture_on_commit_callbacks(execute=True):
        batch = services.letters_create_due(rule=rule, today=TODAY)
    again = services.letters_create_due(rule=rule, today=TODAY)

    assert again is None
    assert Letter.objects.count() == 5
    batch.refresh_from_db()
    assert (batch.total, batch.rendered, batch.status) == (5, 5, BatchStatus.READY)
    chunk = batch.chunks.get()
    assert chunk.pdf.read().startswith(b"%PDF")


def test_a_corrected_record_under_a_new_id_gets_no_second_letter(rule):
    """Helper 41 recorded LM-4c, issued a day after LM-4 and expiring a day later, for
    the same resident: the next run mailed a second letter for the same pass."""
    first = holder(rule)
    assert services.letters_create_due(rule=rule, today=TODAY).total == 1
    Certificate.objects.create(
        source_id=first.source_id + "c",
        resident=first.resident,
        certificate_type=rule.certificate_type,
        issued_on=first.issued_on + dt.timedelta(days=1),
        expires_on=first.expires_on + dt.timedelta(days=1),
    )

    assert services.letters_create_due(rule=rule, today=TODAY + dt.timedelta(days=1)) is None
    assert Letter.objects.count() == 1
    # The why-not page names the letter the case already had.
    from notices.selectors import residents_without_letter

    why = {
        item.certificate.source_id: item.reason
        for item in residents_without_letter(rule=rule, today=TODAY + dt.timedelta(days=1))
    }
    assert Letter.objects.get().code in why[first.source_id + "c"]
    # A renewal (a validity period later) is a new case: its letter comes in its window.
    Certificate.objects.create(
        source_id=first.source_id + "r",
        resident=first.resident,
        certificate_type=rule.certificate_type,
        issued_on=first.expires_on,
        expires_on=first.expires_on + dt.timedelta(days=365),
    )
    later = first.expires_on + dt.timedelta(days=365 - rule.days_before_expiry)
    assert services.letters_create_due(rule=rule, today=later).total == 1


@pytest.fixture
def rendered_batch(rule, django_capture_on_commit_callbacks, settings, tmp_path):
    """The batch of one resident's letter, made and rendered (its tasks run on commit)."""
    settings.MEDIA_ROOT = tmp_path
    holder(rule)
    with django_capture_on_commit_callbacks(execute=True):
        return services.letters_create_due(rule=rule, today=TODAY)


def test_a_chunk_rendered_twice_counts_its_letters_once(rendered_batch):
    batch = rendered_batch
    chunk = batch.chunks.get()

    assert tasks.letter_chunk_render(chunk.pk) is False  # a redelivered task

    batch.refresh_from_db()
    assert batch.rendered == 1


def test_a_chunk_whose_task_was_lost_is_queued_again_and_rendered_once(
    rule, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.LETTER_CHUNK_RETRY_SECONDS = 300
    holder(rule)
    holder(rule)
    # The batch is made, but its message never reaches a worker (the broker restarted).
    batch = services.letters_create_due(rule=rule, today=TODAY)
    chunk = batch.chunks.get()
    soon = chunk.queued_at + dt.timedelta(seconds=60)
    later = chunk.queued_at + dt.timedelta(seconds=301)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.letter_chunks_redispatch(now=soon) == 0  # may still be rendering
        assert services.letter_chunks_redispatch(now=later) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert services.letter_chunks_redispatch(now=later + dt.timedelta(hours=1)) == 0

    batch.refresh_from_db()
    assert (batch.rendered, batch.total, batch.status) == (2, 2, BatchStatus.READY)
    assert Letter.objects.filter(batch=batch).count() == 2


def test_letters_are_chunked_in_postal_code_order(rule, monkeypatch):
    monkeypatch.setattr(batches, "CHUNK_SIZE", 2)
    for postal in ("300-0001", "100-0001", "200-0001", "400-0001", "150-0001"):
        holder(rule, postal=postal)

    batch = services.letters_create_due(rule=rule, today=TODAY)

    parts = [
        list(
            chunk.letters.values_list("resident__postal_code", flat=True).order_by(
                "resident__postal_code"
            )
        )
        for chunk in batch.chunks.all()
    ]
    assert parts == [["100-0001", "150-0001"], ["200-0001", "300-0001"], ["400-0001"]]


def test_staff_mark_a_ready_batch_printed_then_mailed(rendered_batch):
    batch = rendered_batch
    batch.refresh_from_db()

    with pytest.raises(ValueError):
        services.letter_batch_mark(batch=batch, step="mailed")
    services.letter_batch_mark(batch=batch, step="printed")
    services.letter_batch_mark(batch=batch, step="mailed")

    assert batch.status == BatchStatus.MAILED
    assert Letter.objects.get().status == LetterStatus.MAILED


def test_a_booking_through_the_letter_code_counts_as_converted(rule, client):
    from notices import selectors

    holder(rule)
    batch = services.letters_create_due(rule=rule, today=TODAY)
    letter = Letter.objects.get()
    Reservation.objects.create(
        procedure=rule.procedure,
        staff=make_staff_member(),
        counter=CounterFactory(),
        start_at=dt.datetime(2030, 6, 20, tzinfo=dt.UTC),
        end_at=dt.datetime(2030, 6, 20, 0, 30, tzinfo=dt.UTC),
        code="BOOK-0002",
        manage_nonce="x",
        citizen_name="x",
        citizen_kana="x",
        email_key="x@example.jp",
        referral_code=letter.code,
    )

    [listed] = selectors.recent_batches(user=User(is_superuser=True))

    assert listed.pk == batch.pk
    assert listed.converted == 1


def test_the_letter_code_from_the_qr_code_follows_the_booking(client, rule):
    client.get("/book/%s/?letter=ABCD-EFGH" % rule.procedure.code)

    assert client.session["booking_referral"] == {
        "procedure": rule.procedure.code,
        "code": "ABCD-EFGH",
    }


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_make_each_letter_once(rule):
    for n in range(20):
        holder(rule, name="住民 %d" % n)
    barrier = threading.Barrier(4)

    def run(_):
        try:
            barrier.wait(timeout=30)
            batch = services.letters_create_due(rule=rule, today=TODAY)
            return batch.total if batch else 0
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        totals = list(pool.map(run, range(4)))

    assert sum(totals) == 20
    assert Letter.objects.count() == 20
    assert LetterBatch.objects.filter(total__gt=0).count() == 1


def test_the_overview_lists_the_newest_batches_past_ten(rule, client):
    """The page shows ten batches: the ten newest, so today's is there to download."""
    member = make_staff_member(role=Role.DEPARTMENT_STAFF, department=rule.sender)
    start = dt.datetime(2030, 5, 1, tzinfo=dt.UTC)
    for day in range(12):
        LetterBatch.objects.create(rule=rule, created_at=start + dt.timedelta(days=day))
    newest = LetterBatch.objects.order_by("-created_at").first()
    oldest = LetterBatch.objects.order_by("created_at").first()

    shown = recent_batches(user=member.user)

    assert shown[0].pk == newest.pk
    assert len(shown) == 10 and oldest.pk not in [b.pk for b in shown]


def test_marking_a_batch_printed_or_mailed_asks_first(rendered_batch, client):
    """Neither can be undone (helper 41): the button asks before it is sent."""
    client.force_login(make_staff_member(role=Role.MANAGER).user)

    page = client.get("/notices/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    form = page[page.index("/notices/batches/%d/printed/" % rendered_batch.pk) :]
    assert 'data-confirm="バッチ #%d を印刷済みにしますか' % rendered_batch.pk in form[:400]

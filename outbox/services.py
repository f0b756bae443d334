"""Every write of the outbox: queue an e-mail inside a change, send it once, retry it.

An e-mail is queued as a row in the transaction of the change that promises it (one
INSERT). After the commit a relay sends it: where workers run, one relay run is queued
for a burst of commits and sends what is due in batches, each over one connection to
the mail server; without workers (the embedded mode) the committing process sends its
own e-mail. A beat sweep (the same relay) sends whatever was missed (the broker was
down, a worker died, the send failed and its retry time came). Each row is claimed by a
conditional UPDATE before it is sent, so two relays never send it both.
"""

import datetime as dt
import logging
import smtplib
import time

from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F, Q
from django.db.models.sql import UpdateQuery
from django.utils import timezone, translation

from organization import furigana
from outbox import registry
from outbox.models import Email, EmailStatus

logger = logging.getLogger("madoguchi.outbox")

# While this cache key exists a relay run is queued and has not started: a commit that
# finds it queues none (that run will see its row). At most this many seconds, in case
# the run was not queued after all or is lost (the sweep covers it meanwhile).
RELAY_QUEUED = "outbox:relay-queued"
RELAY_QUEUED_SECONDS = 10
# Rows claimed at once and sent over one connection to the mail server.
RELAY_BATCH = 50


def email_queue(
    *,
    kind: str,
    key: str,
    object_id: int,
    recipient: str = "",
    language: str = "",
    params: dict | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Promise an e-mail. Call it inside the transaction of the change that causes it:
    the row commits (or rolls back) with the change. One INSERT; a second call with the
    same ``key`` (a retried request) writes nothing. The send is queued on commit; a
    failure to queue it never reaches the caller (the sweep sends the row later)."""
    now = now or timezone.now()
    Email.objects.bulk_create(
        [
            Email(
                key=key,
                kind=kind,
                object_id=object_id,
                recipient=recipient,
                language=language,
                params=params or {},
                next_attempt_at=now,
                created_at=now,
            )
        ],
        ignore_conflicts=True,
    )
    _relay_on_commit(key)


def _relay_on_commit(key: str) -> None:
    """After the commit: where workers run, make sure one relay run is queued (a burst of
    commits shares it); without workers (tasks run eagerly) this process sends ``key``."""
    from outbox import tasks

    if tasks.outbox_send.app.conf.task_always_eager:
        tasks.outbox_send.delay_on_commit(key)
    else:
        tasks.outbox_send_due.delay_on_commit_once(
            RELAY_QUEUED, RELAY_QUEUED_SECONDS, countdown=settings.OUTBOX_RELAY_DELAY_SECONDS
        )


def _claimable(now: dt.datetime) -> Q:
    """Waiting and due, or claimed by a relay that died before it finished, or never
    tried yet: a first attempt is made at once whatever the clocks of web and worker say."""
    return (
        Q(status=EmailStatus.PENDING, next_attempt_at__lte=now)
        | Q(status=EmailStatus.SENDING, claimed_until__lt=now)
        | Q(status=EmailStatus.PENDING, attempts=0)
    )


def _smtp_code(error: Exception) -> int | None:
    """The SMTP reply code of a refusal: the server's, or the recipients' when every one
    of them was refused with the same code."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = {code for code, _text in error.recipients.values()}
        return codes.pop() if len(codes) == 1 else None
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code or None
    return None


def _refused_for_good(error: Exception) -> bool:
    """The server refused this message or its recipient with a permanent (5xx) reply:
    sending it again cannot succeed, so staff see it failed at once (and can call the
    citizen) instead of after hours of retries. A refused sender or login is the
    server's set-up, not the message: fixed, the retries go through."""
    code = _smtp_code(error)
    permanent = isinstance(error, (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError))
    return permanent and code is not None and 500 <= code < 600


def _error_text(error: Exception) -> str:
    """What went wrong without personal data: SMTP errors and the text of exceptions
    name addresses, so only the error's class (and an SMTP reply code) is kept."""
    text = type(error).__name__
    code = _smtp_code(error)
    if code:
        text += " %s" % code
    return text[:200]


def _retry_delay(attempts: int) -> dt.timedelta:
    seconds = settings.OUTBOX_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return dt.timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))


def _finish(email: Email, **fields) -> None:
    """Record the outcome of a send. The e-mail may already be out, so a database that
    is restarting is waited for (up to the claim's lease) rather than leaving the row to
    be claimed again and sent twice."""
    deadline = time.monotonic() + settings.OUTBOX_LEASE_SECONDS / 2
    while True:
        try:
            Email.objects.filter(pk=email.pk, status=EmailStatus.SENDING).update(
                claimed_until=None, **fields
            )
            return
        except DatabaseError:
            if time.monotonic() > deadline:
                raise
            if not connection.in_atomic_block:
                connection.close()  # a broken connection stays broken: reconnect
            time.sleep(0.5)


def _claim(rows, now: dt.datetime) -> list[Email]:
    """Claim those of ``rows`` that may be sent now (status "sending", a lease, one more
    attempt) and return them as claimed. One statement (``UPDATE … RETURNING``) where the
    database returns rows from an UPDATE, else one conditional UPDATE a row."""
    rows = rows.filter(_claimable(now))
    lease = dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    values = {
        "status": EmailStatus.SENDING,
        "claimed_until": now + lease,
        "attempts": F("attempts") + 1,
    }
    db = connections[rows.db]
    # PostgreSQL and SQLite ≥ 3.35 (the feature Django checks for INSERT … RETURNING).
    if not db.features.can_return_columns_from_insert:
        ids = list(rows.values_list("pk", flat=True))
        won = [pk for pk in ids if rows.filter(pk=pk).update(**values)]
        return list(Email.objects.filter(pk__in=won))
    query = rows.query.chain(UpdateQuery)
    query.add_update_values(values)
    compiler = query.get_compiler(rows.db)
    compiler.pre_sql_setup()
    sql, params = compiler.as_sql()
    columns = ", ".join(db.ops.quote_name(f.column) for f in Email._meta.concrete_fields)
    return list(Email.objects.raw("%s RETURNING %s" % (sql, columns), params))


def _claim_due(now: dt.datetime, limit: int) -> list[Email]:
    """Claim up to ``limit`` due rows, the longest waiting first. Rows another relay is
    claiming at this moment are skipped (PostgreSQL: ``FOR UPDATE SKIP LOCKED``), not
    waited for; the conditional UPDATE keeps every database from claiming a row twice."""
    with transaction.atomic():
        ids = list(
            Email.objects.filter(_claimable(now))
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        return _claim(Email.objects.filter(pk__in=ids), now) if ids else []


def email_send(*, key: str, now: dt.datetime | None = None) -> str:
    """Send the outbox e-mail ``key`` if it is due and nobody else is sending it.

    Returns the row's status afterwards ("sent", "pending" for a retry later, "failed",
    "skipped"), or "" when it was not claimed (already sent, not due, another relay has
    it). A first attempt is made at once whatever the clocks of web and worker say.
    """
    now = now or timezone.now()
    claimed = _claim(Email.objects.filter(key=key), now)
    return _send(claimed[0], now) if claimed else ""


def _send(email: Email, now: dt.datetime, via=None) -> str:
    """Build, send and record one claimed row, over the open connection ``via`` if given
    (a failure closes it: the next message opens a new one)."""
    try:
        builder = registry.builder_for(email.kind)
        with translation.override(email.language or settings.LANGUAGE_CODE):
            message = builder(email)
        if message is not None and email.language == furigana.LANGUAGE:
            message = furigana.email_with_readings(message)
        if message is None:
            _finish(email, status=EmailStatus.SKIPPED, last_error="")
            return EmailStatus.SKIPPED
        if via is not None:
            via.open()  # nothing when it is open already
            message.connection = via
        message.send()
    except Exception as error:
        if via is not None:
            via.close()
        return _failed(email, error, now)
    _finish(
        email,
        status=EmailStatus.SENT,
        sent_at=timezone.now(),
        last_error="",
        recipient=email.recipient or ", ".join(message.to),
    )
    return EmailStatus.SENT


def _failed(email: Email, error: Exception, now: dt.datetime) -> str:
    text = _error_text(error)
    if email.attempts >= settings.OUTBOX_MAX_ATTEMPTS or _refused_for_good(error):
        status = EmailStatus.FAILED
        logger.error(
            "Outbox e-mail %s failed for good after %s attempts: %s",
            email.key,
            email.attempts,
            text,
        )
        _finish(email, status=status, last_error=text)
    else:
        status = EmailStatus.PENDING
        retry_at = now + _retry_delay(email.attempts)
        logger.warning(
            "Outbox e-mail %s not sent (attempt %s), retrying: %s", email.key, email.attempts, text
        )
        _finish(email, status=status, last_error=text, next_attempt_at=retry_at)
    return status


def emails_send_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """The relay, queued after commits and run by beat's sweep: send every row that is
    due (new, its retry time came, its relay died), up to ``limit``, in batches of
    RELAY_BATCH rows each sent over one connection to the mail server; a full batch
    queues another run for the next. Returns the number sent. A relay queued by a
    commit may start now: the next commit queues another."""
    cache.delete(RELAY_QUEUED)
    started = time.monotonic()
    now = now or timezone.now()
    sent = 0
    while limit > 0:
        # ``now`` moves on with the clock, so each batch's lease runs from its claim.
        batch_now = now + dt.timedelta(seconds=time.monotonic() - started)
        claimed = _claim_due(batch_now, min(RELAY_BATCH, limit))
        if not claimed:
            break
        if len(claimed) == RELAY_BATCH:
            _relay_more()
        limit -= len(claimed)
        sent += _send_batch(claimed, batch_now)
    return sent


def _relay_more() -> None:
    """A full batch: more may be due (a job promised many e-mails at once). Where
    workers run, another relay run takes the next batch meanwhile, in another worker
    process, and so on while the batches are full."""
    from outbox import tasks

    if not tasks.outbox_send_due.app.conf.task_always_eager:
        tasks.outbox_send_due.delay_once(RELAY_QUEUED, RELAY_QUEUED_SECONDS)


def _send_batch(emails: list[Email], now: dt.datetime) -> int:
    """Send claimed rows over one connection, what their builders need read for the
    batch at once where their kind preloads it. A batch stops (its rest is given back,
    untried) after a quarter of the lease, so no row's lease runs out while it waits
    behind a mail server that times out (another relay would send it a second time)."""
    deadline = time.monotonic() + settings.OUTBOX_LEASE_SECONDS / 4
    via = mail.get_connection()
    sent = 0
    try:
        with registry.preloading(emails):
            for index, email in enumerate(emails):
                if time.monotonic() > deadline:
                    Email.objects.filter(
                        pk__in=[e.pk for e in emails[index:]], status=EmailStatus.SENDING
                    ).update(
                        status=EmailStatus.PENDING, claimed_until=None, attempts=F("attempts") - 1
                    )
                    break
                sent += _send(email, now, via) == EmailStatus.SENT
    finally:
        via.close()
    return sent


def emails_send_again(*, email_ids: list[int], now: dt.datetime | None = None) -> int:
    """An administrator's "send again": the rows (failed, or sent and lost by the
    recipient) are due again with a fresh count of attempts. Rows waiting, being sent
    or not needed are left alone. Returns the number of rows queued."""
    now = now or timezone.now()
    with transaction.atomic():
        # Only rows that were sent or failed: one waiting is sent anyway, and one "not
        # needed" would still not be true (e.g. the booking was cancelled since).
        rows = Email.objects.filter(
            pk__in=email_ids, status__in=(EmailStatus.SENT, EmailStatus.FAILED)
        )
        keys = list(rows.values_list("key", flat=True))
        rows.update(
            status=EmailStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            claimed_until=None,
            last_error="",
            sent_at=None,
        )
        for key in keys:
            _relay_on_commit(key)
    return len(keys)


def emails_purge(*, now: dt.datetime | None = None) -> int:
    """Delete rows sent, not needed or failed more than OUTBOX_KEEP_DAYS ago: they hold
    citizens' addresses; a failed one has been in the admin that long."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.OUTBOX_KEEP_DAYS)
    deleted, _ = Email.objects.filter(
        status__in=[EmailStatus.SENT, EmailStatus.SKIPPED, EmailStatus.FAILED],
        created_at__lt=cutoff,
    ).delete()
    return deleted

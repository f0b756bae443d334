"""Every write of the outbox: queue an e-mail inside a change, send it once, retry it.

An e-mail is queued as a row in the transaction of the change that promises it (one
INSERT); after commit a task sends it, and a beat sweep sends whatever that task did not
(the broker was down, a worker died, the send failed and its retry time came). Each row
is claimed by a conditional UPDATE before it is sent, so two relays never send it both.
"""

import datetime as dt
import logging
import smtplib
import time

from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F, Q
from django.db.models.sql import UpdateQuery
from django.utils import timezone, translation

from organization import furigana
from outbox import registry
from outbox.models import Email, EmailStatus

logger = logging.getLogger("madoguchi.outbox")


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
    from outbox import tasks

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
    tasks.outbox_send.delay_on_commit(key)


def _claimable(now: dt.datetime) -> Q:
    """Waiting and due, or claimed by a relay that died before it finished."""
    return Q(status=EmailStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=EmailStatus.SENDING, claimed_until__lt=now
    )


def _error_text(error: Exception) -> str:
    """What went wrong without personal data: SMTP errors and the text of exceptions
    name addresses, so only the error's class (and an SMTP reply code) is kept."""
    text = type(error).__name__
    code = getattr(error, "smtp_code", None)
    if isinstance(error, smtplib.SMTPResponseException) and code:
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


def _claim(key: str, now: dt.datetime) -> Email | None:
    """Claim the row ``key`` if it may be sent now (status "sending", a lease, one more
    attempt) and return it as claimed; None when it may not. One statement (``UPDATE …
    RETURNING``) where the database returns rows from an UPDATE, else two."""
    lease = dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
    first_attempt = Q(status=EmailStatus.PENDING, attempts=0)
    rows = Email.objects.filter(key=key).filter(_claimable(now) | first_attempt)
    values = {
        "status": EmailStatus.SENDING,
        "claimed_until": now + lease,
        "attempts": F("attempts") + 1,
    }
    db = connections[rows.db]
    # PostgreSQL and SQLite ≥ 3.35 (the feature Django checks for INSERT … RETURNING).
    if not db.features.can_return_columns_from_insert:
        return Email.objects.get(key=key) if rows.update(**values) else None
    query = rows.query.chain(UpdateQuery)
    query.add_update_values(values)
    compiler = query.get_compiler(rows.db)
    compiler.pre_sql_setup()
    sql, params = compiler.as_sql()
    columns = ", ".join(db.ops.quote_name(f.column) for f in Email._meta.concrete_fields)
    claimed = list(Email.objects.raw("%s RETURNING %s" % (sql, columns), params))
    return claimed[0] if claimed else None


def email_send(*, key: str, now: dt.datetime | None = None) -> str:
    """Send the outbox e-mail ``key`` if it is due and nobody else is sending it.

    Returns the row's status afterwards ("sent", "pending" for a retry later, "failed",
    "skipped"), or "" when it was not claimed (already sent, not due, another relay has
    it). A first attempt is made at once whatever the clocks of web and worker say.
    """
    now = now or timezone.now()
    email = _claim(key, now)
    if email is None:
        return ""
    try:
        builder = registry.builder_for(email.kind)
        with translation.override(email.language or settings.LANGUAGE_CODE):
            message = builder(email)
        if message is not None and email.language == furigana.LANGUAGE:
            message = furigana.email_with_readings(message)
        if message is None:
            _finish(email, status=EmailStatus.SKIPPED, last_error="")
            return EmailStatus.SKIPPED
        message.send()
    except Exception as error:
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
    if email.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
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
    """The sweep: send every row that is due (its task was lost, its retry time came, its
    relay died). Returns the number sent."""
    now = now or timezone.now()
    keys = list(
        Email.objects.filter(_claimable(now))
        .order_by("next_attempt_at")
        .values_list("key", flat=True)[:limit]
    )
    return sum(email_send(key=key, now=now) == EmailStatus.SENT for key in keys)


def emails_send_again(*, email_ids: list[int], now: dt.datetime | None = None) -> int:
    """An administrator's "send again": the rows (failed, or sent and lost by the
    recipient) are due again with a fresh count of attempts. A row a relay is sending
    right now is left alone. Returns the number of rows queued."""
    now = now or timezone.now()
    with transaction.atomic():
        rows = Email.objects.filter(pk__in=email_ids).exclude(
            status=EmailStatus.SENDING, claimed_until__gte=now
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
        from outbox import tasks

        for key in keys:
            tasks.outbox_send.delay_on_commit(key)
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

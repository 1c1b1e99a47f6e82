"""Deliver the outbox: claim due messages, send them, mark them sent; queue due reminders.

Never twice: a sender first claims a message for a lease (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, a conditional update everywhere), commits, sends outside any transaction, then marks
it sent. Other processes leave a claimed message alone until its lease runs out. Nothing lost: a
failed attempt is retried with backoff; a process that dies mid-send lets its lease expire.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.utils import parseaddr

from flask import Flask, current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ..core import metrics
from ..core.timeutil import utcnow
from ..extensions import db, socketio
from ..participants.models import Registration, RegistrationSession
from ..programme.models import LiveSession, SessionStatus
from . import notices
from .models import OutboxMessage
from .transport import FileTransport, PermanentFailure, TemporaryFailure, transport_for

log = logging.getLogger(__name__)

#: How long a claimed message is held by its sender before another may try it.
LEASE = timedelta(minutes=5)
#: After this many failed attempts (about a day and a half of backoff) a message fails for good.
MAX_ATTEMPTS = 40
BATCH = 50
#: Sent, failed and expired messages are kept this long (to answer "did it go?"), then deleted.
KEEP_FINISHED = timedelta(days=30)


def backlog() -> int:
    """How many mails wait to be sent (an operator's alarm when it only grows)."""
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(OutboxMessage.state == "pending")
    )


metrics.register_gauge("companion_outbox_backlog", "Mails waiting in the outbox.", backlog)


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt: 30 s, 1 min, 2 min ... at most one hour."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def transport():
    """The application's transport (built once from the configuration)."""
    app = current_app
    found = app.extensions.get("companion_mail_transport")
    if found is None:
        found = app.extensions["companion_mail_transport"] = transport_for(app.config["COMPANION"])
    return found


def claim_due(now: datetime, limit: int = BATCH) -> list[int]:
    """Claim up to ``limit`` due messages for this sender; return their ids (committed)."""
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.state == "pending",
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if db.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claimed = []
    for message_id in db.session.scalars(due).all():
        result = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.state == "pending",
                or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            )
            .values(claimed_until=now + LEASE)
        )
        if result.rowcount == 1:
            claimed.append(message_id)
    db.session.commit()
    return claimed


def deliver_due(now: datetime | None = None, *, via=None, limit: int = BATCH) -> int:
    """Send the messages due at ``now``; return how many were sent.

    A test drives ``now``; the background task passes nothing (the clock). No transaction is
    open while a message travels: SQLite's one connection stays free for the requests.
    """
    now = now or utcnow()
    via = via or transport()
    config = current_app.config["COMPANION"]
    envelope_from = parseaddr(config.mail_from)[1] or "companion@localhost"
    sent = 0
    for message_id in claim_due(now, limit):
        row = db.session.get(OutboxMessage, message_id)
        if row.expires_at is not None and now >= row.expires_at:
            _finish(message_id, state="expired", error="not sent before it expired")
            continue
        kind, recipient, message, attempts = row.kind, row.recipient, row.message, row.attempts
        db.session.commit()  # ends the read: the connection goes back to the pool
        try:
            if isinstance(via, FileTransport):
                via.send(envelope_from, recipient, message, name=f"{message_id:06d}-{kind}.eml")
            else:
                via.send(envelope_from, recipient, message)
        except PermanentFailure as exc:
            log.warning("mail %s (%s) refused for good: %s", message_id, kind, exc)
            _finish(message_id, state="failed", error=str(exc), attempted=True)
            continue
        except TemporaryFailure as exc:
            attempts += 1
            if attempts >= MAX_ATTEMPTS:
                log.error("mail %s (%s) given up after %s attempts", message_id, kind, attempts)
                _finish(message_id, state="failed", error=str(exc), attempted=True)
            else:
                log.info("mail %s not sent (%s); retry in %s", message_id, exc, backoff(attempts))
                _finish(
                    message_id,
                    state="pending",
                    error=str(exc),
                    attempted=True,
                    next_attempt_at=now + backoff(attempts),
                )
            continue
        _finish(message_id, state="sent", attempted=True, sent_at=now)
        log.info("mail %s (%s) sent", message_id, kind)
        sent += 1
    return sent


def _finish(
    message_id: int,
    *,
    state: str,
    error: str = "",
    attempted: bool = False,
    sent_at: datetime | None = None,
    next_attempt_at: datetime | None = None,
) -> None:
    """Record the outcome of an attempt and release the claim, in one short transaction."""
    row = db.session.get(OutboxMessage, message_id)
    row.state = state
    row.claimed_until = None
    if attempted:
        row.attempts += 1
    if error:
        row.last_error = error[:2000]
    if sent_at is not None:
        row.sent_at = sent_at
    if next_attempt_at is not None:
        row.next_attempt_at = next_attempt_at
    db.session.commit()


def queue_due_reminders(now: datetime | None = None) -> int:
    """Queue the reminders due at ``now``; return how many were queued.

    Each reminder offset owns a window: the 24 h one runs from 24 h before the start until the
    15 min one takes over, so a server that was down sends only the reminder still meaningful.
    None for a session that has started, a purged or removed registration, or someone who
    registered after the reminder's moment. A unique key makes each exist once, whatever the
    number of processes.
    """
    now = now or utcnow()
    offsets = current_app.config["COMPANION"].reminders_s
    for attempt in range(2):
        try:
            queued = _queue_reminders(now, offsets)
            db.session.commit()
            return queued
        except IntegrityError:
            # Another process queued the same reminders meanwhile: look again.
            db.session.rollback()
            if attempt:
                raise
    return 0


def _queue_reminders(now: datetime, offsets: tuple[int, ...]) -> int:
    queued = 0
    for index, offset in enumerate(offsets):
        next_offset = offsets[index + 1] if index + 1 < len(offsets) else 0
        sessions = db.session.scalars(
            select(LiveSession).where(
                LiveSession.status == SessionStatus.SCHEDULED,
                LiveSession.starts_at > now + timedelta(seconds=next_offset),
                LiveSession.starts_at <= now + timedelta(seconds=offset),
            )
        ).all()
        for session in sessions:
            registrations = db.session.scalars(
                select(Registration)
                .join(RegistrationSession, RegistrationSession.registration_id == Registration.id)
                .where(
                    RegistrationSession.session_id == session.id,
                    Registration.purged_at.is_(None),
                    Registration.created_at < session.starts_at - timedelta(seconds=offset),
                )
            ).all()
            keys = {notices.reminder_key(r.id, session.id, offset): r for r in registrations}
            if not keys:
                continue
            done = set(
                db.session.scalars(
                    select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys))
                )
            )
            for key, registration in keys.items():
                if key not in done:
                    notices.queue_reminder(registration, session, offset)
                    queued += 1
            db.session.flush()
    return queued


def prune_outbox(now: datetime | None = None) -> int:
    """Delete finished messages after ``KEEP_FINISHED``, and every message of a purged
    registration (a mail holds its name and personal links); return how many."""
    now = now or utcnow()
    purged = select(Registration.id).where(Registration.purged_at.is_not(None))
    deleted = db.session.execute(
        delete(OutboxMessage)
        .where(
            or_(
                (OutboxMessage.state != "pending")
                & (OutboxMessage.created_at < now - KEEP_FINISHED),
                OutboxMessage.registration_id.in_(purged),
            )
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return deleted


def run_once(now: datetime | None = None) -> int:
    """One round of the background task: queue due reminders, send what is due, prune.

    Batch after batch while they come back full: a thousand registrations' confirmations go
    out at once rather than fifty a round, and are not still trickling out while the session
    they are for is live. Other greenlets run between two batches.
    """
    queue_due_reminders(now)
    sent = total = deliver_due(now)
    while sent == BATCH:
        socketio.sleep(0)
        sent = deliver_due(now)
        total += sent
    prune_outbox(now)
    return total


def start_background_sender(app: Flask) -> None:
    """Run :func:`run_once` every ``mail_interval_s`` seconds in a background task."""
    interval = app.config["COMPANION"].mail_interval_s

    def loop() -> None:
        while True:
            with app.app_context():
                try:
                    run_once()
                except (DBAPIError, PoolTimeout) as exc:
                    # The database is away (restart, failover): expected, and said in one line.
                    db.session.rollback()
                    log.warning(
                        "mail sender: database unavailable (%s); next round in %ss",
                        type(exc).__name__,
                        interval,
                    )
                except Exception:  # anything else is a bug worth its traceback; retry anyway
                    db.session.rollback()
                    log.exception("mail sender round failed")
                finally:
                    db.session.remove()
            socketio.sleep(interval)

    socketio.start_background_task(loop)

"""The mail outbox: one row per message, written in the transaction that causes it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import UTCDateTime
from ..core.timeutil import utcnow
from ..extensions import db


class OutboxMessage(db.Model):
    """A mail to deliver; the sender claims it, sends it over SMTP, then marks it sent."""

    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    # registration, lost_link, reminder, staff_invitation, password_reset, summary ...
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500))
    # The whole RFC 5322 message, built once when queued: a retry sends the same bytes.
    message: Mapped[str] = mapped_column(Text)
    # A unique key for mails that must exist once at most (reminders); NULL for the others.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    # A removed registration takes its unsent mails with it.
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    # pending (waiting or retrying), sent, failed (for good) or expired (unsent in time).
    state: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Not sent after this moment (a reminder for a session that has begun): expired instead.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A sender holds the message until this moment; another process leaves it alone meanwhile.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

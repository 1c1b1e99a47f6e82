"""Tables behind replay (the broadcast log) and resend safety (client receipts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import UTCDateTime
from ..core.timeutil import utcnow
from ..extensions import db

# Who may see a logged broadcast: everyone in the session, or staff (plus one participant).
AUDIENCE_ALL = "all"
AUDIENCE_STAFF = "staff"


class SessionBroadcast(db.Model):
    """A broadcast of a change of state, kept so a reconnecting client can replay it."""

    __tablename__ = "session_broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("live_sessions.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict] = mapped_column(JSON)
    audience: Mapped[str] = mapped_column(String(10), default=AUDIENCE_ALL)
    # With AUDIENCE_STAFF: the one participant who may also see it (an author, say).
    participant_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("session_id", "seq"),)


class ClientReceipt(db.Model):
    """The answer given to a contribution, keyed by its sender and ``client_id``."""

    __tablename__ = "client_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_key: Mapped[str] = mapped_column(String(40))
    client_id: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(40))
    result: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("actor_key", "client_id"),
        Index("ix_client_receipts_created_at", "created_at"),
    )

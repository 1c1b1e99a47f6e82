"""Summary tables: who ran each session (for the header), and the record of data purges."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import UTCDateTime
from ..core.timeutil import utcnow
from ..extensions import db


class SessionModerator(db.Model):
    """A staff member who ran a session: started or ended it, or moved its agenda."""

    __tablename__ = "session_moderators"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True
    )
    first_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DataPurge(db.Model):
    """One purge of an event's personal data: when, whether forced, and how much it erased.

    Only counts are kept here; the aggregates of the summaries are unchanged by a purge.
    """

    __tablename__ = "data_purges"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Who purged from the dashboard (null: the command line, or the account is gone).
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True
    )
    forced: Mapped[bool] = mapped_column(Boolean, default=False)
    registrations: Mapped[int] = mapped_column(Integer, default=0)
    participants: Mapped[int] = mapped_column(Integer, default=0)
    questions: Mapped[int] = mapped_column(Integer, default=0)
    question_edits: Mapped[int] = mapped_column(Integer, default=0)
    receipts: Mapped[int] = mapped_column(Integer, default=0)
    broadcasts: Mapped[int] = mapped_column(Integer, default=0)


class SummaryMailing(db.Model):
    """The summary of a session sent to its registrants: when, by whom, to how many."""

    __tablename__ = "summary_mailings"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    staff_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), nullable=True
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str] = mapped_column(String(8), default="fr")

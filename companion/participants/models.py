"""People tables: registrations for an event, participants of a session, staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.i18n import N_
from ..core.models import UTCDateTime
from ..core.timeutil import utcnow
from ..extensions import db

PROFILES = ("agent_developpement", "elu", "porteur_projet", "societe_civile", "autre")
#: Each profile as the registration form's choices read (to translate where shown).
PROFILE_LABELS = {
    "agent_developpement": N_("Development officer"),
    "elu": N_("Elected representative"),
    "porteur_projet": N_("Project leader"),
    "societe_civile": N_("Civil society"),
    "autre": N_("Other"),
}
STAFF_ROLES = ("moderator", "facilitator")


class Registration(db.Model):
    """Someone registered for an event and the sessions they chose."""

    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    organisation: Mapped[str] = mapped_column(String(300), default="")
    profile: Mapped[str] = mapped_column(String(40), default="autre")
    # The person's language (the browser's at registration): mails to them are written in it.
    language: Mapped[str] = mapped_column(String(8), default="fr")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Raising it revokes every token handed out so far.
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session_links: Mapped[list[RegistrationSession]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (UniqueConstraint("event_id", "email"),)

    @property
    def session_ids(self) -> list[int]:
        return sorted(link.session_id for link in self.session_links)


class RegistrationSession(db.Model):
    """A session a registration chose to attend."""

    __tablename__ = "registration_sessions"

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True
    )


class Participant(db.Model):
    """A person present in one session, through a registration or a join code."""

    __tablename__ = "participants"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL")
    )
    display_name: Mapped[str] = mapped_column(String(200))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    banned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    token_version: Mapped[int] = mapped_column(Integer, default=0)

    registration: Mapped[Registration | None] = relationship()

    __table_args__ = (UniqueConstraint("session_id", "registration_id"),)


class StaffUser(db.Model):
    """A moderator or facilitator account (facilitators may also moderate)."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200))
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when a facilitator revokes the account: it can no longer log in (kept for history).
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when an invitation is sent; cleared once the invitee has chosen a password.
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

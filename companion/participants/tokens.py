"""The application's token signer, and turning a verified token into an Actor."""

from __future__ import annotations

from flask import Flask

from ..core import identity
from ..core.actors import ATTENDEE, SPEAKER, Actor
from ..core.errors import Forbidden, Unauthorized
from ..core.i18n import N_
from ..core.tokens import TokenClaims
from ..extensions import db
from ..programme.models import Speaker
from .models import Participant, Registration, StaffUser

signer = identity.signer


def participant_token(participant: Participant) -> str:
    return signer().sign("participant", participant.id, participant.token_version)


def registration_token(registration: Registration) -> str:
    return signer().sign("registration", registration.id, registration.token_version)


def staff_token(staff: StaffUser) -> str:
    return signer().sign("staff", staff.id, staff.token_version)


def password_token(staff: StaffUser) -> str:
    """Return a set-password token for ``staff``; setting the password spends it."""
    return signer().sign("password", staff.id, staff.token_version)


def speaker_token(speaker: Speaker) -> str:
    """Return the speaker's personal token for the speaker view (watch, never moderate)."""
    return signer().sign("speaker", speaker.id, speaker.token_version)


def staff_from_password_token(token: object) -> StaffUser:
    """Return the account a set-password token is for, or raise Unauthorized."""
    claims = signer().verify(token)
    staff = db.session.get(StaffUser, claims.subject_id) if claims.kind == "password" else None
    if staff is None or staff.token_version != claims.version:
        raise Unauthorized(N_("This link is no longer valid; ask for a new one."))
    return staff


def actor_for(claims: TokenClaims) -> Actor:
    """Load the actor a token stands for, refusing revoked tokens and banned participants."""
    if claims.kind == "participant":
        participant = db.session.get(Participant, claims.subject_id)
        # The ban first: a removal also revokes the token, and the person should learn why.
        if participant is not None and participant.banned_at is not None:
            raise Forbidden(N_("You have been removed from this session by a moderator."))
        if participant is None or participant.token_version != claims.version:
            raise Unauthorized(N_("This token is no longer valid; join the session again."))
        return Actor(
            kind="participant",
            id=participant.id,
            name=participant.display_name,
            role=ATTENDEE,
            session_id=participant.session_id,
        )
    if claims.kind == "staff":
        staff = db.session.get(StaffUser, claims.subject_id)
        if staff is None or staff.token_version != claims.version:
            raise Unauthorized(N_("This token is no longer valid; log in again."))
        return Actor(kind="staff", id=staff.id, name=staff.name or staff.email, role=staff.role)
    if claims.kind == "speaker":
        speaker = db.session.get(Speaker, claims.subject_id)
        if speaker is None or speaker.token_version != claims.version:
            raise Unauthorized(N_("This speaker link has been replaced; ask the organisers."))
        return Actor(
            kind="speaker",
            id=speaker.id,
            name=speaker.name,
            role=SPEAKER,
            event_id=speaker.event_id,
        )
    raise Unauthorized(N_("A registration link is not a session token: join the session first."))


def actor_from_token(token: object) -> Actor:
    """Verify ``token`` and return its actor, or raise Unauthorized/Forbidden."""
    return actor_for(signer().verify(token))


def registered_sessions(claims: TokenClaims, event_id: int) -> set[int]:
    """The sessions of ``event_id`` a registration token opens, or raise Unauthorized."""
    registration = db.session.get(Registration, claims.subject_id)
    if (
        claims.kind != "registration"
        or registration is None
        or registration.token_version != claims.version
        or registration.event_id != event_id
    ):
        raise Unauthorized(N_("This registration link is no longer valid."))
    return set(registration.session_ids)


def init_app(app: Flask) -> None:
    """Tell core who tokens stand for (core cannot import this domain)."""
    identity.bind(app, identity.Identity(actor_for, registered_sessions))

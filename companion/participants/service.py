"""Registration, joining a session, and staff accounts."""

from __future__ import annotations

from functools import cache

from blinker import Namespace
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..core.errors import Conflict, Forbidden, Invalid, Unauthorized
from ..core.i18n import N_
from ..core.passwords import hash_password, verify_password
from ..extensions import db
from ..programme.models import Event, LiveSession, SessionStatus
from ..realtime import revocation
from .models import STAFF_ROLES, Participant, Registration, RegistrationSession, StaffUser
from .schemas import JoinIn, RegistrationIn
from .tokens import signer

signals = Namespace()
#: Sent inside the transaction when a moderator removes a participant: (participant, actor).
participant_removed = signals.signal("participant-removed")
#: Sent inside the transaction when someone registers: (registration,). The mail package
#: queues the confirmation there, so it exists exactly when the registration does.
registered = signals.signal("registered")


def register(event: Event, data: RegistrationIn, *, language: str = "fr") -> Registration:
    """Register someone for some of the event's sessions; ``language`` is for their mails.

    :raises Invalid: a session is not one of this event's.
    :raises Conflict: this email is already registered for the event.
    """
    own = {s.id for s in event.sessions}
    unknown = sorted(set(data.session_ids) - own)
    if unknown:
        raise Invalid(
            N_("These sessions are not part of this event: %(ids)s"),
            params={"ids": ", ".join(map(str, unknown))},
            details=[
                {"field": "session_ids", "problem": N_("Choose among this event's sessions.")}
            ],
        )
    email = data.email.strip().lower()
    exists = db.session.scalar(
        select(func.count()).where(Registration.event_id == event.id, Registration.email == email)
    )
    if exists:
        raise Conflict(
            N_(
                "This email is already registered for this event. Lost your personal link? "
                "Ask for it again: it will be mailed to you."
            ),
            details=[{"field": "email", "problem": N_("Already registered for this event.")}],
        )
    registration = Registration(
        event_id=event.id,
        name=data.name,
        email=email,
        organisation=data.organisation,
        profile=data.profile,
        language=language if language in ("fr", "en") else "fr",
        session_links=[
            RegistrationSession(session_id=sid) for sid in sorted(set(data.session_ids))
        ],
    )
    db.session.add(registration)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(
            N_("This email is already registered for this event."),
            details=[{"field": "email", "problem": N_("Already registered for this event.")}],
        ) from None
    registered.send(registration)
    return registration


def join_session(session: LiveSession, data: JoinIn) -> Participant:
    """Make (or find again) the participant for whoever joins ``session``.

    With a registration token: the registration must name this session. With the session's
    join code and a display name: only where the event allows it.
    """
    event = session.event
    if data.registration_token:
        claims = signer().verify(data.registration_token)
        if claims.kind != "registration":
            raise Unauthorized(N_("This is not a registration link."))
        registration = db.session.get(Registration, claims.subject_id)
        if registration is None or registration.token_version != claims.version:
            raise Unauthorized(N_("This registration link is no longer valid."))
        if registration.event_id != event.id:
            raise Forbidden(N_("This registration link is for another event."))
        if session.id not in registration.session_ids:
            if not data.add_session or session.status == SessionStatus.ENDED:
                raise Forbidden(
                    N_("You did not register for this session. Register for it first, then join."),
                    details={
                        "reason": "not_registered",
                        "may_add": session.status != SessionStatus.ENDED,
                    },
                )
            registration.session_links.append(RegistrationSession(session_id=session.id))
        participant = db.session.scalar(
            select(Participant).where(
                Participant.session_id == session.id,
                Participant.registration_id == registration.id,
            )
        )
        if participant is None:
            participant = Participant(
                session_id=session.id,
                registration_id=registration.id,
                display_name=data.name or registration.name,
            )
            db.session.add(participant)
        elif participant.banned_at is not None:
            raise Forbidden(N_("You have been removed from this session by a moderator."))
        db.session.flush()
        return participant

    if event.registration_required and not event.code_join_allowed:
        raise Forbidden(
            N_(
                "Registration is required for this event: join with your personal registration link."
            )
        )
    if event.code_join_allowed or event.registration_required:
        if not data.code:
            raise Invalid(N_("Give the session's join code."))
        if data.code.strip().upper() != session.join_code:
            raise Forbidden(N_("This join code is not the session's."))
    if not data.name:
        raise Invalid(N_("Give a display name to join."))
    participant = Participant(session_id=session.id, display_name=data.name)
    db.session.add(participant)
    db.session.flush()
    return participant


def create_staff(email: str, password: str, role: str, name: str = "") -> StaffUser:
    """Create a moderator or facilitator account, or update the password of an existing one."""
    if role not in STAFF_ROLES:
        raise Invalid(
            N_("The role must be one of: %(roles)s."), params={"roles": ", ".join(STAFF_ROLES)}
        )
    if len(password) < 8:
        raise Invalid(N_("The password must have at least 8 characters."))
    email = email.strip().lower()
    if "@" not in email:
        raise Invalid(N_("Give a valid email address."))
    staff = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
    if staff is None:
        staff = StaffUser(
            email=email, name=name or email.split("@")[0], role=role, password_hash=""
        )
        db.session.add(staff)
    staff.role = role
    staff.password_hash = hash_password(password)
    staff.revoked_at = None
    staff.invited_at = None
    db.session.flush()
    # A new role or name: the running servers load the account afresh at its next event.
    revocation.revoke([("staff", staff.id)], disconnect=False)
    return staff


def authenticate(email: str, password: str) -> StaffUser:
    """Return the staff account for these credentials, or raise Unauthorized."""
    staff = db.session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))
    # Hash even when the account is unknown, so timing does not tell which emails exist.
    if staff is None:
        verify_password(_dummy_hash(), password)
        raise Unauthorized(N_("Wrong email or password."))
    if not verify_password(staff.password_hash, password) or staff.revoked_at is not None:
        raise Unauthorized(N_("Wrong email or password."))
    return staff


@cache
def _dummy_hash() -> str:
    return hash_password("companion-timing-equaliser")

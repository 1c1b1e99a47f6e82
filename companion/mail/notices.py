"""The mails Companion sends: registration, a lost link, reminders, staff invitations, resets."""

from __future__ import annotations

from datetime import timedelta

from babel.dates import format_timedelta
from sqlalchemy.orm import selectinload

from ..core.timeutil import utcnow
from ..core.urls import external_url, session_link
from ..extensions import db
from ..participants.models import Registration, StaffUser
from ..participants.service import registered
from ..participants.staff import password_link, staff_invited
from ..participants.tokens import registration_token
from ..programme.calendar import build_calendar
from ..programme.models import Event, LiveSession
from .models import OutboxMessage
from .service import Attachment, contact_address, mail_language, queue_mail

#: A lost link or a reset link is mailed at most once in this window: nobody can flood an inbox.
QUIET = timedelta(minutes=5)


def personal_link(
    registration: Registration, session: LiveSession, token: str | None = None
) -> str:
    """The registration's own address of ``session``'s attendee page."""
    token = token or registration_token(registration)
    return session_link(session.id, token)


def chosen_sessions(registration: Registration, event: Event) -> list[LiveSession]:
    chosen = set(registration.session_ids)
    return [s for s in event.sessions if s.id in chosen]


def _event_tree(event_id: int) -> Event:
    """The event with its sessions and agenda, in three queries rather than one per session."""
    return db.session.scalar(
        db.select(Event)
        .where(Event.id == event_id)
        .options(selectinload(Event.sessions).selectinload(LiveSession.agenda))
    )


def _personal_mail(kind: str, template: str, registration: Registration, **extra) -> OutboxMessage:
    event = _event_tree(registration.event_id)
    sessions = chosen_sessions(registration, event)
    token = registration_token(registration)
    links = {s.id: personal_link(registration, s, token) for s in sessions}
    ics = build_calendar(event, sessions, page_url=lambda s: links[s.id], with_webconference=True)
    return queue_mail(
        kind,
        template,
        to=registration.email,
        language=registration.language,
        reply_to=contact_address(event.contact),
        attachments=[
            Attachment(f"{event.slug}.ics", ics, "text", "calendar", (("method", "PUBLISH"),))
        ],
        registration_id=registration.id,
        registration=registration,
        event=event,
        sessions=sessions,
        links=links,
        programme_url=external_url("pages.event_page", slug=event.slug),
        **extra,
    )


def queue_registration_confirmation(registration: Registration) -> OutboxMessage:
    """Mail the personal link of each chosen session, with an .ics of those sessions only."""
    return _personal_mail("registration", "registration", registration)


@registered.connect
def _on_registered(registration: Registration, **_) -> None:
    queue_registration_confirmation(registration)


@staff_invited.connect
def _on_staff_invited(
    staff: StaffUser, *, link: str, language: str, inviter: str = "", named: bool = False, **_
) -> None:
    queue_staff_invitation(staff, link, language=language, inviter=inviter, named=named)


def recently_queued(kind: str, recipient: str) -> bool:
    """Whether a ``kind`` mail to ``recipient`` was queued within the quiet window."""
    found = db.session.scalar(
        db.select(OutboxMessage.id)
        .where(
            OutboxMessage.kind == kind,
            OutboxMessage.recipient == recipient,
            OutboxMessage.created_at > utcnow() - QUIET,
        )
        .limit(1)
    )
    return found is not None


def queue_lost_link(registration: Registration) -> OutboxMessage | None:
    """Mail the personal links again, unless they were mailed moments ago (then None)."""
    if recently_queued("lost_link", registration.email):
        return None
    return _personal_mail("lost_link", "lost_link", registration)


def queue_reminder(
    registration: Registration, session: LiveSession, offset_s: int
) -> OutboxMessage:
    """Mail a reminder of ``session``; its dedupe key makes it exist once across processes."""
    event = db.session.get(Event, registration.event_id)
    return queue_mail(
        "reminder",
        "reminder",
        to=registration.email,
        language=registration.language,
        reply_to=contact_address(event.contact),
        registration_id=registration.id,
        dedupe_key=reminder_key(registration.id, session.id, offset_s),
        expires_at=session.starts_at,
        registration=registration,
        event=event,
        session=session,
        link=personal_link(registration, session),
        delay=format_timedelta(
            timedelta(seconds=offset_s),
            threshold=1.1,
            add_direction=True,
            locale=mail_language(registration.language),
        ),
    )


def reminder_key(registration_id: int, session_id: int, offset_s: int) -> str:
    return f"reminder:{registration_id}:{session_id}:{offset_s}"


def queue_staff_invitation(
    staff: StaffUser, link: str, *, language: str, inviter: str = "", named: bool = False
) -> OutboxMessage:
    """Mail an invitation to a new moderator or facilitator; ``link`` sets their password.

    ``inviter``: who invites (named in the mail); ``named``: the inviter typed the person's
    name, so the mail greets them by it (otherwise the account's name is the address's start).
    """
    return queue_mail(
        "staff_invitation",
        "staff_invitation",
        to=staff.email,
        language=language,
        staff=staff,
        link=link,
        inviter=inviter,
        greet=staff.name if named else "",
    )


def queue_password_reset(staff: StaffUser, *, language: str) -> OutboxMessage | None:
    """Mail a link to choose a new password, unless one went moments ago (then None)."""
    if recently_queued("password_reset", staff.email):
        return None
    return queue_mail(
        "password_reset",
        "password_reset",
        to=staff.email,
        language=language,
        staff=staff,
        link=password_link(staff),
    )

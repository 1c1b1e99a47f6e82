"""The registration list of the organiser's workspace: search, attendance, removal, links."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select

from ..core.errors import NotFound
from ..core.i18n import N_
from ..core.timeutil import iso
from ..core.urls import session_link
from ..extensions import db
from ..programme.models import Event
from .models import Participant, Registration
from .staff import close_participant_sockets
from .tokens import registration_token


def get_registration(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise NotFound(N_("No such registration."))
    return registration


def search_registrations(
    event: Event, query: str = "", *, page: int = 1, per_page: int = 50
) -> tuple[list[Registration], int]:
    """Return one page of the event's registrations matching ``query``, and the total."""
    where = [Registration.event_id == event.id]
    query = query.strip().lower()
    if query:
        escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        where.append(
            or_(
                func.lower(Registration.name).like(pattern, escape="\\"),
                func.lower(Registration.email).like(pattern, escape="\\"),
                func.lower(Registration.organisation).like(pattern, escape="\\"),
            )
        )
    total = db.session.scalar(select(func.count()).select_from(Registration).where(*where))
    rows = list(
        db.session.scalars(
            select(Registration)
            .where(*where)
            .order_by(Registration.created_at, Registration.id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return rows, total


def attendance(registrations: list[Registration]) -> dict[int, list[int]]:
    """Map each registration to the sessions its person actually joined."""
    ids = [r.id for r in registrations]
    joined: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        rows = db.session.execute(
            select(Participant.registration_id, Participant.session_id).where(
                Participant.registration_id.in_(ids)
            )
        )
        for registration_id, session_id in rows:
            joined[registration_id].append(session_id)
    return {k: sorted(v) for k, v in joined.items()}


def registration_dict(registration: Registration, timezone: str, joined: list[int]) -> dict:
    return {
        "id": registration.id,
        "name": registration.name,
        "email": registration.email,
        "organisation": registration.organisation,
        "profile": registration.profile,
        "created_at": iso(registration.created_at, timezone),
        "session_ids": registration.session_ids,
        "attended_session_ids": joined,
    }


def personal_links(registration: Registration) -> dict[str, Any]:
    """A fresh personal token and join link per chosen session (the old links keep working)."""
    token = registration_token(registration)
    return {
        "token": token,
        "join_links": {str(sid): session_link(sid, token) for sid in registration.session_ids},
    }


def remove_registration(registration: Registration, *, actor) -> None:
    """Remove a registration: its link and its participants' tokens stop at once.

    What its person contributed in sessions stays (a participant outlives its registration).
    """
    participants = list(
        db.session.scalars(
            select(Participant).where(Participant.registration_id == registration.id)
        )
    )
    for participant in participants:
        participant.token_version += 1
    db.session.delete(registration)
    db.session.flush()
    close_participant_sockets([p.id for p in participants])

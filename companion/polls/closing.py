"""Polls at the end of a session: every open poll closes with its final tallies; a reopen
opens again the polls that the end had closed, and no others."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..core.timeutil import utcnow
from ..extensions import db
from ..programme import service as programme
from ..programme.models import LiveSession, SessionStatus
from .models import Poll, PollState
from .presenters import publish


def _polls(session: LiveSession, ids: list[int] | None = None, *, state: PollState) -> list[Poll]:
    query = select(Poll).where(Poll.session_id == session.id, Poll.state == state)
    if ids is not None:
        query = query.where(Poll.id.in_(ids))
    if db.engine.dialect.name == "postgresql":
        # Wait for the votes under way (they hold a shared lock on the poll row): none lands after.
        query = query.with_for_update()
    return list(db.session.scalars(query.order_by(Poll.position, Poll.id)))


def close_open_polls(session: LiveSession) -> list[int]:
    """Close every open poll of the session and broadcast each with its final results."""
    now = utcnow()
    closed = []
    for poll in _polls(session, state=PollState.OPEN):
        poll.state = PollState.CLOSED
        poll.closed_at = now
        publish(poll)
        closed.append(poll.id)
    return closed


def reopen_polls(session: LiveSession, ids: list[int]) -> list[int]:
    """Open again the polls an end closed (those since deleted or reopened are skipped)."""
    reopened = []
    for poll in _polls(session, ids, state=PollState.CLOSED):
        poll.state = PollState.OPEN
        poll.closed_at = None
        publish(poll)
        reopened.append(poll.id)
    return reopened


@programme.session_status_changed.connect
def _on_session_status_changed(
    session: LiveSession, reopened: dict | None = None, **_: Any
) -> dict[str, Any] | None:
    if session.status == SessionStatus.ENDED:
        return {"closed_polls": close_open_polls(session)}
    if reopened is not None:
        return {"reopened_polls": reopen_polls(session, reopened.get("closed_polls") or [])}
    return None

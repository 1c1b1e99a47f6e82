"""The projector's display: which panel the screen shows, chosen by a moderator.

The choice lives in the session's settings (``projector``) and is broadcast to staff (the
projector is a staff page) as ``projector.updated`` with the session's seq, so every projector
open on the session follows, and one that reconnects replays it.
"""

from __future__ import annotations

from typing import Any

from ..core.actors import Actor
from ..core.errors import Conflict, Forbidden, Invalid
from ..core.i18n import N_
from ..extensions import db
from ..polls.models import Poll, PollState
from ..programme.models import LiveSession
from ..realtime import hub
from ..realtime.models import AUDIENCE_STAFF

#: auto: the speaker, the poll under way and the pinned question, as they come.
MODES = ("auto", "poll", "question", "timer", "join", "agenda")
DEFAULT = {"mode": "auto", "poll_id": None}


def display_of(session: LiveSession) -> dict[str, Any]:
    """Return what the projector shows now: ``{mode, poll_id}``."""
    stored = session.setting("projector") or {}
    return {**DEFAULT, **{k: v for k, v in stored.items() if k in DEFAULT}}


def join_panel(session: LiveSession) -> dict[str, Any]:
    """The join panel's content: the code and the address, when the event allows code join.

    The address is the one the session's QR code holds (``programme.routes.join_link``), so
    what the screen reads and what the QR code says never differ.
    """
    from ..programme.routes import join_link

    allowed = bool(session.event.code_join_allowed)
    return {
        "allowed": allowed,
        "code": session.join_code if allowed else None,
        "url": join_link(session) if allowed else None,
    }


def projector_dict(session: LiveSession) -> dict[str, Any]:
    return {**display_of(session), "join": join_panel(session)}


def show_on_projector(
    session: LiveSession, mode: str, poll_id: int | None, *, actor: Actor
) -> dict[str, Any]:
    """Make every projector of ``session`` show ``mode`` (a poll's results: ``poll_id``)."""
    if not actor.can_moderate():
        raise Forbidden(N_("Only a moderator chooses what the projector shows."))
    if mode not in MODES:
        raise Invalid(N_("Unknown projector view."))
    if mode == "poll":
        poll = db.session.get(Poll, poll_id) if poll_id is not None else None
        if poll is None or poll.session_id != session.id:
            raise Invalid(N_("Choose a poll of this session."))
        if poll.state == PollState.DRAFT:
            raise Conflict(N_("A draft cannot be shown; open the poll first."))
    else:
        poll_id = None
    if mode == "join" and not session.event.code_join_allowed:
        raise Conflict(N_("This event does not allow joining with a code."))
    # A new dict: SQLAlchemy only sees a JSON column change when the value is replaced.
    session.settings = {**(session.settings or {}), "projector": {"mode": mode, "poll_id": poll_id}}
    db.session.flush()
    data = projector_dict(session)
    hub.publish(session.id, "projector.updated", {"projector": data}, audience=AUDIENCE_STAFF)
    return data

"""A poll's life once prepared: open (or reopen), close, reveal its results to the room."""

from __future__ import annotations

from ..core.actors import Actor
from ..core.errors import Conflict
from ..core.i18n import N_
from ..core.timeutil import utcnow
from ..extensions import db
from ..programme import service as programme
from ..programme.lifecycle import check_live
from .models import Poll, PollState
from .presenters import publish
from .queries import require_moderator, results_public


def open_poll(poll: Poll, *, actor: Actor) -> Poll:
    """Open a draft for answers, or reopen a closed poll (its ballots are kept)."""
    require_moderator(actor)
    check_live(programme.get_session(poll.session_id))
    if poll.state == PollState.OPEN:
        raise Conflict(N_("This poll is already open."))
    if poll.state == PollState.CLOSED:
        # A second round: hide results held back for the reveal again, to avoid herd answers.
        poll.revealed = False
    poll.state = PollState.OPEN
    poll.opened_at = utcnow()
    poll.closed_at = None
    db.session.flush()
    publish(poll)
    return poll


def close_poll(poll: Poll, *, actor: Actor) -> Poll:
    """Close an open poll; later votes answer ``closed``; a quiz shows its correct option."""
    require_moderator(actor)
    if poll.state != PollState.OPEN:
        raise Conflict(N_("Only an open poll can be closed."))
    poll.state = PollState.CLOSED
    poll.closed_at = utcnow()
    db.session.flush()
    publish(poll)
    return poll


def reveal_poll(poll: Poll, *, actor: Actor) -> Poll:
    """Show the results to the room now, whatever the poll's results mode."""
    require_moderator(actor)
    if poll.state == PollState.DRAFT:
        raise Conflict(N_("A draft has no results to reveal; open it first."))
    if results_public(poll):
        raise Conflict(N_("The results are already shown."))
    poll.revealed = True
    db.session.flush()
    publish(poll)
    return poll

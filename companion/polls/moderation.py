"""Open-text answers: moderators read every answer, and approve some for the room."""

from __future__ import annotations

from sqlalchemy import select

from ..core.actors import Actor
from ..core.errors import Invalid, NotFound
from ..core.i18n import N_
from ..extensions import db
from ..realtime import hub
from .kinds import KINDS
from .models import Ballot, Poll
from .queries import require_moderator
from .results import COALESCE_KIND
from .schemas import Moderation

ANSWERS_LIMIT = 500


def moderate_answer(poll: Poll, values: Moderation, *, actor: Actor) -> Ballot:
    """Approve an open-text answer for the room, or hide it again; return the ballot."""
    require_moderator(actor)
    if not KINDS[poll.kind].moderated:
        raise Invalid(N_("Only open-text answers are moderated."))
    ballot = db.session.get(Ballot, values.answer_id)
    if ballot is None or ballot.poll_id != poll.id:
        raise NotFound(N_("No such answer in this poll."))
    ballot.approved = values.action == "approve"
    db.session.flush()
    hub.mark_dirty(COALESCE_KIND, poll.id)
    return ballot


def list_answers(poll: Poll, *, actor: Actor) -> list[Ballot]:
    """Return the individual answers, newest first, for moderators (see presenters.answer_list).

    Open texts to approve, and who answered what in a named poll.
    """
    require_moderator(actor)
    return list(
        db.session.scalars(
            select(Ballot)
            .where(Ballot.poll_id == poll.id)
            .order_by(Ballot.updated_at.desc(), Ballot.id.desc())
            .limit(ANSWERS_LIMIT)
        )
    )

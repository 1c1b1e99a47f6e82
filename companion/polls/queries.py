"""Reading polls: one poll, a session's polls, who may see results, quiz scores, the leaderboard."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from ..core import permissions
from ..core.actors import Actor
from ..core.errors import Forbidden, NotFound
from ..core.i18n import N_
from ..extensions import db
from ..participants.models import Participant
from ..realtime.snapshot import personal_columns
from .kinds import names_where
from .models import Ballot, Poll, PollState

LEADERBOARD_SIZE = 10


@cache
def _with_options() -> tuple:
    # Built once (a tuple: shared by every call, nothing may append to it): building the
    # loader option costs more than the identity-map hit of most calls (every vote of a group
    # commit's batch after the first).
    return (joinedload(Poll.options),)


def get_poll(poll_id: int) -> Poll:
    """The poll with its options, in one statement: a vote reads them, as most poll events do."""
    poll = db.session.get(Poll, poll_id, options=_with_options())
    if poll is None:
        raise NotFound(N_("No such poll."))
    return poll


def require_moderator(actor: Actor) -> None:
    """:raises Forbidden: the actor does not moderate (every poll verb but the vote)."""
    if not permissions.may_moderate(actor):
        raise Forbidden(N_("Only moderators manage polls."))


def session_polls(session_id: int, *, include_drafts: bool) -> list[Poll]:
    query = select(Poll).where(Poll.session_id == session_id)
    if not include_drafts:
        query = query.where(Poll.state != PollState.DRAFT)
    return list(db.session.scalars(query.order_by(Poll.position, Poll.id)))


def results_public(poll: Poll) -> bool:
    """Tell whether the whole room may see the poll's results now.

    ``live``: while open and after; ``on_close``: once closed; ``on_reveal``: once a moderator
    reveals them. A reveal also shows them early in the other two modes. Moderators always see
    results; drafts have none.
    """
    if poll.state == PollState.DRAFT:
        return False
    if poll.revealed:
        return True
    mode = poll.setting("results", "live")
    if mode == "live":
        return True
    if mode == "on_close":
        return poll.state == PollState.CLOSED
    return False


def my_answers(poll_ids: list[int], participant_id: int) -> dict[int, dict]:
    if not poll_ids:
        return {}
    rows = db.session.execute(
        select(Ballot.poll_id, Ballot.answer).where(
            Ballot.poll_id.in_(poll_ids), Ballot.participant_id == participant_id
        )
    )
    return dict(rows.all())


def ballots_of(part: str, participant_id: int, poll_ids: tuple[int, ...]) -> Select:
    """A participant's ballots as a snapshot's personal rows: poll, answer, correctness."""
    return select(*personal_columns(part, Ballot.poll_id, Ballot.answer, Ballot.correct)).where(
        Ballot.participant_id == participant_id, Ballot.poll_id.in_(poll_ids)
    )


def participant_names(participant_ids: list[int]) -> dict[int, str]:
    if not participant_ids:
        return {}
    rows = db.session.execute(
        select(Participant.id, Participant.display_name).where(Participant.id.in_(participant_ids))
    )
    return dict(rows.all())


def _closed_quizzes(session_id: int) -> tuple:
    """The conditions of a session's closed scored polls (quizzes)."""
    return (
        Poll.session_id == session_id,
        Poll.kind.in_(names_where(scored=True)),
        Poll.state == PollState.CLOSED,
    )


def leaderboard(session_id: int, *, actor: Actor) -> dict[str, Any]:
    """Return the session's best quiz scores for moderators; names only if every quiz was named."""
    require_moderator(actor)
    quizzes = list(db.session.scalars(select(Poll).where(*_closed_quizzes(session_id))))
    named = bool(quizzes) and all(not q.anonymous for q in quizzes)
    rows = db.session.execute(
        select(Ballot.participant_id, func.count().label("score"))
        .where(Ballot.poll_id.in_([q.id for q in quizzes]), Ballot.correct.is_(True))
        .group_by(Ballot.participant_id)
        .order_by(func.count().desc(), Ballot.participant_id)
        .limit(LEADERBOARD_SIZE)
    ).all()
    names = participant_names([pid for pid, _ in rows]) if named else {}
    entries, rank, previous = [], 0, None
    for index, (pid, score) in enumerate(rows, start=1):
        if score != previous:
            rank, previous = index, score
        entry = {"rank": rank, "score": score}
        if named:
            entry["name"] = names.get(pid, "")
        entries.append(entry)
    players = db.session.scalar(
        select(func.count(func.distinct(Ballot.participant_id))).where(
            Ballot.poll_id.in_([q.id for q in quizzes])
        )
    )
    return {"quizzes": len(quizzes), "players": players or 0, "named": named, "top": entries}

"""Socket events of polls: the contract's poll.* and a few moderator additions.

Beyond the contract: ``poll.update`` (edit a draft), ``poll.moderate_answer`` (approve or hide
an open-text answer), ``poll.answers`` (the individual answers, for moderators) and
``poll.leaderboard`` (the session's quiz scores). ``poll.open`` on a closed poll reopens it.
"""

from __future__ import annotations

from ..core.actors import Actor
from ..core.permissions import CONTRIBUTE, MODERATE
from ..core.scopes import Target, scope_resolver
from ..programme.models import LiveSession
from ..realtime.dispatcher import socket_event
from ..realtime.snapshot import Join, snapshot_part
from . import drafting, lifecycle, moderation, presenters, queries, voting
from .models import Poll
from .schemas import (
    ModerateAnswerIn,
    PollCreateIn,
    PollIdIn,
    PollUpdateIn,
    SessionIdIn,
    VoteIn,
)


@scope_resolver("poll_id")
def _poll_scope(poll_id: int) -> Target:
    poll = queries.get_poll(poll_id)
    return Target(poll, session_id=poll.session_id)


def _staff_poll(poll) -> dict:
    return {"poll": presenters.poll_dict(poll, staff=True)}


@socket_event("poll.create", PollCreateIn, permission=MODERATE, scope="session_id")
def create(actor: Actor, payload: PollCreateIn, target: LiveSession) -> dict:
    return _staff_poll(drafting.create_poll(target, payload, actor=actor))


@socket_event("poll.update", PollUpdateIn, permission=MODERATE, scope="poll_id")
def update(actor: Actor, payload: PollUpdateIn, target: Poll) -> dict:
    return _staff_poll(drafting.update_poll(target, payload, actor=actor))


@socket_event("poll.open", PollIdIn, permission=MODERATE, scope="poll_id")
def open_(actor: Actor, payload: PollIdIn, target: Poll) -> dict:
    return _staff_poll(lifecycle.open_poll(target, actor=actor))


@socket_event("poll.close", PollIdIn, permission=MODERATE, scope="poll_id")
def close(actor: Actor, payload: PollIdIn, target: Poll) -> dict:
    return _staff_poll(lifecycle.close_poll(target, actor=actor))


@socket_event("poll.reveal", PollIdIn, permission=MODERATE, scope="poll_id")
def reveal(actor: Actor, payload: PollIdIn, target: Poll) -> dict:
    return _staff_poll(lifecycle.reveal_poll(target, actor=actor))


@socket_event("poll.delete", PollIdIn, permission=MODERATE, scope="poll_id")
def delete(actor: Actor, payload: PollIdIn, target: Poll) -> dict:
    poll = drafting.delete_poll(target, actor=actor)
    return {"poll": presenters.deleted_dict(poll)}


@socket_event(
    "poll.vote",
    VoteIn,
    permission=CONTRIBUTE,
    scope="poll_id",
    idempotent=True,
    rate_limit="vote",
    grouped=True,
)
def vote(actor: Actor, payload: VoteIn, target: Poll) -> dict:
    voting.cast_vote(target, payload.answer, actor=actor)
    # Nothing about the answer goes in the ack: it is kept as the resend receipt.
    return {"recorded": True}


@socket_event("poll.moderate_answer", ModerateAnswerIn, permission=MODERATE, scope="poll_id")
def moderate_answer(actor: Actor, payload: ModerateAnswerIn, target: Poll) -> dict:
    poll = target
    ballot = moderation.moderate_answer(poll, payload, actor=actor)
    return {"answer": presenters.answer_entry(poll, ballot, names={})}


@socket_event("poll.answers", PollIdIn, permission=MODERATE, scope="poll_id")
def answers(actor: Actor, payload: PollIdIn, target: Poll) -> dict:
    poll = target
    ballots = moderation.list_answers(poll, actor=actor)
    return {"poll_id": poll.id, "answers": presenters.answer_list(poll, ballots)}


@socket_event("poll.leaderboard", SessionIdIn, permission=MODERATE, scope="session_id")
def leaderboard(actor: Actor, payload: SessionIdIn) -> dict:
    return queries.leaderboard(payload.session_id, actor=actor)


def _view(join: Join, *, staff: bool) -> presenters.PollsView:
    """The session's polls as staff (or the room) see them: one read per seq, then shared."""
    return join.shared(
        ("polls", staff), lambda: presenters.polls_view(join.session.id, staff=staff)
    )


def _my_ballots(join: Join):
    """A participant's ballots in the room's polls: their answers and quiz score come of them."""
    participant_id = join.actor.participant_id
    if participant_id is None:
        return None
    poll_ids = _view(join, staff=False).poll_ids
    if not poll_ids:
        return None
    return queries.ballots_of("polls", participant_id, poll_ids)


@snapshot_part("polls", personal=_my_ballots)
def _polls_part(join: Join) -> list:
    """Shared per audience, results read afresh (they move without a seq), own answers."""
    entries = presenters.with_figures(_view(join, staff=join.actor.is_staff))
    if join.actor.participant_id is not None:
        mine = {row.ref_id: row.value for row in join.personal("polls")}
        presenters.add_my_answers(entries, mine)
    return entries


@snapshot_part("quiz")
def _quiz_part(join: Join) -> dict:
    """A participant's own quiz score; moderators get the leaderboard."""
    actor = join.actor
    if actor.participant_id is not None:
        # Correct answers to closed quizzes, from the ballots the polls part already read.
        closed = _view(join, staff=False).closed_quiz_ids
        score = sum(1 for row in join.personal("polls") if row.ref_id in closed and row.flag)
        return {"score": score, "out_of": len(closed)}
    if not actor.is_staff:
        return {}  # a speaker watching: neither a score nor the leaderboard
    return queries.leaderboard(join.session.id, actor=actor)

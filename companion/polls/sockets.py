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
from ..realtime.snapshot import snapshot_part
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


@snapshot_part("polls")
def _polls_part(session, actor: Actor) -> list:
    return presenters.polls_for(session, actor)


@snapshot_part("quiz")
def _quiz_part(session, actor: Actor) -> dict:
    """A participant's own quiz score; moderators get the leaderboard."""
    if actor.participant_id is not None:
        return queries.quiz_score(session.id, actor.participant_id)
    if not actor.is_staff:
        return {}  # a speaker watching: neither a score nor the leaderboard
    return queries.leaderboard(session.id, actor=actor)

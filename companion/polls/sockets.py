"""Socket events of polls: the contract's poll.* and a few moderator additions.

Beyond the contract: ``poll.update`` (edit a draft), ``poll.moderate_answer`` (approve or hide
an open-text answer), ``poll.answers`` (the individual answers, for moderators) and
``poll.leaderboard`` (the session's quiz scores). ``poll.open`` on a closed poll reopens it.
"""

from __future__ import annotations

from ..core.actors import Actor
from ..programme import service as programme
from ..realtime.dispatcher import MODERATOR, PARTICIPANT, socket_event
from ..realtime.snapshot import snapshot_part
from . import drafting, lifecycle, moderation, presenters, queries, voting
from .schemas import (
    ModerateAnswerIn,
    PollCreateIn,
    PollIdIn,
    PollUpdateIn,
    SessionIdIn,
    VoteIn,
)

MODERATORS = frozenset({MODERATOR})  # facilitators moderate too (Actor.has_role)
PARTICIPANTS = frozenset({PARTICIPANT})


def _staff_poll(poll) -> dict:
    return {"poll": presenters.poll_dict(poll, staff=True)}


@socket_event("poll.create", PollCreateIn, roles=MODERATORS)
def create(actor: Actor, payload: PollCreateIn) -> dict:
    session = programme.get_session(payload.session_id)
    return _staff_poll(drafting.create_poll(session, payload, actor=actor))


@socket_event("poll.update", PollUpdateIn, roles=MODERATORS)
def update(actor: Actor, payload: PollUpdateIn) -> dict:
    poll = queries.get_poll(payload.poll_id)
    return _staff_poll(drafting.update_poll(poll, payload, actor=actor))


@socket_event("poll.open", PollIdIn, roles=MODERATORS)
def open_(actor: Actor, payload: PollIdIn) -> dict:
    return _staff_poll(lifecycle.open_poll(queries.get_poll(payload.poll_id), actor=actor))


@socket_event("poll.close", PollIdIn, roles=MODERATORS)
def close(actor: Actor, payload: PollIdIn) -> dict:
    return _staff_poll(lifecycle.close_poll(queries.get_poll(payload.poll_id), actor=actor))


@socket_event("poll.reveal", PollIdIn, roles=MODERATORS)
def reveal(actor: Actor, payload: PollIdIn) -> dict:
    return _staff_poll(lifecycle.reveal_poll(queries.get_poll(payload.poll_id), actor=actor))


@socket_event("poll.delete", PollIdIn, roles=MODERATORS)
def delete(actor: Actor, payload: PollIdIn) -> dict:
    poll = drafting.delete_poll(queries.get_poll(payload.poll_id), actor=actor)
    return {"poll": presenters.deleted_dict(poll)}


@socket_event("poll.vote", VoteIn, roles=PARTICIPANTS, idempotent=True)
def vote(actor: Actor, payload: VoteIn) -> dict:
    voting.cast_vote(queries.get_poll(payload.poll_id), payload.answer, actor=actor)
    # Nothing about the answer goes in the ack: it is kept as the resend receipt.
    return {"recorded": True}


@socket_event("poll.moderate_answer", ModerateAnswerIn, roles=MODERATORS)
def moderate_answer(actor: Actor, payload: ModerateAnswerIn) -> dict:
    poll = queries.get_poll(payload.poll_id)
    ballot = moderation.moderate_answer(poll, payload, actor=actor)
    return {"answer": presenters.answer_entry(poll, ballot, names={})}


@socket_event("poll.answers", PollIdIn, roles=MODERATORS)
def answers(actor: Actor, payload: PollIdIn) -> dict:
    poll = queries.get_poll(payload.poll_id)
    ballots = moderation.list_answers(poll, actor=actor)
    return {"poll_id": poll.id, "answers": presenters.answer_list(poll, ballots)}


@socket_event("poll.leaderboard", SessionIdIn, roles=MODERATORS)
def leaderboard(actor: Actor, payload: SessionIdIn) -> dict:
    session = programme.get_session(payload.session_id)
    return queries.leaderboard(session.id, actor=actor)


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

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
from . import service
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
    return {"poll": service.poll_dict(poll, staff=True)}


@socket_event("poll.create", PollCreateIn, roles=MODERATORS)
def create(actor: Actor, payload: PollCreateIn) -> dict:
    session = programme.get_session(payload.session_id)
    poll = service.create_poll(
        session,
        kind=payload.kind,
        question=payload.question,
        options=payload.options,
        settings=payload.settings,
        actor=actor,
    )
    return _staff_poll(poll)


@socket_event("poll.update", PollUpdateIn, roles=MODERATORS)
def update(actor: Actor, payload: PollUpdateIn) -> dict:
    poll = service.update_poll(
        service.get_poll(payload.poll_id),
        kind=payload.kind,
        question=payload.question,
        options=payload.options,
        settings=payload.settings,
        actor=actor,
    )
    return _staff_poll(poll)


@socket_event("poll.open", PollIdIn, roles=MODERATORS)
def open_(actor: Actor, payload: PollIdIn) -> dict:
    return _staff_poll(service.open_poll(service.get_poll(payload.poll_id), actor=actor))


@socket_event("poll.close", PollIdIn, roles=MODERATORS)
def close(actor: Actor, payload: PollIdIn) -> dict:
    return _staff_poll(service.close_poll(service.get_poll(payload.poll_id), actor=actor))


@socket_event("poll.reveal", PollIdIn, roles=MODERATORS)
def reveal(actor: Actor, payload: PollIdIn) -> dict:
    return _staff_poll(service.reveal_poll(service.get_poll(payload.poll_id), actor=actor))


@socket_event("poll.delete", PollIdIn, roles=MODERATORS)
def delete(actor: Actor, payload: PollIdIn) -> dict:
    return {"poll": service.delete_poll(service.get_poll(payload.poll_id), actor=actor)}


@socket_event("poll.vote", VoteIn, roles=PARTICIPANTS, idempotent=True)
def vote(actor: Actor, payload: VoteIn) -> dict:
    return service.cast_vote(service.get_poll(payload.poll_id), payload.answer, actor=actor)


@socket_event("poll.moderate_answer", ModerateAnswerIn, roles=MODERATORS)
def moderate_answer(actor: Actor, payload: ModerateAnswerIn) -> dict:
    poll = service.get_poll(payload.poll_id)
    answer = service.moderate_answer(poll, payload.answer_id, payload.action, actor=actor)
    return {"answer": answer}


@socket_event("poll.answers", PollIdIn, roles=MODERATORS)
def answers(actor: Actor, payload: PollIdIn) -> dict:
    poll = service.get_poll(payload.poll_id)
    return {"poll_id": poll.id, "answers": service.list_answers(poll, actor=actor)}


@socket_event("poll.leaderboard", SessionIdIn, roles=MODERATORS)
def leaderboard(actor: Actor, payload: SessionIdIn) -> dict:
    session = programme.get_session(payload.session_id)
    return service.leaderboard(session.id, actor=actor)


@snapshot_part("polls")
def _polls_part(session, actor: Actor) -> list:
    return service.polls_for(session, actor)


@snapshot_part("quiz")
def _quiz_part(session, actor: Actor) -> dict:
    """A participant's own quiz score; moderators get the leaderboard."""
    if actor.participant_id is not None:
        return service.quiz_score(session.id, actor.participant_id)
    if not actor.is_staff:
        return {}  # a speaker watching: neither a score nor the leaderboard
    return service.leaderboard(session.id, actor=actor)

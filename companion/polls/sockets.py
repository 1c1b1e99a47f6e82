"""Socket events of polls: the contract's poll.* and a few moderator additions.

Beyond the contract: ``poll.update`` (edit a draft), ``poll.moderate_answer`` (approve or hide
an open-text answer), ``poll.answers`` (the individual answers, for moderators) and
``poll.leaderboard`` (the session's quiz scores). ``poll.open`` on a closed poll reopens it.
"""

from __future__ import annotations

from ..core.actors import Actor
from ..core.permissions import ATTEND, MODERATE
from ..core.scopes import Target, scope_resolver
from ..programme import service as programme
from ..programme.models import LiveSession
from ..realtime.dispatcher import socket_event
from ..realtime.snapshot import snapshot_part
from . import service
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
    poll = service.get_poll(poll_id)
    return Target(poll, session_id=poll.session_id)


# The programme file carries each session's prepared polls (the programme never imports polls).
programme.programme_file_part("polls")(service.export_prepared_polls)


def _staff_poll(poll) -> dict:
    return {"poll": service.poll_dict(poll, staff=True)}


@socket_event("poll.create", PollCreateIn, permission=MODERATE, scope="session_id")
def create(actor: Actor, payload: PollCreateIn, target: LiveSession) -> dict:
    session = target
    poll = service.create_poll(
        session,
        kind=payload.kind,
        question=payload.question,
        options=payload.options,
        settings=payload.settings,
        actor=actor,
    )
    return _staff_poll(poll)


@socket_event("poll.update", PollUpdateIn, permission=MODERATE, scope="poll_id")
def update(actor: Actor, payload: PollUpdateIn, target: Poll) -> dict:
    poll = service.update_poll(
        target,
        kind=payload.kind,
        question=payload.question,
        options=payload.options,
        settings=payload.settings,
        actor=actor,
    )
    return _staff_poll(poll)


@socket_event("poll.open", PollIdIn, permission=MODERATE, scope="poll_id")
def open_(actor: Actor, payload: PollIdIn, target: Poll) -> dict:
    return _staff_poll(service.open_poll(target, actor=actor))


@socket_event("poll.close", PollIdIn, permission=MODERATE, scope="poll_id")
def close(actor: Actor, payload: PollIdIn, target: Poll) -> dict:
    return _staff_poll(service.close_poll(target, actor=actor))


@socket_event("poll.reveal", PollIdIn, permission=MODERATE, scope="poll_id")
def reveal(actor: Actor, payload: PollIdIn, target: Poll) -> dict:
    return _staff_poll(service.reveal_poll(target, actor=actor))


@socket_event("poll.delete", PollIdIn, permission=MODERATE, scope="poll_id")
def delete(actor: Actor, payload: PollIdIn, target: Poll) -> dict:
    return {"poll": service.delete_poll(target, actor=actor)}


@socket_event(
    "poll.vote", VoteIn, permission=ATTEND, scope="poll_id", idempotent=True, rate_limit="vote"
)
def vote(actor: Actor, payload: VoteIn, target: Poll) -> dict:
    return service.cast_vote(target, payload.answer, actor=actor)


@socket_event("poll.moderate_answer", ModerateAnswerIn, permission=MODERATE, scope="poll_id")
def moderate_answer(actor: Actor, payload: ModerateAnswerIn, target: Poll) -> dict:
    poll = target
    answer = service.moderate_answer(poll, payload.answer_id, payload.action, actor=actor)
    return {"answer": answer}


@socket_event("poll.answers", PollIdIn, permission=MODERATE, scope="poll_id")
def answers(actor: Actor, payload: PollIdIn, target: Poll) -> dict:
    poll = target
    return {"poll_id": poll.id, "answers": service.list_answers(poll, actor=actor)}


@socket_event("poll.leaderboard", SessionIdIn, permission=MODERATE, scope="session_id")
def leaderboard(actor: Actor, payload: SessionIdIn) -> dict:
    return service.leaderboard(payload.session_id, actor=actor)


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

"""Socket events of the Q&A: thin handlers over the service, and the snapshot's parts."""

from __future__ import annotations

from ..core.actors import Actor
from ..programme.models import LiveSession
from ..realtime.dispatcher import PARTICIPANT, STAFF, socket_event
from ..realtime.snapshot import snapshot_part
from . import service
from .schemas import (
    BanIn,
    CarryForwardIn,
    EditIn,
    MergeIn,
    ModerateIn,
    QuestionIdIn,
    SettingsIn,
    SubmitIn,
)

PARTICIPANTS = frozenset({PARTICIPANT})


@socket_event("question.submit", SubmitIn, roles=PARTICIPANTS, idempotent=True)
def submit(actor: Actor, payload: SubmitIn) -> dict:
    return service.submit_question(payload, actor=actor)


@socket_event("question.upvote", QuestionIdIn, roles=PARTICIPANTS)
def upvote(actor: Actor, payload: QuestionIdIn) -> dict:
    return service.upvote_question(payload.question_id, actor=actor)


@socket_event("question.unvote", QuestionIdIn, roles=PARTICIPANTS)
def unvote(actor: Actor, payload: QuestionIdIn) -> dict:
    return service.unvote_question(payload.question_id, actor=actor)


@socket_event("question.moderate", ModerateIn, roles=STAFF)
def moderate(actor: Actor, payload: ModerateIn) -> dict:
    return service.moderate_question(
        payload.question_id, payload.action, actor=actor, reply=payload.reply
    )


@socket_event("question.edit", EditIn, roles=STAFF)
def edit(actor: Actor, payload: EditIn) -> dict:
    return service.edit_question(payload.question_id, payload.text, actor=actor)


@socket_event("question.merge", MergeIn, roles=STAFF)
def merge(actor: Actor, payload: MergeIn) -> dict:
    return service.merge_questions(payload.question_id, payload.into_id, actor=actor)


@socket_event("question.history", QuestionIdIn, roles=STAFF)
def history(actor: Actor, payload: QuestionIdIn) -> dict:
    return service.question_history(payload.question_id, actor=actor)


@socket_event("question.ban", BanIn, roles=STAFF)
def ban(actor: Actor, payload: BanIn) -> dict:
    return service.ban_participant(actor=actor, **payload.model_dump())


@socket_event("question.unban", BanIn, roles=STAFF)
def unban(actor: Actor, payload: BanIn) -> dict:
    return service.unban_participant(actor=actor, **payload.model_dump())


@socket_event("question.carry_forward", CarryForwardIn, roles=STAFF)
def carry_forward(actor: Actor, payload: CarryForwardIn) -> dict:
    return service.carry_forward(payload.session_id, payload.target_session_id, actor=actor)


@socket_event("question.settings", SettingsIn, roles=STAFF)
def settings(actor: Actor, payload: SettingsIn) -> dict:
    return service.update_settings(payload, actor=actor)


@snapshot_part("questions")
def _questions_part(session: LiveSession, actor: Actor) -> list:
    return service.visible_questions(session, actor)


@snapshot_part("question_settings")
def _settings_part(session: LiveSession, actor: Actor) -> dict:
    return service.settings_for(session, actor)

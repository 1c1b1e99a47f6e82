"""Socket events of the Q&A: thin handlers over the service, and the snapshot's parts."""

from __future__ import annotations

from ..core.actors import Actor
from ..core.permissions import ATTEND, MODERATE
from ..core.scopes import Target, scope_resolver
from ..programme.models import LiveSession
from ..realtime.dispatcher import socket_event
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


@scope_resolver("question_id")
def _question_scope(question_id: int) -> Target:
    question = service.get_question(question_id)
    return Target(question, session_id=question.session_id)


@socket_event(
    "question.submit",
    SubmitIn,
    permission=ATTEND,
    scope="session_id",
    idempotent=True,
    rate_limit="contribution",
)
def submit(actor: Actor, payload: SubmitIn) -> dict:
    return service.submit_question(payload, actor=actor)


@socket_event(
    "question.upvote", QuestionIdIn, permission=ATTEND, scope="question_id", rate_limit="vote"
)
def upvote(actor: Actor, payload: QuestionIdIn) -> dict:
    return service.upvote_question(payload.question_id, actor=actor)


@socket_event(
    "question.unvote", QuestionIdIn, permission=ATTEND, scope="question_id", rate_limit="vote"
)
def unvote(actor: Actor, payload: QuestionIdIn) -> dict:
    return service.unvote_question(payload.question_id, actor=actor)


@socket_event("question.moderate", ModerateIn, permission=MODERATE, scope="question_id")
def moderate(actor: Actor, payload: ModerateIn) -> dict:
    return service.moderate_question(
        payload.question_id, payload.action, actor=actor, reply=payload.reply
    )


@socket_event("question.edit", EditIn, permission=MODERATE, scope="question_id")
def edit(actor: Actor, payload: EditIn) -> dict:
    return service.edit_question(payload.question_id, payload.text, actor=actor)


@socket_event("question.merge", MergeIn, permission=MODERATE, scope="question_id")
def merge(actor: Actor, payload: MergeIn) -> dict:
    return service.merge_questions(payload.question_id, payload.into_id, actor=actor)


@socket_event("question.history", QuestionIdIn, permission=MODERATE, scope="question_id")
def history(actor: Actor, payload: QuestionIdIn) -> dict:
    return service.question_history(payload.question_id, actor=actor)


@socket_event("question.ban", BanIn, permission=MODERATE)
def ban(actor: Actor, payload: BanIn) -> dict:
    return service.ban_participant(actor=actor, **payload.model_dump())


@socket_event("question.unban", BanIn, permission=MODERATE)
def unban(actor: Actor, payload: BanIn) -> dict:
    return service.unban_participant(actor=actor, **payload.model_dump())


@socket_event("question.carry_forward", CarryForwardIn, permission=MODERATE, scope="session_id")
def carry_forward(actor: Actor, payload: CarryForwardIn) -> dict:
    return service.carry_forward(payload.session_id, payload.target_session_id, actor=actor)


@socket_event("question.settings", SettingsIn, permission=MODERATE, scope="session_id")
def settings(actor: Actor, payload: SettingsIn) -> dict:
    return service.update_settings(payload, actor=actor)


@snapshot_part("questions")
def _questions_part(session: LiveSession, actor: Actor) -> list:
    return service.visible_questions(session, actor)


@snapshot_part("question_settings")
def _settings_part(session: LiveSession, actor: Actor) -> dict:
    return service.settings_for(session, actor)

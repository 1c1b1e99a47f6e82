"""Socket events of the Q&A: thin handlers over the verb modules, and the snapshot's parts."""

from __future__ import annotations

from ..core.actors import Actor
from ..programme import service as programme
from ..programme.models import LiveSession
from ..realtime.dispatcher import PARTICIPANT, STAFF, socket_event
from ..realtime.snapshot import snapshot_part
from . import asking, carrying, moderation, presenters, queries, voting
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
from .settings import session_settings, settings_for, update_settings

PARTICIPANTS = frozenset({PARTICIPANT})


@socket_event("question.submit", SubmitIn, roles=PARTICIPANTS, idempotent=True)
def submit(actor: Actor, payload: SubmitIn) -> dict:
    session = programme.get_session(payload.session_id)
    question = asking.submit_question(session, payload, actor=actor)
    return {"question": presenters.own_dict(question, voted=False, mine=True)}


@socket_event("question.upvote", QuestionIdIn, roles=PARTICIPANTS)
def upvote(actor: Actor, payload: QuestionIdIn) -> dict:
    question = voting.upvote_question(queries.locked_question(payload.question_id), actor=actor)
    return presenters.vote_dict(question, voted=True)


@socket_event("question.unvote", QuestionIdIn, roles=PARTICIPANTS)
def unvote(actor: Actor, payload: QuestionIdIn) -> dict:
    question = voting.unvote_question(queries.locked_question(payload.question_id), actor=actor)
    return presenters.vote_dict(question, voted=False)


@socket_event("question.moderate", ModerateIn, roles=STAFF)
def moderate(actor: Actor, payload: ModerateIn) -> dict:
    question = moderation.moderate_question(
        queries.locked_question(payload.question_id),
        payload.action,
        actor=actor,
        reply=payload.reply,
    )
    return {"question": presenters.question_dict(question, staff=True)}


@socket_event("question.edit", EditIn, roles=STAFF)
def edit(actor: Actor, payload: EditIn) -> dict:
    question = queries.locked_question(payload.question_id)
    moderation.edit_question(question, payload.text, actor=actor)
    return {"question": presenters.question_dict(question, staff=True)}


@socket_event("question.merge", MergeIn, roles=STAFF)
def merge(actor: Actor, payload: MergeIn) -> dict:
    source, target = queries.locked_pair(payload.question_id, payload.into_id)
    moderation.merge_questions(source, target, actor=actor)
    return {
        "question": presenters.question_dict(target, staff=True),
        "merged": presenters.question_dict(source, staff=True),
    }


@socket_event("question.history", QuestionIdIn, roles=STAFF)
def history(actor: Actor, payload: QuestionIdIn) -> dict:
    question = queries.get_question(payload.question_id)
    return presenters.history_dict(question, moderation.question_history(question, actor=actor))


@socket_event("question.ban", BanIn, roles=STAFF)
def ban(actor: Actor, payload: BanIn) -> dict:
    session_id, participant_id = moderation.ban_target(actor, **payload.model_dump())
    moderation.ban_participant(session_id, participant_id, actor=actor)
    return presenters.ban_dict(session_id, payload.question_id, banned=True)


@socket_event("question.unban", BanIn, roles=STAFF)
def unban(actor: Actor, payload: BanIn) -> dict:
    session_id, participant_id = moderation.ban_target(actor, **payload.model_dump())
    moderation.unban_participant(session_id, participant_id, actor=actor)
    return presenters.ban_dict(session_id, payload.question_id, banned=False)


@socket_event("question.carry_forward", CarryForwardIn, roles=STAFF)
def carry_forward(actor: Actor, payload: CarryForwardIn) -> dict:
    source = programme.get_session(payload.session_id)
    target = programme.get_session(payload.target_session_id)
    return presenters.carried_dict(
        source, target, carrying.carry_forward(source, target, actor=actor)
    )


@socket_event("question.settings", SettingsIn, roles=STAFF)
def settings(actor: Actor, payload: SettingsIn) -> dict:
    session = programme.get_session(payload.session_id)
    update_settings(session, payload, actor=actor)
    return {"session_id": session.id, "settings": session_settings(session)}


@snapshot_part("questions")
def _questions_part(session: LiveSession, actor: Actor) -> list:
    return presenters.visible_questions(session, actor)


@snapshot_part("question_settings")
def _settings_part(session: LiveSession, actor: Actor) -> dict:
    return settings_for(session, actor)

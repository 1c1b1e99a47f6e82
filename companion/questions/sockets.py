"""Socket events of the Q&A: thin handlers over the verb modules, and the snapshot's parts."""

from __future__ import annotations

from ..core.actors import Actor
from ..core.permissions import CONTRIBUTE, MODERATE
from ..core.scopes import Target, scope_resolver
from ..programme import service as programme
from ..programme.models import LiveSession
from ..realtime.dispatcher import socket_event
from ..realtime.snapshot import Join, snapshot_part
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


@scope_resolver("question_id")
def _question_scope(question_id: int) -> Target:
    question = queries.get_question(question_id)
    return Target(question, session_id=question.session_id)


@socket_event(
    "question.submit",
    SubmitIn,
    permission=CONTRIBUTE,
    scope="session_id",
    idempotent=True,
    rate_limit="contribution",
    grouped=True,
)
def submit(actor: Actor, payload: SubmitIn, target: LiveSession) -> dict:
    session = target
    question = asking.submit_question(session, payload, actor=actor)
    return {"question": presenters.own_dict(question, voted=False, mine=True)}


@socket_event(
    "question.upvote",
    QuestionIdIn,
    permission=CONTRIBUTE,
    scope="question_id",
    rate_limit="vote",
    grouped=True,
)
def upvote(actor: Actor, payload: QuestionIdIn) -> dict:
    question = voting.upvote_question(voting.question_for_votes(payload.question_id), actor=actor)
    return presenters.vote_dict(question, voted=True)


@socket_event(
    "question.unvote",
    QuestionIdIn,
    permission=CONTRIBUTE,
    scope="question_id",
    rate_limit="vote",
    grouped=True,
)
def unvote(actor: Actor, payload: QuestionIdIn) -> dict:
    question = voting.unvote_question(voting.question_for_votes(payload.question_id), actor=actor)
    return presenters.vote_dict(question, voted=False)


@socket_event("question.moderate", ModerateIn, permission=MODERATE, scope="question_id")
def moderate(actor: Actor, payload: ModerateIn) -> dict:
    question = moderation.moderate_question(
        queries.locked_question(payload.question_id),
        payload.action,
        actor=actor,
        reply=payload.reply,
    )
    return {"question": presenters.question_dict(question, staff=True)}


@socket_event("question.edit", EditIn, permission=MODERATE, scope="question_id")
def edit(actor: Actor, payload: EditIn) -> dict:
    question = queries.locked_question(payload.question_id)
    moderation.edit_question(question, payload.text, actor=actor)
    return {"question": presenters.question_dict(question, staff=True)}


@socket_event("question.merge", MergeIn, permission=MODERATE, scope="question_id")
def merge(actor: Actor, payload: MergeIn) -> dict:
    source, target = queries.locked_pair(payload.question_id, payload.into_id)
    moderation.merge_questions(source, target, actor=actor)
    return {
        "question": presenters.question_dict(target, staff=True),
        "merged": presenters.question_dict(source, staff=True),
    }


@socket_event("question.history", QuestionIdIn, permission=MODERATE, scope="question_id")
def history(actor: Actor, payload: QuestionIdIn) -> dict:
    question = queries.get_question(payload.question_id)
    return presenters.history_dict(question, moderation.question_history(question, actor=actor))


@socket_event("question.ban", BanIn, permission=MODERATE)
def ban(actor: Actor, payload: BanIn) -> dict:
    session_id, participant_id = moderation.ban_target(actor, **payload.model_dump())
    moderation.ban_participant(session_id, participant_id, actor=actor)
    return presenters.ban_dict(session_id, payload.question_id, banned=True)


@socket_event("question.unban", BanIn, permission=MODERATE)
def unban(actor: Actor, payload: BanIn) -> dict:
    session_id, participant_id = moderation.ban_target(actor, **payload.model_dump())
    moderation.unban_participant(session_id, participant_id, actor=actor)
    return presenters.ban_dict(session_id, payload.question_id, banned=False)


@socket_event("question.carry_forward", CarryForwardIn, permission=MODERATE, scope="session_id")
def carry_forward(actor: Actor, payload: CarryForwardIn) -> dict:
    # The scope checked the source session; moderators run every session, the target too.
    source = programme.get_session(payload.session_id)
    target = programme.get_session(payload.target_session_id)
    return presenters.carried_dict(
        source, target, carrying.carry_forward(source, target, actor=actor)
    )


@socket_event("question.settings", SettingsIn, permission=MODERATE, scope="session_id")
def settings(actor: Actor, payload: SettingsIn, target: LiveSession) -> dict:
    session = target
    update_settings(session, payload, actor=actor)
    return {"session_id": session.id, "settings": session_settings(session)}


def _view(join: Join) -> tuple[presenters.SessionQuestion, ...]:
    """The session's questions as staff (or the room) see them: one read per seq, then shared."""
    staff = join.actor.is_staff
    return join.shared(
        ("questions", staff), lambda: presenters.questions_view(join.session.id, staff=staff)
    )


def _my_upvotes(join: Join):
    participant_id = join.actor.participant_id
    if participant_id is None:
        return None
    view = _view(join)
    if not view:
        return None
    return presenters.upvotes_of("questions", participant_id, join.session.id)


@snapshot_part("questions", personal=_my_upvotes)
def _questions_part(join: Join) -> list:
    """Shared per audience; counts read afresh (they move without a seq); own votes and
    questions (bans too for staff: a ban moves no seq)."""
    view = _view(join)
    figures = presenters.vote_figures(join.session.id) if view else {}
    if join.actor.is_staff:
        return presenters.staff_questions(view, figures, presenters.banned_authors(join.session.id))
    voted = {row.ref_id for row in join.personal("questions")}
    return presenters.own_questions(view, figures, join.actor.participant_id, voted)


@snapshot_part("question_settings")
def _settings_part(join: Join) -> dict:
    """Read from the session's row, already loaded: nothing to share."""
    return settings_for(join.session, join.actor)

"""Asking a question: checks, rate limit, duplicate hints, held for moderation or live."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from ..core import permissions
from ..core.actors import Actor
from ..core.errors import Closed, Forbidden, Invalid, NotFound, RateLimited
from ..core.i18n import N_
from ..core.timeutil import utcnow
from ..extensions import db
from ..programme import service as programme
from ..programme.models import LiveSession, SessionStatus, Speaker
from .broadcasting import broadcast
from .models import Question, QuestionState
from .queries import is_banned
from .schemas import MAX_TEXT, SubmitIn
from .settings import session_settings
from .text import find_profanity, likely_duplicates

SIMILARITY_POOL = 300  # the latest questions of the session compared with a new one


def _rate_limits_on() -> bool:
    return current_app.config["COMPANION"].rate_limits_enabled


def check_text(text: str, settings: dict[str, Any]) -> None:
    """:raises Invalid: a NUL character, or longer than the session allows."""
    if "\x00" in text:
        raise Invalid("The text holds a NUL character, which cannot be stored.")
    limit = min(int(settings["question_max_length"]), MAX_TEXT)
    if len(text) > limit:
        raise Invalid(
            N_("A question is at most %(limit)s characters long (%(given)s given)."),
            params={"limit": limit, "given": len(text)},
        )


def submit_question(session: LiveSession, data: SubmitIn, *, actor: Actor) -> Question:
    """Record a question as typed; it is live at once unless held for moderation.

    :raises Forbidden: another session's participant, staff, or a banned participant.
    :raises Closed: the session has ended.
    :raises RateLimited: too many questions from this participant in the last minute.
    """
    permissions.check_attend(actor, session.id)
    if actor.participant_id is None:
        raise Forbidden("Only participants ask questions.")
    if session.status == SessionStatus.ENDED:
        raise Closed("This session has ended; questions are closed.")
    if is_banned(session.id, actor.id):
        # The page matches the reason, never the translated message, to lock its form.
        raise Forbidden(
            "A moderator has stopped you from asking questions in this session.",
            details={"reason": "banned"},
        )
    settings = session_settings(session)
    check_text(data.text, settings)
    per_minute = int(settings["rate_per_minute"])
    if per_minute and _rate_limits_on():
        recent = db.session.scalar(
            select(func.count(Question.id)).where(
                Question.participant_id == actor.id,
                Question.created_at > utcnow() - timedelta(seconds=60),
            )
        )
        if recent >= per_minute:
            raise RateLimited(
                N_("You can ask at most %(n)s questions a minute; wait a little."),
                params={"n": per_minute},
            )
    if data.agenda_item_id is not None:
        agenda_item_id = programme.get_agenda_item(session, data.agenda_item_id).id
    else:
        agenda_item_id = session.current_agenda_item_id
    if data.speaker_id is not None:
        speaker = db.session.get(Speaker, data.speaker_id)
        if speaker is None or speaker.event_id != session.event_id:
            raise NotFound(N_("No speaker %(id)s in this event."), params={"id": data.speaker_id})
    held = find_profanity(
        data.text, settings["profanity_words"], builtin=bool(settings["profanity_builtin"])
    )
    candidates = db.session.execute(
        select(Question.id, Question.text)
        .where(
            Question.session_id == session.id,
            Question.state.in_(
                (QuestionState.PENDING, QuestionState.APPROVED, QuestionState.ANSWERED)
            ),
        )
        .order_by(Question.id.desc())
        .limit(SIMILARITY_POOL)
    ).all()
    question = Question(
        session_id=session.id,
        participant_id=actor.id,
        author_name=None if data.anonymous else actor.name,
        anonymous=data.anonymous,
        text=data.text,
        agenda_item_id=agenda_item_id,
        speaker_id=data.speaker_id,
        state=(
            QuestionState.PENDING if held or settings["premoderation"] else QuestionState.APPROVED
        ),
        held_reason="profanity" if held else None,
        similar_ids=likely_duplicates(data.text, candidates),
        upvotes=0,
        votes_version=0,
        carried_votes=0,
    )
    db.session.add(question)
    db.session.flush()
    broadcast(
        question,
        was_public=False,
        staff_extra=bool(question.similar_ids or question.held_reason),
    )
    return question

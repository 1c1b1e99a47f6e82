"""Carrying unanswered questions forward to a later session of the same event."""

from __future__ import annotations

from sqlalchemy import select

from ..core import permissions
from ..core.actors import Actor
from ..core.errors import Closed, Invalid
from ..extensions import db
from ..programme.models import LiveSession, SessionStatus
from .broadcasting import broadcast
from .models import PUBLIC_STATES, UNANSWERED_STATES, Question, QuestionState


def carry_forward(source: LiveSession, target: LiveSession, *, actor: Actor) -> list[Question]:
    """Move a session's unanswered questions to a later session; return the copies.

    Copies keep their text, author name, anonymity, speaker and state; their upvotes become
    ``carried_votes`` (the voters were participants of the other session, so only the count
    travels) and they record where they came from. The originals are archived with
    ``carried_to_session_id``.
    """
    permissions.check_moderate(actor, source.id)
    if target.id == source.id or target.event_id != source.event_id:
        raise Invalid("Questions move to another session of the same event.")
    if target.starts_at <= source.starts_at:
        raise Invalid("Questions move to a later session.")
    if target.status == SessionStatus.ENDED:
        raise Closed("The target session has ended.")
    originals = list(
        db.session.scalars(
            select(Question)
            .where(Question.session_id == source.id, Question.state.in_(UNANSWERED_STATES))
            .order_by(Question.id)
            .with_for_update()
        )
    )
    pairs = []
    for original in originals:
        copy = Question(
            session_id=target.id,
            participant_id=None,
            author_name=original.author_name,
            anonymous=original.anonymous,
            text=original.text,
            agenda_item_id=None,
            speaker_id=original.speaker_id,
            state=original.state,
            pinned=False,
            held_reason=original.held_reason,
            similar_ids=[],
            upvotes=original.upvotes,
            votes_version=0,
            carried_votes=original.upvotes,
            carried_from_session_id=source.id,
            carried_from_question_id=original.id,
        )
        db.session.add(copy)
        pairs.append((original, original.state in PUBLIC_STATES, copy))
        original.state = QuestionState.ARCHIVED
        original.pinned = False
        original.carried_to_session_id = target.id
    db.session.flush()
    for original, was_public, copy in pairs:
        broadcast(original, was_public=was_public)
        broadcast(copy, was_public=False)
    return [copy for _, _, copy in pairs]

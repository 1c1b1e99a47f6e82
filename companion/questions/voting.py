"""Upvotes: one ``question_votes`` row per participant and question (a unique key), and the
question's ``upvotes`` counter moved by SQL arithmetic in the same transaction.

A repeated upvote (or a withdrawal of a vote that is not there) answers ok with the current
count: the client's wish holds, so a resend after a reconnect is harmless.
"""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from ..core import permissions
from ..core.actors import Actor
from ..core.errors import Closed, Forbidden
from ..core.timeutil import utcnow
from ..extensions import db
from ..programme import service as programme
from ..programme.models import SessionStatus
from .broadcasting import mark_votes_dirty
from .models import Question, QuestionState, QuestionVote


def _vote_insert(question_id: int, participant_id: int):
    values = {"question_id": question_id, "participant_id": participant_id, "created_at": utcnow()}
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return (
        module.insert(QuestionVote)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["question_id", "participant_id"])
        .returning(QuestionVote.id)
    )


def _add_to_counter(question: Question, delta: int) -> None:
    row = db.session.execute(
        update(Question)
        .where(Question.id == question.id)
        .values(upvotes=Question.upvotes + delta, votes_version=Question.votes_version + 1)
        .returning(Question.upvotes, Question.votes_version)
        .execution_options(synchronize_session=False)
    ).one()
    # The row holds the count now: the object learns it without a write of its own, which
    # would overwrite a concurrent vote's increment.
    set_committed_value(question, "upvotes", row.upvotes)
    set_committed_value(question, "votes_version", row.votes_version)


def _check_votable(question: Question, actor: Actor) -> None:
    permissions.check_attend(actor, question.session_id)
    if actor.participant_id is None:
        raise Forbidden("Only participants upvote questions.")
    if question.state != QuestionState.APPROVED:
        raise Closed("Only questions waiting for an answer can be upvoted.")
    session = programme.get_session(question.session_id)
    if session.status == SessionStatus.ENDED:
        raise Closed("This session has ended.")


def upvote_question(question: Question, *, actor: Actor) -> Question:
    """Add this participant's upvote, once; a repeat leaves the count as it is.

    Precondition: ``question`` is locked (:func:`queries.locked_question`).
    """
    _check_votable(question, actor)
    inserted = db.session.execute(_vote_insert(question.id, actor.id)).scalar_one_or_none()
    if inserted is not None:
        _add_to_counter(question, +1)
        mark_votes_dirty(question)
    return question


def unvote_question(question: Question, *, actor: Actor) -> Question:
    """Withdraw this participant's upvote; withdrawing none leaves the count as it is.

    Precondition: ``question`` is locked (:func:`queries.locked_question`).
    """
    _check_votable(question, actor)
    removed = db.session.execute(
        delete(QuestionVote)
        .where(QuestionVote.question_id == question.id, QuestionVote.participant_id == actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if removed:
        _add_to_counter(question, -1)
        mark_votes_dirty(question)
    return question

"""Loading questions: plain, or locked for a change, and whether a participant is banned."""

from __future__ import annotations

from sqlalchemy import exists, select

from ..core.errors import NotFound
from ..core.i18n import N_
from ..extensions import db
from .models import Question, QuestionBan


def get_question(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound(N_("No question %(id)s."), params={"id": question_id})
    return question


def locked_question(question_id: int) -> Question:
    """Load a question fresh and lock its row until commit (PostgreSQL; SQLite locks writes)."""
    question = db.session.scalar(
        select(Question)
        .where(Question.id == question_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if question is None:
        raise NotFound(N_("No question %(id)s."), params={"id": question_id})
    return question


def locked_pair(question_id: int, other_id: int) -> tuple[Question, Question]:
    """Lock two questions in id order, so two changes of the same pair cannot deadlock."""
    locked = {qid: locked_question(qid) for qid in sorted({question_id, other_id})}
    return locked[question_id], locked[other_id]


def is_banned(session_id: int, participant_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    QuestionBan.session_id == session_id,
                    QuestionBan.participant_id == participant_id,
                )
            )
        )
    )

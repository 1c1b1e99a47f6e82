"""Fixtures of the Q&A tests: actors made through the public join and login paths."""

from __future__ import annotations

from sqlalchemy import func, select

from companion.extensions import db
from companion.questions.models import Question, QuestionBan, QuestionEdit, QuestionVote
from companion.realtime.models import SessionBroadcast


def counts() -> dict:
    """Rows of every Q&A table and of the broadcast log: a refusal must change none."""
    db.session.expire_all()
    tables = {
        "questions": Question,
        "votes": QuestionVote,
        "edits": QuestionEdit,
        "bans": QuestionBan,
        "broadcasts": SessionBroadcast,
    }
    return {
        name: db.session.scalar(select(func.count()).select_from(m)) for name, m in tables.items()
    }


def state_of(question_id: int) -> dict:
    """The stored fields of a question that any event could change."""
    db.session.expire_all()
    q = db.session.get(Question, question_id)
    return {
        "text": q.text,
        "state": q.state.value,
        "pinned": q.pinned,
        "upvotes": q.upvotes,
        "reply": q.reply,
        "merged_into_id": q.merged_into_id,
        "session_id": q.session_id,
    }

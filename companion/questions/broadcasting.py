"""The Q&A's broadcasts: a question's new state to whoever may see it, and coalesced counts.

Counts are broadcast coalesced (``question.votes``), never one message per vote; each count
carries the question's ``votes_version`` so a client that gets two counts out of order (several
processes) keeps the newer one.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from ..extensions import db
from ..realtime import hub
from ..realtime.coalesce import coalescer
from .models import PUBLIC_STATES, Question
from .presenters import question_dict

VOTES_KIND = "question.votes"


def broadcast(question: Question, *, was_public: bool, staff_extra: bool = False) -> None:
    """Publish a question's new state to whoever may see it, in the current transaction.

    When a question leaves the public set, everyone gets ``question.removed`` so no page keeps
    showing it.
    """
    payload = {"question": question_dict(question)}
    if question.state in PUBLIC_STATES:
        hub.publish(question.session_id, "question.updated", payload)
    else:
        hub.publish(
            question.session_id,
            "question.updated",
            payload,
            audience="staff",
            participant_id=question.participant_id,
        )
        if was_public:
            hub.publish(
                question.session_id,
                "question.removed",
                {"question_id": question.id, "session_id": question.session_id},
            )
    if staff_extra:
        # Duplicate suggestions and the reason for holding are for moderators only.
        hub.publish(
            question.session_id,
            "question.updated",
            {"question": question_dict(question, staff=True)},
            audience="staff",
        )


def mark_votes_dirty(question: Question) -> None:
    """Ask for a coalesced count broadcast once this transaction commits."""
    hub.mark_dirty(VOTES_KIND, (question.session_id, question.id))


def flush_votes(keys: set[tuple[int, int]]) -> None:
    """Broadcast the current counts of the questions upvoted since the last flush."""
    ids = {question_id for _, question_id in keys}
    rows = db.session.execute(
        select(
            Question.id,
            Question.session_id,
            Question.upvotes,
            Question.votes_version,
            Question.state,
        ).where(Question.id.in_(ids))
    )
    votes: dict[int, dict[str, int]] = defaultdict(dict)
    versions: dict[int, dict[str, int]] = defaultdict(dict)
    for question_id, session_id, upvotes, version, state in rows:
        if state in PUBLIC_STATES:
            votes[session_id][str(question_id)] = upvotes
            versions[session_id][str(question_id)] = version
    for session_id in votes:
        hub.publish_figures(
            session_id,
            "question.votes",
            {"votes": votes[session_id], "versions": versions[session_id]},
        )


coalescer.register(VOTES_KIND, flush_votes)

"""Questions on the wire: the contract's ``question`` shape and the acks' answers.

Visibility: approved and answered questions are the session's; pending, rejected and archived
ones go to moderators and their author only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select

from ..core.timeutil import iso
from ..extensions import db
from ..programme.models import LiveSession, Speaker
from ..realtime.snapshot import personal_columns
from .models import PUBLIC_STATES, Question, QuestionBan, QuestionEdit, QuestionVote


def question_dict(question: Question, *, staff: bool = False) -> dict[str, Any]:
    """The contract's ``question`` shape; ``staff`` adds what only moderators see.

    Never holds the author's participant id, nor per-recipient fields: broadcasts are shared.
    """
    carried_from = None
    if question.carried_from_session_id is not None:
        origin = db.session.get(LiveSession, question.carried_from_session_id)
        carried_from = {
            "session_id": question.carried_from_session_id,
            "session_title": origin.title if origin else None,
            "question_id": question.carried_from_question_id,
            "votes": question.carried_votes,
        }
    speaker = db.session.get(Speaker, question.speaker_id) if question.speaker_id else None
    data = {
        "id": question.id,
        "session_id": question.session_id,
        "text": question.text,
        "state": question.state.value,
        "pinned": question.pinned,
        "upvotes": question.upvotes,
        "votes_version": question.votes_version,
        "anonymous": question.anonymous,
        "author": None if question.anonymous else question.author_name,
        "agenda_item_id": question.agenda_item_id,
        "speaker_id": question.speaker_id,
        "speaker_name": speaker.name if speaker else None,
        "reply": question.reply,
        "answered_live": question.answered_live,
        "edited": question.edited_at is not None,
        "merged_into_id": question.merged_into_id,
        "carried_from": carried_from,
        "carried_to_session_id": question.carried_to_session_id,
        "created_at": iso(question.created_at),
        "updated_at": iso(question.updated_at),
    }
    if staff:
        data["similar"] = list(question.similar_ids or [])
        data["held_reason"] = question.held_reason
    return data


def own_dict(question: Question, *, voted: bool, mine: bool) -> dict[str, Any]:
    """A question as one attendee sees it: with their vote and whether they asked it."""
    return {**question_dict(question), "voted": voted, "mine": mine}


@dataclass(frozen=True)
class SessionQuestion:
    """A question of the session as one audience sees it, with what filtering it needs."""

    id: int
    participant_id: int | None  # for the filter only: never sent
    public: bool
    fields: dict[str, Any]  # :func:`question_dict`'s shape; never changed once built


def questions_view(session_id: int, *, staff: bool) -> tuple[SessionQuestion, ...]:
    """Every question of the session, oldest first, as staff (or the room) see it.

    The room's view holds the questions no attendee may see too, for their authors: a join
    keeps only the public ones and the joiner's own (:func:`own_questions`).
    """
    questions = db.session.scalars(
        select(Question).where(Question.session_id == session_id).order_by(Question.id)
    )
    return tuple(
        SessionQuestion(
            q.id, q.participant_id, q.state in PUBLIC_STATES, question_dict(q, staff=staff)
        )
        for q in questions
    )


def vote_figures(session_id: int) -> dict[int, tuple[int, int]]:
    """Each question's ``(upvotes, votes_version)`` now: they move without a seq (coalesced)."""
    rows = db.session.execute(
        select(Question.id, Question.upvotes, Question.votes_version).where(
            Question.session_id == session_id
        )
    )
    return {question_id: (upvotes, version) for question_id, upvotes, version in rows}


def _with_figures(fields: dict[str, Any], figures: dict[int, tuple[int, int]]) -> dict[str, Any]:
    upvotes, version = figures.get(fields["id"], (fields["upvotes"], fields["votes_version"]))
    return {**fields, "upvotes": upvotes, "votes_version": version}


def banned_authors(session_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(QuestionBan.participant_id).where(QuestionBan.session_id == session_id)
        )
    )


def staff_questions(
    view: tuple[SessionQuestion, ...], figures: dict[int, tuple[int, int]], banned: set[int]
) -> list[dict[str, Any]]:
    """The staff view with current counts, and whether each author is banned now."""
    return [
        {
            **_with_figures(q.fields, figures),
            "author_banned": q.participant_id is not None and q.participant_id in banned,
        }
        for q in view
    ]


def own_questions(
    view: tuple[SessionQuestion, ...],
    figures: dict[int, tuple[int, int]],
    participant_id: int | None,
    voted: set[int],
) -> list[dict[str, Any]]:
    """The room's view for one attendee: public questions and their own, with their votes.

    A speaker (who watches) has no participant id: only public questions, nothing of theirs.
    """
    return [
        {
            **_with_figures(q.fields, figures),
            "voted": q.id in voted,
            "mine": participant_id is not None and q.participant_id == participant_id,
        }
        for q in view
        if q.public or (participant_id is not None and q.participant_id == participant_id)
    ]


def upvotes_of(part: str, participant_id: int, session_id: int) -> Select:
    """A participant's upvotes in a session as a snapshot's personal rows: the questions."""
    return (
        select(*personal_columns(part, QuestionVote.question_id))
        .join(Question, Question.id == QuestionVote.question_id)
        .where(Question.session_id == session_id, QuestionVote.participant_id == participant_id)
    )


def history_dict(question: Question, edits: list[QuestionEdit]) -> dict[str, Any]:
    """A question's text history (its first entry holds the original)."""
    return {
        "question_id": question.id,
        "edits": [
            {
                "old_text": e.old_text,
                "new_text": e.new_text,
                "staff_id": e.staff_id,
                "at": iso(e.at),
            }
            for e in edits
        ],
    }


def vote_dict(question: Question, *, voted: bool) -> dict[str, Any]:
    """The ack of an upvote or its withdrawal: the count as it stands after it."""
    return {
        "question_id": question.id,
        "upvotes": question.upvotes,
        "votes_version": question.votes_version,
        "voted": voted,
    }


def ban_dict(session_id: int, question_id: int | None, *, banned: bool) -> dict[str, Any]:
    # The participant's id is not echoed: an anonymous author stays anonymous.
    return {"session_id": session_id, "question_id": question_id, "banned": banned}


def carried_dict(
    source: LiveSession, target: LiveSession, copies: list[Question]
) -> dict[str, Any]:
    return {
        "session_id": source.id,
        "target_session_id": target.id,
        "moved": len(copies),
        "question_ids": [copy.id for copy in copies],
    }

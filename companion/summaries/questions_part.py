"""The summary's Q&A: figures by state, and the lists of what the room saw."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..core.timeutil import iso
from ..extensions import db
from ..programme.models import AgendaItem, LiveSession
from ..questions import report as questions_report
from ..questions.models import Question, QuestionState, QuestionVote
from .headers import count

MOST_UPVOTED = 10


def question_entry(
    q: Question, tz: str, items: dict[int, AgendaItem], titles: dict[int, str]
) -> dict[str, Any]:
    item = items.get(q.agenda_item_id)

    def session_ref(session_id: int | None):
        if session_id is None:
            return None
        return {"session_id": session_id, "session_title": titles.get(session_id)}

    return {
        "id": q.id,
        "session_id": q.session_id,
        "text": q.text,
        "state": q.state.value,
        "upvotes": q.upvotes,
        "anonymous": q.anonymous,
        "author": None if q.anonymous else q.author_name,
        "reply": q.reply,
        "answered_live": q.answered_live,
        "agenda_item_id": q.agenda_item_id,
        "agenda_item_title": item.title if item else None,
        "created_at": iso(q.created_at, tz),
        "carried_from": session_ref(q.carried_from_session_id),
        "carried_to": session_ref(q.carried_to_session_id),
    }


def session_questions(
    session: LiveSession, items: dict[int, AgendaItem]
) -> tuple[dict, list[str], list[str]]:
    """The Q&A in figures and lists; the texts the room saw, and those asked here (themes)."""
    tz = session.event.timezone
    titles = {s.id: s.title for s in session.event.sessions}
    rows = list(
        db.session.scalars(
            select(Question).where(Question.session_id == session.id).order_by(Question.id)
        )
    )
    seen = questions_report.seen_by_the_room(rows)

    def published(q: Question) -> bool:
        """Whether the room saw it: approved or answered here, or carried on as such."""
        return q.id in seen

    def n(pred) -> int:
        return sum(1 for q in rows if pred(q))

    archived = QuestionState.ARCHIVED
    counts = {
        "total": len(rows),
        "asked": n(lambda q: q.carried_from_session_id is None),
        "carried_in": n(lambda q: q.carried_from_session_id is not None),
        "answered": n(lambda q: q.state == QuestionState.ANSWERED),
        "answered_with_reply": n(lambda q: q.state == QuestionState.ANSWERED and bool(q.reply)),
        "answered_live": n(lambda q: q.state == QuestionState.ANSWERED and not q.reply),
        "unanswered": n(lambda q: q.state == QuestionState.APPROVED),
        "pending": n(lambda q: q.state == QuestionState.PENDING),
        "rejected": n(lambda q: q.state == QuestionState.REJECTED),
        "merged": n(lambda q: q.merged_into_id is not None),
        "archived": n(
            lambda q: (
                q.state == archived and q.merged_into_id is None and q.carried_to_session_id is None
            )
        ),
        "carried_forward": n(lambda q: q.carried_to_session_id is not None),
        "moderated_out": 0,
        "edited": n(lambda q: q.edited_at is not None),
        "anonymous": n(lambda q: q.anonymous),
        "signed": n(lambda q: not q.anonymous),
        "upvotes": count(
            select(QuestionVote.id)
            .join(Question, Question.id == QuestionVote.question_id)
            .where(Question.session_id == session.id)
        ),
    }
    counts["moderated_out"] = counts["rejected"] + counts["archived"]

    def entries(selected) -> list[dict]:
        return [question_entry(q, tz, items, titles) for q in selected]

    by_votes = sorted(rows, key=lambda q: (-q.upvotes, q.id))
    lists = {
        "answered": entries(q for q in by_votes if q.state == QuestionState.ANSWERED),
        "most_upvoted": entries(
            [q for q in by_votes if q.upvotes > 0 and published(q)][:MOST_UPVOTED]
        ),
        "unanswered": entries(q for q in by_votes if q.state == QuestionState.APPROVED),
        "carried_forward": entries(
            q for q in rows if q.carried_to_session_id is not None and published(q)
        ),
        "carried_in": entries(
            q for q in rows if q.carried_from_session_id is not None and published(q)
        ),
    }
    # The room's priorities first: themes read a bounded amount of text (themes.MAX_CHARS).
    texts = [q.text for q in by_votes if published(q)]
    own = [q.text for q in by_votes if published(q) and q.carried_from_session_id is None]
    return {"counts": counts, **lists}, texts, own

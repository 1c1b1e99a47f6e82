"""What the Q&A did, for summaries: which questions the room saw.

The rule lives with the questions, so summaries never re-derive it from raw rows.
"""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .models import PUBLIC_STATES, Question, QuestionState


def seen_by_the_room(questions: list[Question]) -> set[int]:
    """Ids of the questions the room saw: approved or answered here, or carried on as such.

    A question carried forward is judged by its copy in the later session.
    """
    carried = [q.id for q in questions if q.carried_to_session_id is not None]
    copy_state: dict[int, QuestionState] = {}
    if carried:
        copy_state = dict(
            db.session.execute(
                select(Question.carried_from_question_id, Question.state).where(
                    Question.carried_from_question_id.in_(carried)
                )
            ).all()
        )
    return {
        q.id
        for q in questions
        if (copy_state.get(q.id) if q.carried_to_session_id is not None else q.state)
        in PUBLIC_STATES
    }

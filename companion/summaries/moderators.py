"""Who ran a session: the staff who moved it along, edited or banned in its Q&A."""

from __future__ import annotations

from sqlalchemy import select, union
from sqlalchemy.dialects import postgresql, sqlite

from ..core.actors import Actor
from ..core.timeutil import utcnow
from ..extensions import db
from ..participants.models import StaffUser
from ..programme import service as programme
from ..programme.models import LiveSession
from ..questions.models import Question, QuestionBan, QuestionEdit
from .models import SessionModerator


def _dialect_insert(table):
    return (postgresql if db.engine.dialect.name == "postgresql" else sqlite).insert(table)


def record_moderator(session: LiveSession, actor: Actor | None) -> None:
    """Remember that a staff member ran ``session`` (once per person)."""
    if actor is None or not actor.is_staff:
        return
    db.session.execute(
        _dialect_insert(SessionModerator)
        .values(session_id=session.id, staff_id=actor.id, first_at=utcnow())
        .on_conflict_do_nothing(index_elements=["session_id", "staff_id"])
    )


@programme.agenda_advanced.connect
def _on_agenda_advanced(session: LiveSession, actor: Actor | None = None, **_):
    record_moderator(session, actor)


@programme.session_status_changed.connect
def _on_session_status_changed(session: LiveSession, actor: Actor | None = None, **_):
    record_moderator(session, actor)


def moderators(session: LiveSession) -> list[dict[str, str]]:
    """The staff who ran the session: moved it along, edited or banned in its Q&A."""
    staff_ids = union(
        select(SessionModerator.staff_id).where(SessionModerator.session_id == session.id),
        select(QuestionEdit.staff_id)
        .join(Question, Question.id == QuestionEdit.question_id)
        .where(Question.session_id == session.id, QuestionEdit.staff_id.is_not(None)),
        select(QuestionBan.staff_id).where(
            QuestionBan.session_id == session.id, QuestionBan.staff_id.is_not(None)
        ),
    ).subquery()
    rows = db.session.execute(
        select(StaffUser.name, StaffUser.role)
        .where(StaffUser.id.in_(select(staff_ids.c[0])))
        .order_by(StaffUser.name, StaffUser.id)
    )
    return [{"name": name, "role": role} for name, role in rows]

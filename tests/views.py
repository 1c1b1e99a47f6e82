"""What one actor sees of a session, composed from the presenters' parts without the cache.

The join builds these from shared parts cached per seq (realtime/snapshot.py); tests use this
uncached composition as the reference the snapshot must equal, and to read what a person sees.
"""

from __future__ import annotations

from sqlalchemy import func, select

from companion.core.actors import Actor
from companion.extensions import db
from companion.polls import presenters as poll_presenters
from companion.polls.models import Ballot, Poll
from companion.polls.queries import _closed_quizzes, my_answers
from companion.programme.models import LiveSession
from companion.questions import presenters as question_presenters


def polls_seen_by(session: LiveSession, actor: Actor) -> list[dict]:
    """The polls this actor may see: drafts for moderators, a participant's own answers."""
    view = poll_presenters.polls_view(session.id, staff=actor.is_staff)
    entries = poll_presenters.with_figures(view)
    if actor.participant_id is not None:
        poll_presenters.add_my_answers(
            entries, my_answers(list(view.poll_ids), actor.participant_id)
        )
    return entries


def questions_seen_by(session: LiveSession, actor: Actor) -> list[dict]:
    """Every question of ``session`` this actor may see, oldest first, with per-actor fields."""
    view = question_presenters.questions_view(session.id, staff=actor.is_staff)
    figures = question_presenters.vote_figures(session.id) if view else {}
    if actor.is_staff:
        return question_presenters.staff_questions(
            view, figures, question_presenters.banned_authors(session.id)
        )
    me = actor.participant_id
    voted: set[int] = set()
    if me is not None and view:
        upvotes = question_presenters.upvotes_of("questions", me, session.id)
        voted = {row.ref_id for row in db.session.execute(upvotes)}
    return question_presenters.own_questions(view, figures, me, voted)


def quiz_score(session_id: int, participant_id: int) -> dict[str, int]:
    """A participant's quiz score in the session: correct answers to closed quizzes."""
    closed = select(Poll.id).where(*_closed_quizzes(session_id))
    out_of = db.session.scalar(select(func.count()).select_from(closed.subquery()))
    score = db.session.scalar(
        select(func.count()).where(
            Ballot.poll_id.in_(closed),
            Ballot.participant_id == participant_id,
            Ballot.correct.is_(True),
        )
    )
    return {"score": score or 0, "out_of": out_of or 0}

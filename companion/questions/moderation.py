"""Moderating the Q&A: approve, reject, pin, answer…, edit, merge duplicates, ban an author.

Preconditions: a question passed to these verbs is locked (:func:`queries.locked_question`,
:func:`queries.locked_pair`).
"""

from __future__ import annotations

from sqlalchemy import Integer, delete, exists, func, insert, literal, select
from sqlalchemy.orm import aliased

from ..core import permissions
from ..core.actors import Actor
from ..core.errors import Conflict, Invalid, NotFound
from ..core.i18n import N_, translate
from ..core.timeutil import utcnow
from ..extensions import db
from ..participants.models import Participant
from ..programme import service as programme
from ..realtime import hub
from .asking import check_text
from .broadcasting import broadcast
from .models import PUBLIC_STATES, Question, QuestionBan, QuestionEdit, QuestionState, QuestionVote
from .queries import get_question, is_banned
from .settings import session_settings

_FROM = {
    "approve": {QuestionState.PENDING, QuestionState.REJECTED},
    "reject": {QuestionState.PENDING, QuestionState.APPROVED},
    "pin": {QuestionState.APPROVED},
    "unpin": {QuestionState.APPROVED, QuestionState.ANSWERED, QuestionState.PENDING},
    "answer": {QuestionState.PENDING, QuestionState.APPROVED},
    "reopen": {QuestionState.ANSWERED, QuestionState.REJECTED, QuestionState.ARCHIVED},
    "archive": {
        QuestionState.PENDING,
        QuestionState.APPROVED,
        QuestionState.REJECTED,
        QuestionState.ANSWERED,
    },
}


#: The console's button for each action, and its badge for each state (templates/questions).
_ACTION_LABELS = {
    "approve": N_("Approve"),
    "reject": N_("Reject"),
    "pin": N_("Pin"),
    "unpin": N_("Unpin"),
    "answer": N_("Answer"),
    "reopen": N_("Reopen"),
    "archive": N_("Archive"),
}
_STATE_LABELS = {
    QuestionState.PENDING: N_("Waiting for moderation"),
    QuestionState.APPROVED: N_("Live"),
    QuestionState.REJECTED: N_("Not retained"),
    QuestionState.ANSWERED: N_("Answered"),
    QuestionState.ARCHIVED: N_("Archived"),
}


def moderate_question(
    question: Question, action: str, *, actor: Actor, reply: str | None = None
) -> Question:
    """Apply a moderator's ``action`` (approve, reject, pin, unpin, answer, reopen, archive).

    :raises Conflict: the action does not apply to the question's current state.
    """
    permissions.check_moderate(actor, question.session_id)
    if reply is not None and action != "answer":
        raise Invalid("A reply goes with the answer action only.")
    if reply is not None and "\x00" in reply:
        raise Invalid("The reply holds a NUL character, which cannot be stored.")
    if question.state not in _FROM[action]:
        # Worded as the console words them: its button, the question's badge.
        raise Conflict(
            N_("“%(action)s” is not possible: this question is %(state)s."),
            params={
                "action": translate(_ACTION_LABELS.get(action, action)),
                "state": translate(_STATE_LABELS[question.state]).lower(),
            },
            details={"action": action, "state": question.state.value},
        )
    if action == "pin" and question.pinned:
        raise Conflict("This question is already pinned.")
    if action == "unpin" and not question.pinned:
        raise Conflict("This question is not pinned.")
    if action == "reopen" and (question.merged_into_id or question.carried_to_session_id):
        raise Conflict("A merged or carried-forward question cannot be reopened.")
    was_public = question.state in PUBLIC_STATES
    others: list[Question] = []
    if action == "approve":
        question.state = QuestionState.APPROVED
    elif action == "reject":
        question.state = QuestionState.REJECTED
        question.pinned = False
    elif action == "pin":
        # One question on the projector at a time: pinning one unpins the others.
        others = list(
            db.session.scalars(
                select(Question).where(
                    Question.session_id == question.session_id,
                    Question.pinned.is_(True),
                    Question.id != question.id,
                )
            )
        )
        for other in others:
            other.pinned = False
        question.pinned = True
    elif action == "unpin":
        question.pinned = False
    elif action == "answer":
        question.state = QuestionState.ANSWERED
        question.pinned = False
        question.reply = reply or None
        question.answered_live = not reply
    elif action == "reopen":
        question.state = QuestionState.APPROVED
        question.answered_live = False
    elif action == "archive":
        question.state = QuestionState.ARCHIVED
        question.pinned = False
    db.session.flush()
    for other in others:
        broadcast(other, was_public=other.state in PUBLIC_STATES)
    broadcast(question, was_public=was_public)
    return question


def edit_question(question: Question, text: str, *, actor: Actor) -> Question:
    """Change a question's text, keeping the previous text in its history."""
    permissions.check_moderate(actor, question.session_id)
    if question.state == QuestionState.ARCHIVED:
        raise Conflict("An archived question cannot be edited.")
    session = programme.get_session(question.session_id)
    check_text(text, session_settings(session))
    if text == question.text:
        return question
    db.session.add(
        QuestionEdit(
            question_id=question.id,
            old_text=question.text,
            new_text=text,
            staff_id=actor.id,
            at=utcnow(),
        )
    )
    question.text = text
    question.edited_at = utcnow()
    db.session.flush()
    broadcast(question, was_public=question.state in PUBLIC_STATES)
    return question


def question_history(question: Question, *, actor: Actor) -> list[QuestionEdit]:
    """Return a question's text edits, oldest first (the first holds the original)."""
    permissions.check_moderate(actor, question.session_id)
    return list(
        db.session.scalars(
            select(QuestionEdit)
            .where(QuestionEdit.question_id == question.id)
            .order_by(QuestionEdit.at, QuestionEdit.id)
        )
    )


def merge_questions(source: Question, target: Question, *, actor: Actor) -> Question:
    """Merge a duplicate into another question of the session, counting each voter once.

    The duplicate's votes move to the target unless that voter already voted there; the
    target's count is then recomputed from its vote rows (plus carried votes), so it is exact.
    Returns the target; the source is archived, ``merged_into_id`` naming the target.
    """
    if source.id == target.id:
        raise Invalid("A question cannot be merged into itself.")
    permissions.check_moderate(actor, source.session_id)
    if target.session_id != source.session_id:
        raise Invalid("Both questions must belong to the same session.")
    if source.state == QuestionState.ARCHIVED:
        raise Conflict("This question is already archived or merged.")
    if target.state in (QuestionState.ARCHIVED, QuestionState.REJECTED):
        raise Conflict(
            N_("Cannot merge into a question that is %(state)s."),
            params={"state": translate(_STATE_LABELS[target.state]).lower()},
            details={"state": target.state.value},
        )
    was_public = source.state in PUBLIC_STATES
    other_vote = aliased(QuestionVote)
    db.session.execute(
        insert(QuestionVote).from_select(
            ["question_id", "participant_id", "created_at"],
            select(
                literal(target.id, Integer),
                QuestionVote.participant_id,
                QuestionVote.created_at,
            ).where(
                QuestionVote.question_id == source.id,
                ~exists().where(
                    other_vote.question_id == target.id,
                    other_vote.participant_id == QuestionVote.participant_id,
                ),
            ),
        )
    )
    db.session.execute(
        delete(QuestionVote)
        .where(QuestionVote.question_id == source.id)
        .execution_options(synchronize_session=False)
    )
    voters = db.session.scalar(
        select(func.count(QuestionVote.id)).where(QuestionVote.question_id == target.id)
    )
    target.carried_votes = (target.carried_votes or 0) + (source.carried_votes or 0)
    target.upvotes = voters + target.carried_votes
    target.votes_version = (target.votes_version or 0) + 1
    target.similar_ids = [i for i in (target.similar_ids or []) if i != source.id]
    source.state = QuestionState.ARCHIVED
    source.pinned = False
    source.merged_into_id = target.id
    source.upvotes = 0
    source.carried_votes = 0
    source.votes_version = (source.votes_version or 0) + 1
    db.session.flush()
    broadcast(source, was_public=was_public)
    broadcast(target, was_public=target.state in PUBLIC_STATES)
    return target


# ---------------------------------------------------------------- bans


def ban_target(
    actor: Actor,
    *,
    question_id: int | None = None,
    session_id: int | None = None,
    participant_id: int | None = None,
) -> tuple[int, int]:
    """Resolve whom a ban is about, from their question or by id: ``(session_id, participant_id)``.

    :raises Forbidden: the actor does not moderate the session.
    """
    if question_id is not None:
        question = get_question(question_id)
        permissions.check_moderate(actor, question.session_id)
        if question.participant_id is None:
            raise Invalid("This question has no author in this session (it was carried forward).")
        return question.session_id, question.participant_id
    programme.get_session(session_id)
    permissions.check_moderate(actor, session_id)
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.session_id != session_id:
        raise NotFound(N_("No participant %(id)s in this session."), params={"id": participant_id})
    return session_id, participant.id


def ban_participant(session_id: int, participant_id: int, *, actor: Actor) -> bool:
    """Stop a participant from asking questions for the rest of the session (idempotent).

    Returns whether the ban is new. ``participant_id`` comes from :func:`ban_target`.
    """
    permissions.check_moderate(actor, session_id)
    if is_banned(session_id, participant_id):
        return False
    db.session.add(
        QuestionBan(
            session_id=session_id,
            participant_id=participant_id,
            staff_id=actor.id,
            at=utcnow(),
        )
    )
    db.session.flush()
    hub.notify_participant(
        session_id,
        participant_id,
        "question.banned",
        {"session_id": session_id, "banned": True},
    )
    return True


def unban_participant(session_id: int, participant_id: int, *, actor: Actor) -> bool:
    """Let a banned participant ask questions again (idempotent); tell whether one was lifted."""
    permissions.check_moderate(actor, session_id)
    removed = db.session.execute(
        delete(QuestionBan).where(
            QuestionBan.session_id == session_id, QuestionBan.participant_id == participant_id
        )
    ).rowcount
    if removed:
        hub.notify_participant(
            session_id,
            participant_id,
            "question.banned",
            {"session_id": session_id, "banned": False},
        )
    return bool(removed)

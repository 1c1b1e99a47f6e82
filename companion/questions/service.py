"""Q&A rules: asking, upvoting, moderating, merging, banning, carrying forward.

Visibility: approved and answered questions are the session's; pending, rejected and archived
ones go to moderators and their author only. When a question leaves the public set, everyone
gets ``question.removed`` so no page keeps showing it.

Upvotes: one ``question_votes`` row per participant and question (a unique key), and the
question's ``upvotes`` counter moved by SQL arithmetic in the same transaction. A repeated
upvote (or a withdrawal of a vote that is not there) answers ok with the current count: the
client's wish holds, so a resend after a reconnect is harmless. Counts are broadcast coalesced
(``question.votes``), never one message per vote; each count carries the question's
``votes_version`` so a client that gets two counts out of order (several processes) keeps the
newer one.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Integer, delete, exists, func, insert, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from ..core import permissions
from ..core.actors import Actor
from ..core.errors import Closed, Conflict, Forbidden, Invalid, NotFound, RateLimited
from ..core.i18n import N_
from ..core.timeutil import iso, utcnow
from ..extensions import db
from ..participants.models import Participant
from ..programme import service as programme
from ..programme.models import LiveSession, SessionStatus, Speaker
from ..realtime import hub
from ..realtime.coalesce import coalescer
from .models import (
    PUBLIC_STATES,
    UNANSWERED_STATES,
    Question,
    QuestionBan,
    QuestionEdit,
    QuestionState,
    QuestionVote,
)
from .schemas import DEFAULT_MAX_LENGTH, MAX_TEXT, SettingsIn, SubmitIn
from .text import find_profanity, likely_duplicates

VOTES_KIND = "question.votes"
SIMILARITY_POOL = 300  # the latest questions of the session compared with a new one

DEFAULT_SETTINGS: dict[str, Any] = {
    "premoderation": False,
    "question_max_length": DEFAULT_MAX_LENGTH,
    "rate_per_minute": 5,
    "profanity_words": [],
    "profanity_builtin": True,
}
PUBLIC_SETTINGS = ("premoderation", "question_max_length", "rate_per_minute")


# ---------------------------------------------------------------- reading


def get_question(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound(N_("No question %(id)s."), params={"id": question_id})
    return question


def _locked_question(question_id: int) -> Question:
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


def _check_attends(actor: Actor, session_id: int) -> None:
    permissions.check_attend(actor, session_id)


def _check_moderates(actor: Actor, session_id: int) -> None:
    permissions.check_moderate(actor, session_id)


def session_settings(session: LiveSession) -> dict[str, Any]:
    """The session's Q&A settings, defaults filled in."""
    return {name: session.setting(name, default) for name, default in DEFAULT_SETTINGS.items()}


def settings_for(session: LiveSession, actor: Actor) -> dict[str, Any]:
    """What this actor may know of the settings (the word list is for moderators)."""
    settings = session_settings(session)
    if actor.is_staff:
        return settings
    return {name: settings[name] for name in PUBLIC_SETTINGS}


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


def _own_dict(question: Question, *, voted: bool, mine: bool) -> dict[str, Any]:
    return {**question_dict(question), "voted": voted, "mine": mine}


def visible_questions(session: LiveSession, actor: Actor) -> list[dict[str, Any]]:
    """Every question of ``session`` this actor may see, oldest first, with per-actor fields."""
    query = select(Question).where(Question.session_id == session.id).order_by(Question.id)
    if actor.is_staff:
        questions = list(db.session.scalars(query))
        banned = set(
            db.session.scalars(
                select(QuestionBan.participant_id).where(QuestionBan.session_id == session.id)
            )
        )
        return [
            {
                **question_dict(q, staff=True),
                "author_banned": q.participant_id is not None and q.participant_id in banned,
            }
            for q in questions
        ]
    # A speaker (who watches) has no participant id: only public questions, nothing of theirs.
    me = actor.participant_id if actor.participant_id is not None else -1
    questions = list(
        db.session.scalars(
            query.where(Question.state.in_(PUBLIC_STATES) | (Question.participant_id == me))
        )
    )
    voted = set(
        db.session.scalars(
            select(QuestionVote.question_id)
            .join(Question, Question.id == QuestionVote.question_id)
            .where(Question.session_id == session.id, QuestionVote.participant_id == me)
        )
    )
    return [_own_dict(q, voted=q.id in voted, mine=q.participant_id == me) for q in questions]


def question_history(question_id: int, *, actor: Actor) -> dict[str, Any]:
    """Return a question's text history (its first entry holds the original)."""
    question = get_question(question_id)
    _check_moderates(actor, question.session_id)
    edits = db.session.scalars(
        select(QuestionEdit)
        .where(QuestionEdit.question_id == question.id)
        .order_by(QuestionEdit.at, QuestionEdit.id)
    )
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


# ---------------------------------------------------------------- broadcasting


def _broadcast(question: Question, *, was_public: bool, staff_extra: bool = False) -> None:
    """Publish a question's new state to whoever may see it, in the current transaction."""
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


def _mark_votes_dirty(question: Question) -> None:
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


# ---------------------------------------------------------------- asking


def _rate_limits_on() -> bool:
    return current_app.config["COMPANION"].rate_limits_enabled


def _check_text(text: str, settings: dict[str, Any]) -> None:
    if "\x00" in text:
        raise Invalid("The text holds a NUL character, which cannot be stored.")
    limit = min(int(settings["question_max_length"]), MAX_TEXT)
    if len(text) > limit:
        raise Invalid(
            N_("A question is at most %(limit)s characters long (%(given)s given)."),
            params={"limit": limit, "given": len(text)},
        )


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


def submit_question(data: SubmitIn, *, actor: Actor) -> dict[str, Any]:
    """Record a question as typed; it is live at once unless held for moderation.

    :raises Forbidden: another session's participant, staff, or a banned participant.
    :raises Closed: the session has ended.
    :raises RateLimited: too many questions from this participant in the last minute.
    """
    session = programme.get_session(data.session_id)
    _check_attends(actor, session.id)
    if actor.participant_id is None:
        raise Forbidden("Only participants ask questions.")
    if session.status == SessionStatus.ENDED:
        raise Closed("This session has ended; questions are closed.")
    if is_banned(session.id, actor.id):
        # The page matches the reason, never the translated message, to lock its form.
        raise Forbidden(
            "A moderator has stopped you from asking questions in this session.",
            details={"reason": "banned"},
        )
    settings = session_settings(session)
    _check_text(data.text, settings)
    per_minute = int(settings["rate_per_minute"])
    if per_minute and _rate_limits_on():
        recent = db.session.scalar(
            select(func.count(Question.id)).where(
                Question.participant_id == actor.id,
                Question.created_at > utcnow() - timedelta(seconds=60),
            )
        )
        if recent >= per_minute:
            raise RateLimited(
                N_("You can ask at most %(n)s questions a minute; wait a little."),
                params={"n": per_minute},
            )
    if data.agenda_item_id is not None:
        agenda_item_id = programme.get_agenda_item(session, data.agenda_item_id).id
    else:
        agenda_item_id = session.current_agenda_item_id
    if data.speaker_id is not None:
        speaker = db.session.get(Speaker, data.speaker_id)
        if speaker is None or speaker.event_id != session.event_id:
            raise NotFound(N_("No speaker %(id)s in this event."), params={"id": data.speaker_id})
    held = find_profanity(
        data.text, settings["profanity_words"], builtin=bool(settings["profanity_builtin"])
    )
    candidates = db.session.execute(
        select(Question.id, Question.text)
        .where(
            Question.session_id == session.id,
            Question.state.in_(
                (QuestionState.PENDING, QuestionState.APPROVED, QuestionState.ANSWERED)
            ),
        )
        .order_by(Question.id.desc())
        .limit(SIMILARITY_POOL)
    ).all()
    question = Question(
        session_id=session.id,
        participant_id=actor.id,
        author_name=None if data.anonymous else actor.name,
        anonymous=data.anonymous,
        text=data.text,
        agenda_item_id=agenda_item_id,
        speaker_id=data.speaker_id,
        state=(
            QuestionState.PENDING if held or settings["premoderation"] else QuestionState.APPROVED
        ),
        held_reason="profanity" if held else None,
        similar_ids=likely_duplicates(data.text, candidates),
        upvotes=0,
        votes_version=0,
        carried_votes=0,
    )
    db.session.add(question)
    db.session.flush()
    _broadcast(
        question,
        was_public=False,
        staff_extra=bool(question.similar_ids or question.held_reason),
    )
    return {"question": _own_dict(question, voted=False, mine=True)}


# ---------------------------------------------------------------- voting


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


def _add_to_counter(question_id: int, delta: int) -> tuple[int, int]:
    row = db.session.execute(
        update(Question)
        .where(Question.id == question_id)
        .values(upvotes=Question.upvotes + delta, votes_version=Question.votes_version + 1)
        .returning(Question.upvotes, Question.votes_version)
        .execution_options(synchronize_session=False)
    ).one()
    return row.upvotes, row.votes_version


def _votable(question_id: int, actor: Actor) -> Question:
    question = _locked_question(question_id)
    _check_attends(actor, question.session_id)
    if actor.participant_id is None:
        raise Forbidden("Only participants upvote questions.")
    if question.state != QuestionState.APPROVED:
        raise Closed("Only questions waiting for an answer can be upvoted.")
    session = programme.get_session(question.session_id)
    if session.status == SessionStatus.ENDED:
        raise Closed("This session has ended.")
    return question


def upvote_question(question_id: int, *, actor: Actor) -> dict[str, Any]:
    """Add this participant's upvote, once; a repeat answers the current count."""
    question = _votable(question_id, actor)
    inserted = db.session.execute(_vote_insert(question.id, actor.id)).scalar_one_or_none()
    if inserted is not None:
        upvotes, version = _add_to_counter(question.id, +1)
        _mark_votes_dirty(question)
    else:
        upvotes, version = question.upvotes, question.votes_version
    return {"question_id": question.id, "upvotes": upvotes, "votes_version": version, "voted": True}


def unvote_question(question_id: int, *, actor: Actor) -> dict[str, Any]:
    """Withdraw this participant's upvote; withdrawing none answers the current count."""
    question = _votable(question_id, actor)
    removed = db.session.execute(
        delete(QuestionVote)
        .where(QuestionVote.question_id == question.id, QuestionVote.participant_id == actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if removed:
        upvotes, version = _add_to_counter(question.id, -1)
        _mark_votes_dirty(question)
    else:
        upvotes, version = question.upvotes, question.votes_version
    return {
        "question_id": question.id,
        "upvotes": upvotes,
        "votes_version": version,
        "voted": False,
    }


# ---------------------------------------------------------------- moderating

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


def moderate_question(
    question_id: int, action: str, *, actor: Actor, reply: str | None = None
) -> dict[str, Any]:
    """Apply a moderator's ``action`` (approve, reject, pin, unpin, answer, reopen, archive).

    :raises Conflict: the action does not apply to the question's current state.
    """
    question = _locked_question(question_id)
    _check_moderates(actor, question.session_id)
    if reply is not None and action != "answer":
        raise Invalid("A reply goes with the answer action only.")
    if reply is not None and "\x00" in reply:
        raise Invalid("The reply holds a NUL character, which cannot be stored.")
    if question.state not in _FROM[action]:
        raise Conflict(
            N_("Cannot %(action)s a question that is %(state)s."),
            params={"action": action, "state": question.state.value},
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
        _broadcast(other, was_public=other.state in PUBLIC_STATES)
    _broadcast(question, was_public=was_public)
    return {"question": question_dict(question, staff=True)}


def edit_question(question_id: int, text: str, *, actor: Actor) -> dict[str, Any]:
    """Change a question's text, keeping the previous text in its history."""
    question = _locked_question(question_id)
    _check_moderates(actor, question.session_id)
    if question.state == QuestionState.ARCHIVED:
        raise Conflict("An archived question cannot be edited.")
    session = programme.get_session(question.session_id)
    _check_text(text, session_settings(session))
    if text == question.text:
        return {"question": question_dict(question, staff=True)}
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
    _broadcast(question, was_public=question.state in PUBLIC_STATES)
    return {"question": question_dict(question, staff=True)}


def merge_questions(question_id: int, into_id: int, *, actor: Actor) -> dict[str, Any]:
    """Merge a duplicate into another question of the session, counting each voter once.

    The duplicate's votes move to the target unless that voter already voted there; the
    target's count is then recomputed from its vote rows (plus carried votes), so it is exact.
    """
    if question_id == into_id:
        raise Invalid("A question cannot be merged into itself.")
    # Lock in id order so two merges of the same pair cannot deadlock.
    locked = {qid: _locked_question(qid) for qid in sorted((question_id, into_id))}
    source, target = locked[question_id], locked[into_id]
    _check_moderates(actor, source.session_id)
    if target.session_id != source.session_id:
        raise Invalid("Both questions must belong to the same session.")
    if source.state == QuestionState.ARCHIVED:
        raise Conflict("This question is already archived or merged.")
    if target.state in (QuestionState.ARCHIVED, QuestionState.REJECTED):
        raise Conflict(
            N_("Cannot merge into a question that is %(state)s."),
            params={"state": target.state.value},
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
    _broadcast(source, was_public=was_public)
    _broadcast(target, was_public=target.state in PUBLIC_STATES)
    return {
        "question": question_dict(target, staff=True),
        "merged": question_dict(source, staff=True),
    }


# ---------------------------------------------------------------- bans


def _ban_target(
    actor: Actor, question_id: int | None, session_id: int | None, participant_id: int | None
) -> tuple[int, int]:
    if question_id is not None:
        question = get_question(question_id)
        _check_moderates(actor, question.session_id)
        if question.participant_id is None:
            raise Invalid("This question has no author in this session (it was carried forward).")
        return question.session_id, question.participant_id
    programme.get_session(session_id)
    _check_moderates(actor, session_id)
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.session_id != session_id:
        raise NotFound(N_("No participant %(id)s in this session."), params={"id": participant_id})
    return session_id, participant.id


def ban_participant(
    *,
    actor: Actor,
    question_id: int | None = None,
    session_id: int | None = None,
    participant_id: int | None = None,
) -> dict[str, Any]:
    """Stop a participant from asking questions for the rest of the session (idempotent)."""
    session_id, participant_id = _ban_target(actor, question_id, session_id, participant_id)
    if not is_banned(session_id, participant_id):
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
    # The participant's id is not echoed: an anonymous author stays anonymous.
    return {"session_id": session_id, "question_id": question_id, "banned": True}


def unban_participant(
    *,
    actor: Actor,
    question_id: int | None = None,
    session_id: int | None = None,
    participant_id: int | None = None,
) -> dict[str, Any]:
    """Let a banned participant ask questions again (idempotent)."""
    session_id, participant_id = _ban_target(actor, question_id, session_id, participant_id)
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
    return {"session_id": session_id, "question_id": question_id, "banned": False}


# ---------------------------------------------------------------- carrying forward


def carry_forward(session_id: int, target_session_id: int, *, actor: Actor) -> dict[str, Any]:
    """Move a session's unanswered questions to a later session of the same event.

    Copies keep their text, author name, anonymity, speaker and state; their upvotes become
    ``carried_votes`` (the voters were participants of the other session, so only the count
    travels) and they record where they came from. The originals are archived with
    ``carried_to_session_id``.
    """
    source = programme.get_session(session_id)
    target = programme.get_session(target_session_id)
    _check_moderates(actor, source.id)
    if target.id == source.id or target.event_id != source.event_id:
        raise Invalid("Questions move to another session of the same event.")
    if target.starts_at <= source.starts_at:
        raise Invalid("Questions move to a later session.")
    if target.status == SessionStatus.ENDED:
        raise Closed("The target session has ended.")
    originals = list(
        db.session.scalars(
            select(Question)
            .where(Question.session_id == source.id, Question.state.in_(UNANSWERED_STATES))
            .order_by(Question.id)
            .with_for_update()
        )
    )
    pairs = []
    for original in originals:
        copy = Question(
            session_id=target.id,
            participant_id=None,
            author_name=original.author_name,
            anonymous=original.anonymous,
            text=original.text,
            agenda_item_id=None,
            speaker_id=original.speaker_id,
            state=original.state,
            pinned=False,
            held_reason=original.held_reason,
            similar_ids=[],
            upvotes=original.upvotes,
            votes_version=0,
            carried_votes=original.upvotes,
            carried_from_session_id=source.id,
            carried_from_question_id=original.id,
        )
        db.session.add(copy)
        pairs.append((original, original.state in PUBLIC_STATES, copy))
        original.state = QuestionState.ARCHIVED
        original.pinned = False
        original.carried_to_session_id = target.id
    db.session.flush()
    for original, was_public, copy in pairs:
        _broadcast(original, was_public=was_public)
        _broadcast(copy, was_public=False)
    return {
        "session_id": source.id,
        "target_session_id": target.id,
        "moved": len(pairs),
        "question_ids": [copy.id for _, _, copy in pairs],
    }


# ---------------------------------------------------------------- settings


def update_settings(data: SettingsIn, *, actor: Actor) -> dict[str, Any]:
    """Change the session's Q&A settings; attendees get the public part."""
    session = programme.get_session(data.session_id)
    _check_moderates(actor, session.id)
    changes = data.model_dump(exclude={"session_id"}, exclude_none=True)
    if "profanity_words" in changes:
        words = []
        for word in changes["profanity_words"]:
            if word.casefold() not in {w.casefold() for w in words}:
                words.append(word)
        changes["profanity_words"] = words
    session.settings = {**(session.settings or {}), **changes}
    db.session.flush()
    full = session_settings(session)
    public = {name: full[name] for name in PUBLIC_SETTINGS}
    hub.publish(session.id, "question.settings", {"session_id": session.id, "settings": public})
    if {"profanity_words", "profanity_builtin"} & set(changes):
        hub.publish(
            session.id,
            "question.settings",
            {"session_id": session.id, "settings": full},
            audience="staff",
        )
    return {"session_id": session.id, "settings": full}

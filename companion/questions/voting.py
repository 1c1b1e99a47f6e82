"""Upvotes: one ``question_votes`` row per participant and question (a unique key), and the
question's ``upvotes`` counter moved in the same transaction.

The question's row is locked at its first upvote of the transaction and kept locked until the
commit, so the count in each acknowledgement is exact; the counter itself is moved once, by
the sum of the transaction's upvotes, just before the commit (a group commit holds many).

A repeated upvote (or a withdrawal of a vote that is not there) answers ok with the current
count: the client's wish holds, so a resend after a reconnect is harmless.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import bindparam, delete, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from ..core import permissions
from ..core.actors import Actor
from ..core.errors import Closed, Forbidden
from ..core.timeutil import utcnow
from ..extensions import db
from ..programme import service as programme
from ..programme.models import SessionStatus
from ..realtime import hub
from .broadcasting import mark_votes_dirty
from .models import Question, QuestionState, QuestionVote
from .queries import get_question, locked_question

_DELTAS = "companion_question_vote_deltas"
_LOCKED = "companion_questions_locked_for_votes"


def question_for_votes(question_id: int) -> Question:
    """The question, locked until commit, loaded fresh at its first upvote of the transaction.

    Later upvotes of the same transaction find it in the session, with the count they moved.
    """
    locked = hub.journal(_LOCKED)
    for question in locked:
        if question.id == question_id:
            return question
    question = _current_and_locked(question_id)
    # The object itself, not its id: the session holds objects weakly, and a reload from the
    # row would lose the upvotes counted so far in this transaction.
    locked.append(question)
    return question


def _current_and_locked(question_id: int) -> Question:
    """The question as it stands, its row locked until the commit.

    On PostgreSQL it is read again, ``FOR UPDATE``. A SQLite transaction that has begun holds
    the database's write lock (a group commit takes it first: ``BEGIN IMMEDIATE``), so the
    question its scope check read in it is current, and stays so to the commit: no second read.
    """
    connection = db.session.connection()
    if (
        connection.dialect.name == "sqlite"
        and connection.connection.dbapi_connection.in_transaction
    ):
        return get_question(question_id)
    return locked_question(question_id)


def _vote_insert(dialect: str):
    """The upvote's insert, on the table (Core): the ORM's bulk path cost a sixth of an upvote."""
    module = postgresql if dialect == "postgresql" else sqlite
    votes = QuestionVote.__table__
    return (
        module.insert(votes)
        .on_conflict_do_nothing(index_elements=["question_id", "participant_id"])
        .returning(votes.c.id)
    )


_VOTE_INSERTS = {dialect: _vote_insert(dialect) for dialect in ("postgresql", "sqlite")}


def _add_to_counter(question: Question, delta: int) -> None:
    """Move the count the question shows now; the row follows at commit (:func:`_fold_votes`)."""
    set_committed_value(question, "upvotes", question.upvotes + delta)
    set_committed_value(question, "votes_version", question.votes_version + 1)
    hub.journal(_DELTAS).append((question.id, delta))


def _fold_votes() -> None:
    """Apply the transaction's upvotes to the counters: one update per question, in id order."""
    noted = db.session.info.pop(_DELTAS, None)
    if not noted:
        return
    deltas: Counter = Counter()
    changes: Counter = Counter()
    for question_id, delta in noted:
        deltas[question_id] += delta
        changes[question_id] += 1
    table = Question.__table__
    db.session.execute(
        update(table)
        .where(table.c.id == bindparam("question_id"))
        .values(
            upvotes=table.c.upvotes + bindparam("delta"),
            votes_version=table.c.votes_version + bindparam("changes"),
        ),
        [
            {"question_id": qid, "delta": deltas[qid], "changes": changes[qid]}
            for qid in sorted(changes)
        ],
    )


hub.before_commit(_fold_votes)


def _check_votable(question: Question, actor: Actor) -> None:
    permissions.check_attend(actor, question.session_id)
    if actor.participant_id is None:
        raise Forbidden("Only participants upvote questions.")
    if question.state != QuestionState.APPROVED:
        raise Closed("Only questions waiting for an answer can be upvoted.")
    session = programme.get_session(question.session_id)
    hub.hold(session)  # the batch's next upvotes find it without a query each
    if session.status == SessionStatus.ENDED:
        raise Closed("This session has ended.")


def upvote_question(question: Question, *, actor: Actor) -> Question:
    """Add this participant's upvote, once; a repeat leaves the count as it is.

    Precondition: ``question`` comes from :func:`question_for_votes`.
    """
    _check_votable(question, actor)
    dialect = db.session.get_bind().dialect.name
    inserted = db.session.execute(
        _VOTE_INSERTS[dialect],
        {"question_id": question.id, "participant_id": actor.id, "created_at": utcnow()},
    ).scalar_one_or_none()
    if inserted is not None:
        _add_to_counter(question, +1)
        mark_votes_dirty(question)
    return question


def unvote_question(question: Question, *, actor: Actor) -> Question:
    """Withdraw this participant's upvote; withdrawing none leaves the count as it is.

    Precondition: ``question`` comes from :func:`question_for_votes`.
    """
    _check_votable(question, actor)
    removed = db.session.execute(
        delete(QuestionVote)
        .where(QuestionVote.question_id == question.id, QuestionVote.participant_id == actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if removed:
        _add_to_counter(question, -1)
        mark_votes_dirty(question)
    return question

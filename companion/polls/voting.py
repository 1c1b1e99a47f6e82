"""Votes, the hot path: check the answer, store the ballot, move the counters, mark dirty.

A vote writes its ballot row (one per participant and poll, enforced by a unique constraint)
and notes its counter deltas in the transaction's journal. The deltas of every vote of the
transaction (a group commit holds many) are summed and applied just before the commit, one
``count = count + delta`` per counter: the counter rows are locked for the commit only, so
concurrent transactions (other processes) barely wait on them. Nothing is recounted and
nothing is broadcast per vote (see :mod:`.results`).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ..core import permissions
from ..core.actors import Actor
from ..core.errors import Closed, Forbidden
from ..core.i18n import N_
from ..core.timeutil import utcnow
from ..extensions import db
from ..realtime import hub
from .kinds import KINDS, TOTAL_KEY
from .models import Ballot, Poll, PollState, PollTally
from .results import COALESCE_KIND


def read_answer(poll: Poll, data: dict[str, Any]) -> tuple[dict, Counter, bool | None]:
    """Check an answer against the poll; return (stored answer, tally keys, quiz correctness).

    :raises Invalid: the answer does not fit (unknown option, too many choices, empty word,
        value off the scale, a ranking that is not a permutation, ...).
    """
    return KINDS[poll.kind].read(poll, data)


def _tally_keys(poll: Poll, stored: dict) -> Counter:
    """Return the counters a stored answer added (to take them back when it changes)."""
    return read_answer(poll, stored)[1]


_STATEMENTS: dict[tuple[str, str], Any] = {}


def _statement(name: str):
    """Return one of the vote's two upserts, built once per dialect so its compiled form is cached.

    They run on the tables (Core), with parameters: no ORM bulk path, no recompiling per vote.
    """
    dialect = db.engine.dialect.name
    key = (dialect, name)
    if key not in _STATEMENTS:
        module = postgresql if dialect == "postgresql" else sqlite
        if name == "ballot":
            _STATEMENTS[key] = (
                module.insert(Ballot.__table__)
                .on_conflict_do_nothing(index_elements=["poll_id", "participant_id"])
                .returning(Ballot.__table__.c.id)
            )
        else:
            tallies = PollTally.__table__
            insert = module.insert(tallies)
            _STATEMENTS[key] = insert.on_conflict_do_update(
                index_elements=["poll_id", "key"],
                set_={"count": tallies.c.count + insert.excluded.count},
            )
    return _STATEMENTS[key]


_DELTAS = "companion_poll_tally_deltas"
_LOCKED = "companion_polls_locked"


def _fold_tallies() -> None:
    """Move every counter by the sum of the transaction's vote deltas, creating missing ones.

    ``INSERT ... ON CONFLICT (poll_id, key) DO UPDATE SET count = count + delta``: the unique
    constraint settles two first votes racing to create the same counter. Rows go in sorted
    order so concurrent transactions lock counter rows in the same order (no deadlock).
    """
    noted = db.session.info.pop(_DELTAS, None)
    if not noted:
        return
    total: Counter = Counter()
    for poll_id, deltas in noted:
        for key, delta in deltas.items():
            total[(poll_id, key)] += delta
    rows = [
        {"poll_id": poll_id, "key": key, "count": delta}
        for (poll_id, key), delta in sorted(total.items())
        if delta != 0
    ]
    if rows:
        db.session.execute(_statement("tally"), rows)


hub.before_commit(_fold_tallies)


def _lock_poll(poll: Poll) -> None:
    """Read the poll's state again under a shared lock, once per transaction (PostgreSQL).

    A close waits for the votes under way, and no vote lands after it. (SQLite runs one
    writing transaction at a time.)
    """
    if db.engine.dialect.name != "postgresql":
        return
    locked = hub.journal(_LOCKED)
    if poll.id in locked:
        return
    db.session.execute(
        select(Poll)
        .where(Poll.id == poll.id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    locked.append(poll.id)


def cast_vote(poll: Poll, answer: dict[str, Any], *, actor: Actor) -> Poll:
    """Record or change the actor's ballot; it counts once whatever the number of changes.

    :raises Forbidden: not a participant of the poll's session.
    :raises Closed: the poll is not open.
    :raises Invalid: the answer does not fit the poll; nothing is stored.
    """
    participant_id = actor.participant_id
    if participant_id is None:
        raise Forbidden(N_("Only participants vote."))
    permissions.check_attend(actor, poll.session_id)
    _lock_poll(poll)
    if poll.state != PollState.OPEN:
        raise Closed(N_("This poll is closed."))
    stored, keys, correct = read_answer(poll, answer)
    now = utcnow()
    inserted = db.session.execute(
        _statement("ballot"),
        {
            "poll_id": poll.id,
            "participant_id": participant_id,
            "answer": stored,
            "correct": correct,
            "approved": False,
            "created_at": now,
            "updated_at": now,
        },
    ).scalar_one_or_none()
    if inserted is not None:
        deltas = Counter(keys)
        deltas[TOTAL_KEY] += 1
    else:
        ballot = db.session.scalars(
            select(Ballot)
            .where(Ballot.poll_id == poll.id, Ballot.participant_id == participant_id)
            .with_for_update()
        ).one()
        if ballot.answer == stored:
            return poll
        deltas = Counter(keys)
        deltas.subtract(_tally_keys(poll, ballot.answer))
        ballot.answer = stored
        ballot.correct = correct
        ballot.approved = False  # a changed text waits for moderation again
        ballot.updated_at = now
    hub.journal(_DELTAS).append((poll.id, deltas))
    hub.mark_dirty(COALESCE_KIND, poll.id)
    return poll

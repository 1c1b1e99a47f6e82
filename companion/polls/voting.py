"""Votes, the hot path: check the answer, store the ballot, move the counters, mark dirty.

A vote is checked at once (the poll open, the answer fitting it) and noted in the
transaction's journal; the ballots of every vote of the transaction (a group commit holds
many) are written just before the commit: the voters' existing ballots read in one query, the
new ones inserted in one statement, the changed ones updated (one ballot per participant and
poll, enforced by a unique constraint). Their counter deltas are then summed and applied, one
``count = count + delta`` per counter: the counter rows are locked for the commit only, so
concurrent transactions (other processes) barely wait on them. Nothing is recounted and
nothing is broadcast per vote (see :mod:`.results`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
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
        if name == "ballots":
            ballots = Ballot.__table__
            _STATEMENTS[key] = (
                module.insert(ballots)
                .on_conflict_do_nothing(index_elements=["poll_id", "participant_id"])
                .returning(ballots.c.poll_id, ballots.c.participant_id)
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
_VOTES = "companion_poll_votes"


@dataclass(frozen=True)
class _Vote:
    """A checked vote waiting for :func:`_write_ballots`."""

    poll: Poll
    participant_id: int
    stored: dict
    keys: Counter
    correct: bool | None
    at: datetime


def _write_ballots() -> None:
    """Write the transaction's ballots: one insert, one read of the rest, an update per change.

    The last vote of a participant in the transaction is the ballot; the deltas it notes for
    :func:`_fold_tallies` move the counters from the stored ballot (if any) to it. The insert
    comes first, skipping the voters who have a ballot (stored, or inserted meanwhile by
    another transaction: the same voter on another process): in a burst almost every vote is a
    voter's first, and needs no read. Those skipped are then read, locked, and changed.
    """
    noted = db.session.info.pop(_VOTES, None)
    if not noted:
        return
    last = {(vote.poll.id, vote.participant_id): vote for vote in noted}
    keys = sorted(last)  # rows locked in one order by every transaction
    inserted = {
        (poll_id, participant_id)
        for poll_id, participant_id in db.session.execute(
            _statement("ballots"),
            [
                {
                    "poll_id": vote.poll.id,
                    "participant_id": vote.participant_id,
                    "answer": vote.stored,
                    "correct": vote.correct,
                    "approved": False,
                    "created_at": vote.at,
                    "updated_at": vote.at,
                }
                for vote in (last[key] for key in keys)
            ],
        )
    }
    for key in keys:
        if key in inserted:
            vote = last[key]
            deltas = Counter(vote.keys)
            deltas[TOTAL_KEY] += 1
            hub.journal(_DELTAS).append((vote.poll.id, deltas))
    existing = _ballots_of([key for key in keys if key not in inserted])
    for key, ballot in existing.items():
        vote = last[key]
        if ballot.answer == vote.stored:
            continue
        deltas = Counter(vote.keys)
        deltas.subtract(_tally_keys(vote.poll, ballot.answer))
        ballot.answer = vote.stored
        ballot.correct = vote.correct
        ballot.approved = False  # a changed text waits for moderation again
        ballot.updated_at = vote.at
        hub.journal(_DELTAS).append((vote.poll.id, deltas))
    db.session.flush()


def _ballots_of(keys: list[tuple[int, int]]) -> dict[tuple[int, int], Ballot]:
    """The stored ballots of these (poll, participant) pairs, locked until the commit."""
    if not keys:
        return {}
    polls = {poll_id for poll_id, _ in keys}
    participants = {participant_id for _, participant_id in keys}
    wanted = set(keys)
    found = db.session.scalars(
        select(Ballot)
        .where(Ballot.poll_id.in_(polls), Ballot.participant_id.in_(participants))
        .order_by(Ballot.poll_id, Ballot.participant_id)
        .with_for_update()
    )
    return {
        (b.poll_id, b.participant_id): b for b in found if (b.poll_id, b.participant_id) in wanted
    }


hub.before_commit(_write_ballots)  # before the tallies' fold, which takes its deltas


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
    hub.journal(_VOTES).append(_Vote(poll, participant_id, stored, keys, correct, utcnow()))
    if not hub.batching():
        _write_ballots()  # now; in a batch, with its other votes just before the commit
    hub.mark_dirty(COALESCE_KIND, poll.id)
    return poll

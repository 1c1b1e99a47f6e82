"""Results: the counters read in one query, shaped by kind, and their coalesced broadcast.

Nothing is recounted and nothing is broadcast per vote: the poll is only marked dirty, and the
coalescer sends its results a few times a second at most (:func:`flush_results`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..participants.models import Participant
from ..realtime import hub
from ..realtime.coalesce import coalescer
from .kinds import KINDS, TOTAL_KEY
from .models import Ballot, Poll, PollState, PollTally
from .queries import results_public

COALESCE_KIND = "polls"


def load_counts(poll_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Return each poll's counters, read in one query."""
    ids = list(poll_ids)
    counts: dict[int, dict[str, int]] = {pid: {} for pid in ids}
    if not ids:
        return counts
    rows = db.session.execute(
        select(PollTally.poll_id, PollTally.key, PollTally.count).where(PollTally.poll_id.in_(ids))
    )
    for poll_id, key, count in rows:
        counts[poll_id][key] = count
    return counts


def approved_answers(polls: list[Poll]) -> dict[int, list[dict]]:
    """The approved answers of the moderated polls among ``polls``, authors for named ones."""
    moderated = [p for p in polls if KINDS[p.kind].moderated]
    found: dict[int, list[dict]] = {p.id: [] for p in moderated}
    if not moderated:
        return found
    named = {p.id for p in moderated if not p.anonymous}
    rows = db.session.execute(
        select(Ballot.poll_id, Ballot.id, Ballot.answer, Participant.display_name)
        .join(Participant, Participant.id == Ballot.participant_id)
        .where(Ballot.poll_id.in_(list(found)), Ballot.approved.is_(True))
        .order_by(Ballot.updated_at, Ballot.id)
    )
    for poll_id, ballot_id, answer, name in rows:
        entry = {"id": ballot_id, "text": answer.get("text", "")}
        if poll_id in named:
            entry["author"] = name
        found[poll_id].append(entry)
    return found


def build_results(poll: Poll, counts: dict[str, int], approved: list[dict] | None = None):
    """Return ``(total, results)`` in the contract's shape for the poll's kind."""
    return counts.get(TOTAL_KEY, 0), KINDS[poll.kind].results(poll, counts, approved)


def flush_results(poll_ids: set) -> None:
    """Send each dirty poll's results once: to the room when visible, else to moderators only.

    Runs a few times a second at most (the coalescer), whatever the number of votes between.
    """
    polls = list(db.session.scalars(select(Poll).where(Poll.id.in_(poll_ids))))
    polls = [p for p in polls if p.state != PollState.DRAFT]
    counts = load_counts(p.id for p in polls)
    approved = approved_answers(polls)
    for poll in polls:
        total, results = build_results(poll, counts[poll.id], approved.get(poll.id))
        public = results_public(poll)
        payload: dict[str, Any] = {
            "poll_id": poll.id,
            "total": total,
            "results": results,
            "public": public,
        }
        hub.publish_figures(poll.session_id, "poll.results", payload, staff_only=not public)


coalescer.register(COALESCE_KIND, flush_results)

"""Fixtures of the poll tests: actors through the public join and login paths, polls through
the service, and a fingerprint of every poll table to prove that a refusal changed nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from companion.extensions import db
from companion.polls import drafting, lifecycle, moderation, presenters
from companion.polls.models import Ballot, Poll, PollOption, PollTally
from companion.polls.schemas import Moderation, PollValues, SettingsIn
from companion.realtime.coalesce import coalescer
from companion.realtime.models import ClientReceipt, SessionBroadcast


@pytest.fixture(autouse=True)
def _no_stale_marks(app):
    """Send now whatever an earlier test left marked, before any client of this test listens."""
    coalescer.flush()


OPTIONS = {
    "single": ["Oui", "Non", "Je ne sais pas"],
    "multiple": ["Élus", "Agents", "Habitants", "Associations"],
    "ranking": ["Préalables", "Freins", "Conditions"],
    "quiz": ["À la fin", "Dès le cadrage", "Jamais"],
}
SETTINGS = {
    "multiple": {"max_choices": 2},
    "quiz": {"correct_option": 1},
    "rating": {"scale": {"min": 1, "max": 5, "labels": {1: "Pas utile", 5: "Très utile"}}},
}


@pytest.fixture
def make_poll(first_session, moderator):
    """Create a poll of ``kind`` with sensible options (open unless ``state="draft"``)."""

    def _make(kind: str, *, session=None, state: str = "open", options=None, **settings):
        session = session or first_session
        merged = {**SETTINGS.get(kind, {}), **settings}
        values = PollValues(
            kind=kind,
            question=f"Question {kind} ?",
            options=OPTIONS.get(kind, []) if options is None else options,
            settings=SettingsIn.model_validate(merged),
        )
        poll = drafting.create_poll(session, values, actor=moderator)
        if state in ("open", "closed"):
            lifecycle.open_poll(poll, actor=moderator)
        if state == "closed":
            lifecycle.close_poll(poll, actor=moderator)
        db.session.commit()
        return poll

    return _make


def fingerprint() -> dict:
    """Rows of every poll table, the broadcast log and receipts: a refusal must change none."""
    db.session.expire_all()
    tables = {
        "polls": Poll,
        "options": PollOption,
        "ballots": Ballot,
        "tallies": PollTally,
        "broadcasts": SessionBroadcast,
        "receipts": ClientReceipt,
    }
    rows = {n: db.session.scalar(select(func.count()).select_from(m)) for n, m in tables.items()}
    rows["counts"] = sorted(
        db.session.execute(select(PollTally.poll_id, PollTally.key, PollTally.count)).all()
    )
    rows["states"] = sorted(
        (p.id, p.state.value, p.revealed, p.question) for p in db.session.scalars(select(Poll))
    )
    return rows


def results_of(poll_id: int) -> tuple[int, object]:
    """The poll's total and results as moderators see them, read fresh from the database."""
    db.session.expire_all()
    poll = db.session.get(Poll, poll_id)
    data = presenters.poll_dict(poll, staff=True)
    return data["total"], data["results"]


def ballots_of(poll_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).where(Ballot.poll_id == poll_id))


def answers_listed(poll, actor) -> list[dict]:
    """The individual answers as ``poll.answers`` sends them to moderators."""
    poll = db.session.get(Poll, poll.id)
    return presenters.answer_list(poll, moderation.list_answers(poll, actor=actor))


def moderate(poll, answer_id: int, action: str, actor) -> Ballot:
    values = Moderation(answer_id=answer_id, action=action)
    return moderation.moderate_answer(db.session.get(Poll, poll.id), values, actor=actor)

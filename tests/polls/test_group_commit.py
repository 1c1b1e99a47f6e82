"""Group commit: contributions committed together, each refused alone without touching the rest.

The batch runs in one transaction, optimistically (no savepoint, receipts inserted at once),
or carefully when a failure cannot be taken back otherwise (each contribution in a savepoint):
one that fails after it wrote leaves no row, no counter move and no broadcast, while the
others' are committed with dense seqs. (The crowd test in tests/e2e/test_polls_crowd.py shows real bursts grouped.)
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import event, select

from companion.core import identity, metrics
from companion.core.errors import Invalid
from companion.core.identity import actor_from_token
from companion.extensions import db, socketio
from companion.polls import voting
from companion.polls.models import Ballot, Poll, PollState, PollTally
from companion.questions import asking
from companion.questions.models import Question
from companion.questions.schemas import SubmitIn
from companion.realtime import hub
from companion.realtime.dispatcher import EVENTS, _execute
from companion.realtime.groupcommit import Contribution, GroupCommit
from companion.realtime.models import ClientReceipt, SessionBroadcast

from .conftest import ballots_of, results_of


def _vote_then(poll, attendee, option_id, *, fail: bool = False, note: str | None = None):
    def run(_receipts):
        voting.cast_vote(db.session.get(Poll, poll.id), {"option_id": option_id}, actor=attendee)
        if note:
            hub.publish(poll.session_id, "test.note", {"note": note})
        if fail:
            # A row written before the refusal: only a savepoint can take it back.
            db.session.execute(
                db.insert(ClientReceipt.__table__),
                {"actor_key": attendee.key, "client_id": "w", "event": "test", "result": {}},
            )
            raise Invalid("refused after writing")
        return {"ok": True, "data": {"recorded": True}}

    return Contribution(run)


def test_a_contribution_failing_after_it_wrote_leaves_nothing_and_spares_the_others(
    make_poll, join, first_session
):
    poll = make_poll("single")
    a, b, _ = (o.id for o in poll.options)
    before = db.session.scalar(select(db.func.max(SessionBroadcast.seq))) or 0
    batch = [
        _vote_then(poll, join(first_session.id).actor, a, note="first"),
        _vote_then(poll, join(first_session.id).actor, b, fail=True, note="refused"),
        _vote_then(poll, join(first_session.id).actor, a, note="third"),
    ]
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(" ".join(statement.split()[:2]).upper())

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        GroupCommit().run_batch(batch)
    finally:
        event.remove(engine, "before_cursor_execute", record)

    recorded = {"ok": True, "data": {"recorded": True}}
    assert [c.answer for c in batch] == [recorded, None, recorded]
    assert isinstance(batch[1].error, Invalid)
    assert ballots_of(poll.id) == 2
    assert results_of(poll.id) == (
        2,
        [
            {"option_id": a, "count": 2},
            {"option_id": b, "count": 0},
            {"option_id": poll.options[2].id, "count": 0},
        ],
    )
    logged = db.session.execute(
        select(SessionBroadcast.seq, SessionBroadcast.payload).where(
            SessionBroadcast.event == "test.note"
        )
    ).all()
    assert [payload["note"] for _, payload in logged] == ["first", "third"]
    assert [seq for seq, _ in logged] == [before + 1, before + 2]  # dense, in order
    assert [payload["seq"] for _, payload in logged] == [before + 1, before + 2]
    # One transaction: on SQLite opened explicitly, so that a savepoint does not commit alone.
    if engine.dialect.name == "sqlite":
        assert statements.index("BEGIN IMMEDIATE") < statements.index(
            next(s for s in statements if s.startswith("SAVEPOINT"))
        )


def test_a_resend_in_the_same_batch_is_answered_alone_after_the_commit(
    make_poll, join, first_session
):
    """Two sends of one client_id in one batch: the second is flagged to run again alone."""
    poll = make_poll("single")
    attendee = join(first_session.id).actor
    option = poll.options[0].id

    def send(_receipts):
        voting.cast_vote(db.session.get(Poll, poll.id), {"option_id": option}, actor=attendee)
        db.session.execute(
            db.insert(ClientReceipt.__table__),
            {"actor_key": attendee.key, "client_id": "same", "event": "poll.vote", "result": {}},
        )
        return {"ok": True, "data": {"recorded": True}}

    batch = [Contribution(send), Contribution(send)]
    GroupCommit().run_batch(batch)
    assert batch[0].answer == {"ok": True, "data": {"recorded": True}}
    assert batch[1].alone and batch[1].error is None
    assert ballots_of(poll.id) == 1


def test_upvotes_in_one_batch_each_answer_the_count_after_them(first_session, people, database_url):
    """The question is locked once and counted in memory, then its row moved once at commit.

    Nothing in the test holds the question: the session keeps objects weakly, so the batch
    itself must keep the counted one (a reload from the row would restart from its old count).
    """
    session_id = first_session.id
    author = actor_from_token(people.join(session_id)["token"])
    tokens = [people.join(session_id)["token"] for _ in range(5)]
    question_id = asking.submit_question(
        first_session,
        SubmitIn(session_id=first_session.id, client_id="q1", text="Qui finance ?"),
        actor=author,
    ).id
    db.session.commit()
    db.session.expunge_all()
    upvote = EVENTS["question.upvote"]

    def send(token):
        claims = identity.signer().verify(token)
        return Contribution(
            lambda _receipts: _execute(
                upvote, {"question_id": question_id}, claims, (), lambda *_: None
            )
        )

    batch = [send(token) for token in tokens]
    with _Statements() as statements:
        GroupCommit().run_batch(batch)
    assert [c.answer["data"]["upvotes"] for c in batch] == [1, 2, 3, 4, 5]
    # The question and its session are read once for the batch, not once per upvote; on
    # PostgreSQL the question again, to lock it (SQLite's batch holds the write lock already).
    assert statements.count("SELECT LIVE_SESSIONS.ID") == 1
    locked_again = database_url.startswith("postgresql")
    assert statements.count("SELECT QUESTIONS.ID") == 1 + locked_again
    assert statements.count("INSERT INTO QUESTION_VOTES") == 5
    assert [c.answer["data"]["votes_version"] for c in batch] == [1, 2, 3, 4, 5]
    db.session.expunge_all()
    question = db.session.get(Question, question_id)
    assert (question.upvotes, question.votes_version) == (5, 5)


class _Statements:
    """The first two words of every statement the engine runs inside the ``with`` block."""

    def __enter__(self):
        self.seen: list[str] = []
        event.listen(db.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_exc):
        event.remove(db.engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, *_args):
        self.seen.append(" ".join(statement.split()[:3]).upper())

    def count(self, prefix: str) -> int:
        return sum(s.startswith(prefix) for s in self.seen)


def _careful_runs() -> float:
    return metrics.REGISTRY.get_sample_value("companion_group_commit_careful_total") or 0.0


def _vote_event(poll, token: str, option_id: int, client_id: str) -> Contribution:
    """A poll.vote as the dispatcher runs it in a batch (with no receipt key: none read ahead)."""
    claims = identity.signer().verify(token)
    data = {"poll_id": poll.id, "client_id": client_id, "answer": {"option_id": option_id}}
    return Contribution(
        lambda receipts: _execute(
            EVENTS["poll.vote"], data, claims, (), lambda actor, cid: receipts.get((actor.key, cid))
        )
    )


def test_a_batch_that_runs_clean_takes_no_savepoint_and_one_receipt_insert(
    make_poll, people, first_session
):
    poll = make_poll("single")
    closed = make_poll("single", state="closed")
    a = poll.options[0].id
    tokens = [people.join(first_session.id)["token"] for _ in range(4)]
    batch = [_vote_event(poll, t, a, f"c{n}") for n, t in enumerate(tokens[:3])]
    # Refused before it wrote anything: taken back without a savepoint.
    batch.insert(1, _vote_event(closed, tokens[3], closed.options[0].id, "late"))
    careful = _careful_runs()
    with _Statements() as statements:
        GroupCommit().run_batch(batch)

    recorded = {"ok": True, "data": {"recorded": True}}
    assert [c.answer for c in batch] == [recorded, None, recorded, recorded]
    assert batch[1].error.code == "closed"
    assert statements.count("SAVEPOINT") == 0 and _careful_runs() == careful
    assert statements.count("INSERT INTO CLIENT_RECEIPTS") == 1  # the batch's three, at once
    assert statements.count("SELECT CLIENT_RECEIPTS") == 0  # none read ahead
    assert statements.count("SELECT BALLOTS") == 0  # first votes: inserted, nothing read
    assert ballots_of(poll.id) == 3 and ballots_of(closed.id) == 0
    receipts = db.session.scalars(select(ClientReceipt.client_id).order_by(ClientReceipt.client_id))
    assert list(receipts) == ["c0", "c1", "c2"]


def test_a_receipt_taken_meanwhile_reruns_the_batch_carefully(make_poll, people, first_session):
    """Another process committed the same client_id after the batch read its receipts ahead."""
    poll = make_poll("single")
    a = poll.options[0].id
    racing, other = (people.join(first_session.id)["token"] for _ in range(2))
    db.session.execute(
        db.insert(ClientReceipt.__table__),
        {
            "actor_key": identity.actor_for(identity.signer().verify(racing)).key,
            "client_id": "raced",
            "event": "poll.vote",
            "result": {"ok": True, "data": {"recorded": True}},
        },
    )
    db.session.commit()
    batch = [_vote_event(poll, racing, a, "raced"), _vote_event(poll, other, a, "fresh")]
    careful = _careful_runs()
    with _Statements() as statements:
        GroupCommit().run_batch(batch)

    assert _careful_runs() == careful + 1
    assert statements.count("SAVEPOINT") >= 2  # the careful run: one per contribution
    assert batch[0].alone and batch[0].error is None  # answered alone: the receipt's answer
    assert batch[1].answer == {"ok": True, "data": {"recorded": True}}
    assert ballots_of(poll.id) == 1  # the other's vote; the raced one stays the first send's


def _resendable(poll, token: str, option_id: int, client_id: str) -> Contribution:
    """A poll.vote with its receipt key, as the dispatcher queues one that carries a client_id."""
    contribution = _vote_event(poll, token, option_id, client_id)
    actor = identity.actor_for(identity.signer().verify(token))
    contribution.receipt_key = (actor.key, client_id)
    return contribution


def test_a_resend_of_a_committed_vote_is_answered_its_receipt_by_the_careful_run(
    make_poll, people, first_session
):
    """Not read ahead: the resend's receipt insert fails, and the careful run reads them."""
    poll = make_poll("single")
    a, b = (option.id for option in poll.options[:2])
    voter, other = (people.join(first_session.id)["token"] for _ in range(2))
    GroupCommit().run_batch([_resendable(poll, voter, a, "first")])
    careful = _careful_runs()

    # The same client_id again, with another answer: the first send's answer stands.
    batch = [_resendable(poll, voter, b, "first"), _resendable(poll, other, b, "fresh")]
    with _Statements() as statements:
        GroupCommit().run_batch(batch)

    assert _careful_runs() == careful + 1
    assert statements.count("SELECT CLIENT_RECEIPTS") == 1  # the careful run's, for both
    recorded = {"ok": True, "data": {"recorded": True}}
    assert [c.answer for c in batch] == [recorded, recorded]
    assert not batch[0].alone and batch[0].error is None
    assert _tallies(poll.id) == {"ballots": 2, f"option:{a}": 1, f"option:{b}": 1}


def test_a_refused_resend_is_answered_its_receipt_without_a_careful_run(
    make_poll, people, first_session
):
    """The poll closed between the first send and its resend: the resend learns it counted."""
    poll = make_poll("single")
    a = poll.options[0].id
    voter = people.join(first_session.id)["token"]
    GroupCommit().run_batch([_resendable(poll, voter, a, "before-close")])
    db.session.get(Poll, poll.id).state = PollState.CLOSED
    db.session.commit()
    careful = _careful_runs()

    resend = _resendable(poll, voter, a, "before-close")
    late = _resendable(poll, people.join(first_session.id)["token"], a, "late")
    GroupCommit().run_batch([resend, late])

    assert _careful_runs() == careful
    assert resend.answer == {"ok": True, "data": {"recorded": True}} and resend.error is None
    assert late.answer is None and late.error.code == "closed"
    assert ballots_of(poll.id) == 1


def test_a_resend_beside_its_first_send_goes_careful_at_once(make_poll, people, first_session):
    poll = make_poll("single")
    token = people.join(first_session.id)["token"]
    key = (identity.actor_for(identity.signer().verify(token)).key, "twice")
    batch = [_vote_event(poll, token, poll.options[0].id, "twice") for _ in range(2)]
    for contribution in batch:
        contribution.receipt_key = key
    with _Statements() as statements:
        GroupCommit().run_batch(batch)
    assert statements.count("INSERT INTO CLIENT_RECEIPTS") == 2  # no optimistic attempt first
    assert batch[0].answer == {"ok": True, "data": {"recorded": True}}
    assert batch[1].alone


def _tallies(poll_id: int) -> dict[str, int]:
    db.session.expire_all()
    rows = db.session.execute(
        select(PollTally.key, PollTally.count).where(PollTally.poll_id == poll_id)
    )
    return {key: count for key, count in rows if count}


def test_a_batch_writes_its_ballots_in_one_insert_the_last_vote_of_each_voter_counting(
    make_poll, people, first_session
):
    poll = make_poll("single")
    a, b, c = (o.id for o in poll.options)
    tokens = [people.join(first_session.id)["token"] for _ in range(3)]
    # The third voter already voted a, in an earlier transaction: changing to c moves the counts.
    GroupCommit().run_batch([_vote_event(poll, tokens[2], a, "before")])
    batch = [
        _vote_event(poll, tokens[0], a, "x1"),
        _vote_event(poll, tokens[1], b, "y1"),
        _vote_event(poll, tokens[0], b, "x2"),  # changes its mind within the batch
        _vote_event(poll, tokens[2], c, "z2"),
    ]
    with _Statements() as statements:
        GroupCommit().run_batch(batch)

    assert all(c.answer == {"ok": True, "data": {"recorded": True}} for c in batch)
    assert statements.count("INSERT INTO BALLOTS") == 1  # the two new voters' ballots at once
    assert statements.count("UPDATE BALLOTS") == 1  # the third voter's change
    assert statements.count("SELECT BALLOTS") == 1  # the ballot the insert skipped, read locked
    assert ballots_of(poll.id) == 3
    assert _tallies(poll.id) == {"ballots": 3, f"option:{b}": 2, f"option:{c}": 1}
    answers = db.session.execute(
        select(Ballot.participant_id, Ballot.answer).where(Ballot.poll_id == poll.id)
    ).all()
    assert sorted(answer["option_id"] for _, answer in answers) == sorted([b, b, c])


def test_a_ballot_inserted_meanwhile_by_another_transaction_is_changed_not_doubled(
    make_poll, people, first_session, database_url
):
    """Two processes, the same voter: the other's insert commits while this batch writes."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite runs one writer at a time: no two transactions race")
    poll = make_poll("single")
    a, b, _ = (o.id for o in poll.options)
    token = people.join(first_session.id)["token"]
    participant_id = identity.actor_for(identity.signer().verify(token)).participant_id
    other = db.engine.connect()
    other.execute(
        db.insert(Ballot.__table__),
        {"poll_id": poll.id, "participant_id": participant_id, "answer": {"option_id": a}},
    )
    other.execute(  # its tally, as its own fold would have moved it
        db.insert(PollTally.__table__),
        [{"poll_id": poll.id, "key": k, "count": 1} for k in ("ballots", f"option:{a}")],
    )
    # Not committed yet: this batch does not see it, and its insert waits for it.
    threading.Timer(0.5, other.commit).start()
    try:
        batch = [_vote_event(poll, token, b, "mine")]
        started = time.monotonic()
        GroupCommit().run_batch(batch)
        waited = time.monotonic() - started
    finally:
        other.close()

    assert waited >= 0.4  # the insert met the other's row and waited for its commit

    assert batch[0].answer == {"ok": True, "data": {"recorded": True}}
    assert ballots_of(poll.id) == 1
    assert _tallies(poll.id) == {"ballots": 1, f"option:{b}": 1}


def test_a_vote_batch_reads_its_poll_with_the_options_in_one_statement(
    make_poll, people, first_session
):
    """The batch's fixed cost: the poll and its options are one statement, not one each."""
    poll = make_poll("single")
    poll_id, a = poll.id, poll.options[0].id
    tokens = [people.join(first_session.id)["token"] for _ in range(3)]
    batch = [_vote_event(poll, t, a, f"o{n}") for n, t in enumerate(tokens)]
    db.session.commit()
    db.session.expunge_all()  # as in a server's fresh transaction: nothing loaded yet
    with _Statements() as statements:
        GroupCommit().run_batch(batch)

    assert [c.answer["ok"] for c in batch] == [True, True, True]
    # PostgreSQL reads the poll's state once more, under a shared lock (voting._lock_poll).
    reads = 2 if db.engine.dialect.name == "postgresql" else 1
    assert statements.count("SELECT POLLS.ID,") == reads
    assert statements.count("SELECT POLL_OPTIONS.") == 0
    assert ballots_of(poll_id) == 3


class _Ended(BaseException):
    """What ends a green thread from outside, as eventlet's GreenletExit does."""


def test_a_leader_ended_during_its_tick_hands_the_queue_on(
    make_poll, people, first_session, monkeypatch
):
    """Its own vote is refused, unwritten, and the next contribution leads at once: before,
    the process went on believing a batch was under way, and every later vote waited for it
    (here 1 s, on a server 60 s) and was refused."""
    poll = make_poll("single")
    a = poll.options[0].id
    first, second = (people.join(first_session.id)["token"] for _ in range(2))
    db.session.commit()
    queue = GroupCommit()
    sleep = socketio.sleep

    def ended(_seconds):
        raise _Ended

    monkeypatch.setattr(socketio, "sleep", ended)
    killed = _vote_event(poll, first, a, "k1")
    with pytest.raises(_Ended):
        queue.submit(killed, tick=0.002, max_batch=10, wait_s=1)
    assert killed.finished and killed.answer is None and killed.error is not None
    monkeypatch.setattr(socketio, "sleep", sleep)

    after = _vote_event(poll, second, a, "k2")
    started = time.monotonic()
    queue.submit(after, tick=0.002, max_batch=10, wait_s=1)
    assert time.monotonic() - started < 0.5
    assert after.error is None and after.answer == {"ok": True, "data": {"recorded": True}}
    assert ballots_of(poll.id) == 1


def test_a_contribution_handed_the_queue_can_no_longer_withdraw(make_poll, people, first_session):
    """Handed the lead as its wait for a batch ran out, a contribution must lead rather than
    leave: withdrawn then, nobody would lead the queue behind it."""
    poll = make_poll("single")
    a = poll.options[0].id
    first, second = (people.join(first_session.id)["token"] for _ in range(2))
    db.session.commit()
    queue = GroupCommit()
    waiting = _vote_event(poll, second, a, "w2")
    leader = _vote_event(poll, first, a, "w1")
    run = leader.run

    def run_and_meanwhile_one_more_arrives(receipts):
        waiting.done = socketio.server.eio.create_event()
        queue._queue.append(waiting)  # arrived while this batch was being written
        return run(receipts)

    leader.run = run_and_meanwhile_one_more_arrives
    queue.submit(leader, tick=0, max_batch=10)
    assert leader.answer["ok"] and not waiting.finished
    assert waiting.leads and waiting.done.is_set()
    assert not queue._withdraw(waiting)  # its wait ran out just now: it must lead still
    queue._lead(waiting, 10, 0)
    assert waiting.answer == {"ok": True, "data": {"recorded": True}}
    assert ballots_of(poll.id) == 2

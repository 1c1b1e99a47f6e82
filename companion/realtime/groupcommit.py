"""Group commit: contributions arriving together share one transaction, each acked after it.

A vote, an upvote or a question is a few small statements; committing each alone costs more
than the statements (and, on PostgreSQL, a round trip and a WAL flush each). So the events
declared ``grouped`` join a queue. The first one to arrive while no batch is under way leads:
it waits one short tick (``COMPANION_GROUP_COMMIT_MS``) for the burst to gather, then runs the
whole queue in one transaction, commits once, and wakes the others, which answer their
clients: **no acknowledgement before the commit**. Whatever arrived while it worked is the
next batch, led by the same greenlet. A batch whose commit fails answers every contribution
"unavailable" (the client resends with its ``client_id``; nothing acknowledged is lost).

A contribution refused must leave nothing behind. Almost every refusal comes before the
first write (a closed poll, an answer that does not fit, a wrong role), so a batch first runs
*optimistically*: no savepoint, no receipts read ahead (resends are rare), and the resend
receipts inserted all at once just before the commit. A refusal that wrote nothing only has its
journal entries cut back (a refused resend is answered its receipt, if it has one). Anything
else (a refusal after a write, an unexpected error, a receipt key already taken: a resend whose
first send committed) rolls the whole batch back and runs it again *carefully*, its receipts
read ahead in one query, each contribution inside its own savepoint, rolled back alone if it
fails. On PostgreSQL that saves three round trips per contribution, and on any database the
receipts' query of every batch.

This is the leader/follower form of group commit (PostgreSQL's own ``commit_delay`` works the
same way): no extra task, nothing to start or stop, and under the threading test client a lone
event simply leads its own batch of one.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from ..core import metrics
from ..core.errors import DomainError
from ..extensions import db, socketio
from . import hub
from .models import ClientReceipt

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Contribution:
    """One event waiting in the queue: what to run and, once its batch is over, the outcome."""

    #: The event's work, given the batch's receipts by (actor key, client_id); raises
    #: DomainError (or any error) to refuse.
    run: Callable[[dict[tuple[str, str], dict]], dict]
    #: A resendable contribution's sender and id, to read its receipt ahead.
    receipt_key: tuple[str, str] | None = None
    #: Where it goes in its batch: by the object it locks, so that two processes' batches lock
    #: rows in the same order (no deadlock); arrival order among equals.
    lock_order: tuple = ()
    done: Any = None  # an Event of the running async mode: outcome known, or now leading
    finished: bool = False  # its batch is over: answer or error is the outcome
    answer: dict | None = None
    error: BaseException | None = None
    alone: bool = False  # to run again in a transaction of its own (a resend's race)
    leads: bool = False  # handed the queue: it must lead, it may no longer withdraw


class GroupCommit:
    """The per-process queue of grouped contributions, and whether a leader is at work."""

    def __init__(self) -> None:
        self._queue: list[Contribution] = []
        self._leading = False
        self._lock = threading.Lock()

    def submit(
        self, contribution: Contribution, *, tick: float, max_batch: int, wait_s: float = 60.0
    ) -> None:
        """Queue ``contribution``; return once its batch has committed (or failed).

        A leader leads until its own contribution's batch is over, then hands the queue to the
        contribution at its head: no client's ack waits for a whole burst to be written.
        """
        contribution.done = socketio.server.eio.create_event()
        with self._lock:
            self._queue.append(contribution)
            lead = not self._leading
            self._leading = True
        if not lead:
            contribution.done.wait(wait_s)
            if contribution.finished:
                return
            if not contribution.done.is_set():  # no batch took it in time: refuse, unwritten
                if self._withdraw(contribution):
                    contribution.error = TimeoutError("the group commit did not get to it")
                    return
                contribution.done.wait()  # taken, or handed the queue, meanwhile
                if contribution.finished:
                    return
            tick = 0  # handed the queue: what gathered meanwhile is the batch
        self._lead(contribution, max_batch, tick)

    def _lead(self, own: Contribution, max_batch: int, tick: float) -> None:
        """Wait ``tick``, run batches until ``own`` is done, then hand the queue to its head.

        Whatever ends this green thread meanwhile (even during the tick), the queue is handed
        on: a leader that vanished with ``_leading`` set would leave every later contribution
        of the process waiting for a batch that never comes.
        """
        batch: list[Contribution] = []
        try:
            if tick > 0:
                socketio.sleep(tick)  # let the rest of the burst arrive
            while not own.finished:
                with self._lock:
                    batch, self._queue = self._queue[:max_batch], self._queue[max_batch:]
                self.run_batch(sorted(batch, key=lambda c: c.lock_order))
                for each in batch:
                    each.finished = True
                    each.done.set()
                batch = []
        finally:
            for each in batch:  # the batch under way when the leader failed: refused
                if not each.finished:
                    each.error = each.error or RuntimeError("the group commit's leader failed")
                    each.finished = True
                    each.done.set()
            with self._lock:
                if not own.finished and own in self._queue:  # its leader is gone: refused
                    self._queue.remove(own)
                    own.error = own.error or RuntimeError("the group commit's leader failed")
                    own.finished = True
                successor = self._queue[0] if self._queue else None
                if successor is not None:
                    successor.leads = True
                self._leading = successor is not None
            if successor is not None:
                successor.done.set()  # woken unfinished: it leads next

    def _withdraw(self, contribution: Contribution) -> bool:
        """Take a contribution out of the queue if no batch has taken it nor handed it the lead."""
        with self._lock:
            if contribution in self._queue and not contribution.leads:
                self._queue.remove(contribution)
                return True
            return False

    def run_batch(self, batch: list[Contribution]) -> None:
        """Run ``batch`` in one transaction and commit once: optimistically, else carefully."""
        metrics.GROUP_COMMIT_SIZE.observe(len(batch))
        try:
            keys = [c.receipt_key for c in batch if c.receipt_key]
            try:
                if len(keys) != len(set(keys)):  # a resend beside its first send: see above
                    raise _Careful
                _write(batch, _run_optimistically, batched=True)
            except (_Careful, IntegrityError):
                db.session.rollback()
                metrics.GROUP_COMMIT_CAREFUL.inc()
                for contribution in batch:
                    contribution.answer = contribution.error = None
                    contribution.alone = False
                _write(batch, _run_in_savepoint, batched=False)
        except Exception as exc:  # the commit failed: nothing of the batch is in the database
            log.warning("group commit of %d failed: %s", len(batch), exc.__class__.__name__)
            db.session.rollback()
            for contribution in batch:
                contribution.answer = None
                contribution.error = contribution.error or exc


class _Careful(Exception):
    """The optimistic run cannot take a contribution's failure back: run the batch carefully."""


_RECEIPTS = "companion_deferred_receipts"
_WRITES = "companion_writes"


def record_receipt(row: dict) -> None:
    """Store a resend's receipt: now, or in an optimistic batch with the batch's others."""
    hub.journal(_RECEIPTS).append(row)
    if not hub.batching():
        _insert_receipts()


def _insert_receipts() -> None:
    """Insert the receipts noted so far in one statement (a taken key raises: careful).

    A Core insert: no ORM flush for rows nothing reads back in this transaction.
    """
    rows = db.session.info.pop(_RECEIPTS, None)
    if rows:
        db.session.execute(insert(ClientReceipt.__table__), rows)


hub.before_commit(_insert_receipts)


@sa_event.listens_for(Engine, "before_cursor_execute")
def _count_writes(conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    # Anything but a plain read may have changed a row: conservative on purpose.
    if statement.lstrip()[:6].upper() != "SELECT":
        conn.info[_WRITES] = conn.info.get(_WRITES, 0) + 1


def _writes_so_far() -> int:
    return db.session.connection().info.get(_WRITES, 0)


def _write(batch: list[Contribution], run_one: Callable, *, batched: bool) -> None:
    """Open the transaction, run each contribution with ``run_one``, commit.

    :param batched: the writes that can wait for the commit wait (:func:`hub.batching`).
    """
    _begin()
    # Optimistically, a resend's receipt is found by its insert failing (the batch then runs
    # carefully) or, refused, by _run_optimistically: one query saved per batch.
    receipts = {} if batched else _receipts_of(batch)
    with hub.batched() if batched else contextlib.nullcontext():
        for contribution in batch:
            run_one(contribution, receipts)
    db.session.commit()


def _begin() -> None:
    """Open the batch's transaction; on SQLite, with the write lock taken at once.

    pysqlite opens its transaction only before the first write, so a SAVEPOINT issued first
    would run outside any transaction and commit on RELEASE. ``BEGIN IMMEDIATE`` opens it
    explicitly (pysqlite then adds none) and takes the write lock now rather than failing to
    upgrade a read later.
    """
    connection = db.session.connection()
    raw = connection.connection.dbapi_connection
    if connection.dialect.name == "sqlite" and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _receipts_of(batch: list[Contribution]) -> dict[tuple[str, str], dict]:
    """The answers already given to resends in ``batch``, in one query for the whole batch.

    A resend of a contribution made earlier in the same batch is not among them: its receipt
    insert then fails on the unique key, and it is answered alone after the commit.
    """
    wanted = {c.receipt_key for c in batch if c.receipt_key}
    if not wanted:
        return {}
    rows = db.session.execute(
        select(ClientReceipt.actor_key, ClientReceipt.client_id, ClientReceipt.result).where(
            ClientReceipt.actor_key.in_({key for key, _ in wanted}),
            ClientReceipt.client_id.in_({client_id for _, client_id in wanted}),
        )
    )
    return {
        (row.actor_key, row.client_id): row.result
        for row in rows
        if (row.actor_key, row.client_id) in wanted
    }


def _run_optimistically(contribution: Contribution, receipts: dict) -> None:
    """Run one contribution with no savepoint; a refusal that wrote nothing is taken back here.

    ``receipts`` is empty: none are read ahead in this run.

    :raises _Careful: it failed otherwise; only a savepoint per contribution can undo it.
    """
    db.session.flush()  # the earlier contributions' changes, so that only this one's are pending
    mark = hub.checkpoint()
    writes = _writes_so_far()
    try:
        contribution.answer = contribution.run(receipts)
    except DomainError as error:
        session = db.session
        if _writes_so_far() != writes or session.new or session.dirty or session.deleted:
            raise _Careful from error
        hub.rewind(mark)
        # A resend refused now (its poll closed since, say) answers what its first send was.
        previous = _receipts_of([contribution]).get(contribution.receipt_key)
        if previous is None:
            contribution.error = error
        else:
            contribution.answer = previous
    except Exception as exc:
        raise _Careful from exc


def _run_in_savepoint(contribution: Contribution, receipts: dict) -> None:
    """Run one contribution; on failure roll back its savepoint and its journal entries only."""
    mark = hub.checkpoint()
    try:
        with db.session.begin_nested():
            contribution.answer = contribution.run(receipts)
    except DomainError as error:
        hub.rewind(mark)
        contribution.error = error
    except IntegrityError:
        # A resend raced its first send on another process: answered alone, after this batch.
        hub.rewind(mark)
        contribution.alone = True
    except Exception as exc:
        hub.rewind(mark)
        log.exception("unexpected error in a grouped contribution")
        contribution.error = exc


group_commit = GroupCommit()

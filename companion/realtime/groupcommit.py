"""Group commit: contributions arriving together share one transaction, each acked after it.

A vote, an upvote or a question is a few small statements; committing each alone costs more
than the statements (and, on PostgreSQL, a round trip and a WAL flush each). So the events
declared ``grouped`` join a queue. The first one to arrive while no batch is under way leads:
it waits one short tick (``COMPANION_GROUP_COMMIT_MS``) for the burst to gather, then runs the
whole queue in one transaction, each contribution inside its own savepoint (one that fails
is rolled back alone and answered with its error), commits once, and wakes the others, which
answer their clients: **no acknowledgement before the commit**. Whatever arrived while it
worked is the next batch, led by the same greenlet. A batch whose commit fails answers every
contribution "unavailable" (the client resends with its ``client_id``; nothing acknowledged
is lost).

This is the leader/follower form of group commit (PostgreSQL's own ``commit_delay`` works the
same way): no extra task, nothing to start or stop, and under the threading test client a lone
event simply leads its own batch of one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
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
    done: Any = None  # an Event of the running async mode, set when the outcome is known
    answer: dict | None = None
    error: BaseException | None = None
    alone: bool = False  # to run again in a transaction of its own (a resend's race)


class GroupCommit:
    """The per-process queue of grouped contributions, and whether a leader is at work."""

    def __init__(self) -> None:
        self._queue: list[Contribution] = []
        self._leading = False
        self._lock = threading.Lock()

    def submit(self, contribution: Contribution, *, tick: float, max_batch: int) -> None:
        """Queue ``contribution``; return once its batch has committed (or failed)."""
        contribution.done = socketio.server.eio.create_event()
        with self._lock:
            self._queue.append(contribution)
            lead = not self._leading
            self._leading = True
        if not lead:
            contribution.done.wait()
            return
        try:
            if tick > 0:
                socketio.sleep(tick)  # let the rest of the burst arrive
            while batch := self._take(max_batch):
                self.run_batch(batch)
                for each in batch:
                    each.done.set()
        except BaseException:
            with self._lock:
                self._leading = False
                stranded, self._queue = self._queue, []
            for each in stranded:  # never leave a follower waiting for a leader that died
                each.error = RuntimeError("the group commit's leader failed")
                each.done.set()
            raise

    def _take(self, max_batch: int) -> list[Contribution]:
        """The next batch; an empty one ends this leader's turn (in the same critical section,
        so a contribution queued just after finds no leader and leads)."""
        with self._lock:
            batch, self._queue = self._queue[:max_batch], self._queue[max_batch:]
            if not batch:
                self._leading = False
            return batch

    def run_batch(self, batch: list[Contribution]) -> None:
        """Run ``batch`` in one transaction, each contribution in its savepoint; commit once."""
        metrics.GROUP_COMMIT_SIZE.observe(len(batch))
        try:
            _begin()
            receipts = _receipts_of(batch)
            for contribution in batch:
                _run_in_savepoint(contribution, receipts)
            db.session.commit()
        except Exception as exc:  # the commit failed: nothing of the batch is in the database
            log.warning("group commit of %d failed: %s", len(batch), exc.__class__.__name__)
            db.session.rollback()
            for contribution in batch:
                contribution.answer = None
                contribution.error = contribution.error or exc


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

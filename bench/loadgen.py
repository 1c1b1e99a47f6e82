"""A load-generator process: a share of the attendees, each a WebSocket client in one asyncio loop.

The orchestrator sends one command at a time through a pipe (``{"op": ..., ...}``) and gets one
answer (a dict; ``{"error": ...}`` when the command failed). Every wait is bounded; the process
ends by itself when the orchestrator goes away (the pipe closes).
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from .wsclient import SioClient, SioError

HOST = "127.0.0.1"
POLL_INTERVAL_S = 0.05
#: Joins (connect + session.join) under way at once in one generator, by default. A crowd
#: arrives over seconds, not in one millisecond; and past the server's listen backlog (50
#: under eventlet) a SYN is dropped and retried a second later, which would measure the kernel.
JOIN_CONCURRENCY = 24


def worker_main(conn, index: int, count: int, attendees: int) -> None:
    """Entry point of a generator process (multiprocessing, spawn)."""
    asyncio.run(Worker(conn, index, count, attendees).serve())


INTEREST = {
    "poll_total": {"poll.results"},
    "upvotes": {"question.votes", "question.updated"},
    "questions": {"question.updated"},
    "floor": {"floor.updated"},
    "poll_state": {"poll.updated"},
    "relay": {"relayed"},
}


class Tracker(ABC):
    """Collects, per client, the broadcasts one scenario waits for."""

    @abstractmethod
    def on_event(self, client: SioClient, name: str, data: Any, arrival: float) -> None:
        """Note one broadcast (``data`` is None for names outside ``INTEREST``)."""

    @abstractmethod
    def complete(self, clients: list[SioClient]) -> bool:
        """Tell whether every client has seen what is expected."""

    @abstractmethod
    def result(self, clients: list[SioClient]) -> dict:
        """Arrival times, and how many expected broadcasts never arrived."""


class Values(Tracker):
    """A figure as each client saw it grow (a poll's total, a question's upvotes).

    ``wait`` names the value to reach; the answer is, per client, when it first saw it.
    """

    def __init__(self, kind: str, **params: Any):
        self.kind = kind
        self.params = params
        self.seen: dict[int, list[tuple[int, float]]] = {}
        self.expected = 0

    def _value(self, name: str, data: dict) -> int | None:
        p = self.params
        if self.kind == "poll_total":
            if name == "poll.results" and data.get("poll_id") == p["poll_id"]:
                return data.get("total")
        elif self.kind == "upvotes":
            if name == "question.votes":
                return (data.get("votes") or {}).get(str(p["question_id"]))
            if name == "question.updated":
                question = data.get("question") or {}
                if question.get("id") == p["question_id"]:
                    return question.get("upvotes")
        else:
            raise ValueError(self.kind)
        return None

    def on_event(self, client, name, data, arrival):
        if isinstance(data, dict):
            value = self._value(name, data)
            if value is not None:
                self.seen.setdefault(client.index, []).append((value, arrival))

    def _reached(self, client: SioClient) -> float | None:
        return next(
            (t for value, t in self.seen.get(client.index, ()) if value >= self.expected), None
        )

    def complete(self, clients):
        return all(self._reached(c) is not None for c in clients)

    def result(self, clients):
        reached = [self._reached(c) for c in clients]
        return {
            "times": [t for t in reached if t is not None],
            "missing": sum(1 for t in reached if t is None),
        }


class KeySet(Tracker):
    """The arrival, per client, of each broadcast of a kind, keyed (question id, seq, message id,
    ``"<poll id>:<state>"``)."""

    def __init__(self, kind: str, **params: Any):
        self.kind = kind
        self.params = params
        self.seen: dict[int, dict[Any, float]] = {}
        self.expected: set | None = None

    def _key(self, name: str, data: Any):
        if self.kind == "questions" and name == "question.updated":
            question = data.get("question") or {}
            return question.get("id") if question.get("state") == "approved" else None
        if self.kind == "floor" and name == "floor.updated":
            return data.get("seq")
        if self.kind == "relay" and name == "relayed":
            return data.get("id")
        if self.kind == "poll_state" and name == "poll.updated":
            poll = data.get("poll") or {}
            return f"{poll.get('id')}:{poll.get('state')}"
        return None

    def on_event(self, client, name, data, arrival):
        if not isinstance(data, dict):
            return
        key = self._key(name, data)
        if key is not None:
            self.seen.setdefault(client.index, {}).setdefault(key, arrival)

    def complete(self, clients):
        expected = self.expected or set()
        return all(expected <= self.seen.get(c.index, {}).keys() for c in clients)

    def result(self, clients):
        arrivals: dict[Any, list[float]] = {key: [] for key in self.expected or ()}
        missing = 0
        for c in clients:
            got = self.seen.get(c.index, {})
            for key, times in arrivals.items():
                if key in got:
                    times.append(got[key])
                else:
                    missing += 1
        return {"arrivals": arrivals, "missing": missing}


class Worker:
    """One generator: its attendees' tokens, their clients, the current tracker."""

    def __init__(self, conn, index: int, count: int, attendees: int):
        self.conn = conn
        self.index = index
        self.count = count
        self.mine = list(range(index, attendees, count))  # global attendee numbers
        self.people: list[dict] = []  # {"n", "port", "token", "participant_id"}
        self.clients: list[SioClient] = []
        self.tracker: Tracker | None = None
        # The event names whose payloads the current tracker reads; the others are only counted.
        self.interest: set[str] = set()
        self.rng = random.Random(index)

    def server_of(self, n: int, servers: int) -> int:
        """Spread each generator's attendees over every server (not one server per generator)."""
        return (n // self.count) % servers

    async def serve(self) -> None:
        """Answer the orchestrator's commands, one at a time, until it says exit or goes away."""
        loop = asyncio.get_running_loop()
        pipe = ThreadPoolExecutor(max_workers=1)
        try:
            while True:
                try:
                    message = await loop.run_in_executor(pipe, self.conn.recv)
                except (EOFError, OSError):
                    break
                op = message.pop("op")
                if op == "exit":
                    break
                try:
                    answer = await getattr(self, "op_" + op)(**message)
                except Exception as exc:
                    answer = {"error": f"{op}: {type(exc).__name__}: {exc}"}
                try:
                    self.conn.send(answer)
                except (EOFError, OSError):
                    break
        finally:
            await self._close_all()
            pipe.shutdown(wait=False)

    def _on_event(self, client: SioClient, name: str, data: Any, arrival: float) -> None:
        if self.tracker is not None:
            self.tracker.on_event(client, name, data, arrival)

    async def _close_all(self) -> None:
        clients, self.clients = self.clients, []
        for start in range(0, len(clients), 200):
            await asyncio.gather(*(c.close() for c in clients[start : start + 200]))

    @staticmethod
    async def _until(start_at: float) -> None:
        delay = start_at - time.time()
        if delay > 0:
            await asyncio.sleep(delay)

    # -- set-up -------------------------------------------------------------------------

    async def op_register(
        self, base_urls: list[str], slug: str, session_id: int, run_id: str, threads: int = 6
    ) -> dict:
        """Register this generator's attendees over HTTP and join them to the session."""
        import requests

        local = threading.local()
        sessions: list = []

        def one(n: int) -> dict:
            http = getattr(local, "http", None)
            if http is None:
                http = local.http = requests.Session()
                sessions.append(http)
            base = base_urls[self.server_of(n, len(base_urls))]
            reg = http.post(
                f"{base}/api/v1/events/{slug}/registrations",
                json={
                    "name": f"Bench attendee {n}",
                    "email": f"bench.{n}.{run_id}@example.org",
                    "session_ids": [session_id],
                },
                timeout=60,
            )
            if reg.status_code != 201:
                raise RuntimeError(f"registration {reg.status_code}: {reg.text[:200]}")
            joined = http.post(
                f"{base}/api/v1/sessions/{session_id}/join",
                json={"registration_token": reg.json()["token"]},
                timeout=60,
            )
            if joined.status_code != 200:
                raise RuntimeError(f"join {joined.status_code}: {joined.text[:200]}")
            body = joined.json()
            port = int(base.rsplit(":", 1)[1])
            return {
                "n": n,
                "port": port,
                "token": body["token"],
                "participant_id": body["participant"]["id"],
            }

        loop = asyncio.get_running_loop()
        errors: Counter = Counter()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            futures = [loop.run_in_executor(pool, one, n) for n in self.mine]
            for outcome in await asyncio.gather(*futures, return_exceptions=True):
                if isinstance(outcome, BaseException):
                    errors[str(outcome)[:120]] += 1
                else:
                    self.people.append(outcome)
        # Keep-alive connections would hold server green threads for the rest of the run.
        for http in sessions:
            http.close()
        return {"registered": len(self.people), "errors": dict(errors)}

    async def op_connect(
        self,
        start_at: float,
        session_id: int | None,
        room: str | None = None,
        ports: list[int] | None = None,
        concurrency: int = JOIN_CONCURRENCY,
        since_seq: int | None = None,
        missed_poll_id: int | None = None,
    ) -> dict:
        """Connect every attendee and join the session (or, for the relay, its room).

        With ``since_seq`` (a rejoin), count the answers that replayed the missed broadcasts and
        those that sent a snapshot; a replay without ``missed_poll_id``'s change is ``unreplayed``.
        """
        await self._close_all()
        self.clients = [
            SioClient(
                HOST,
                ports[self.server_of(p["n"], len(ports))] if ports else p["port"],
                self._on_event,
                i,
                decode=self.interest,
            )
            for i, p in enumerate(self.people)
        ]
        gate = asyncio.Semaphore(concurrency or len(self.people) or 1)
        errors: Counter = Counter()
        done: list[float] = []
        answered: Counter = Counter()
        join = {"session_id": session_id}
        if since_seq is not None:
            join["since_seq"] = since_seq
        await self._until(start_at)

        async def one(client: SioClient, person: dict) -> None:
            try:
                async with gate:
                    if room is None:
                        await client.connect({"token": person["token"]}, timeout=60)
                        answer, arrived = await client.call_timed("session.join", join, 60)
                    else:
                        await client.connect(None, timeout=60)
                        answer, arrived = await client.call_timed("join", {"room": room}, 60)
                if not answer.get("ok"):
                    errors["join: " + str(answer.get("error", {}).get("code"))] += 1
                    return
                done.append(arrived)
                if since_seq is not None:
                    answered[resync_kind(answer.get("data") or {}, missed_poll_id)] += 1
            except (SioError, OSError, TimeoutError) as exc:
                errors[f"connect: {type(exc).__name__}: {str(exc)[:80]}"] += 1
                await client.close()

        await asyncio.gather(*(one(c, p) for c, p in zip(self.clients, self.people, strict=True)))
        return {
            "joined": len(done),
            "last": max(done, default=None),
            "errors": dict(errors),
            **{kind: answered[kind] for kind in ("replays", "snapshots", "unreplayed")},
        }

    async def op_disconnect(self) -> dict:
        await self._close_all()
        return {"ok": True}

    async def op_drop(self) -> dict:
        """Cut every attendee's connection at once, without a goodbye (as a restart would)."""
        for client in self.clients:
            client.drop()
        return {"dropped_at": time.time()}

    # -- tracking -----------------------------------------------------------------------

    async def op_track(self, tracker: str, kind: str, **params: Any) -> dict:
        """Start collecting one scenario's broadcasts and count deliveries from zero."""
        self.tracker = {"values": Values, "keys": KeySet}[tracker](kind, **params)
        self.interest.clear()
        self.interest.update(INTEREST[kind])
        for client in self.clients:
            client.received = 0
        return {"ok": True}

    async def op_wait(self, within: float, expected: Any = None) -> dict:
        """Wait until every client saw what the tracker expects, or the timeout passes."""
        tracker = self.tracker
        tracker.expected = set(expected or ()) if isinstance(tracker, KeySet) else expected
        live = [c for c in self.clients if not c.closed]
        deadline = time.monotonic() + within
        while time.monotonic() < deadline and not tracker.complete(live):
            await asyncio.sleep(POLL_INTERVAL_S)
        result = tracker.result(self.clients)
        result["received"] = sum(c.received for c in self.clients)
        result["closed"] = sum(1 for c in self.clients if c.closed)
        self.tracker = None
        self.interest.clear()
        return result

    async def op_received(self) -> dict:
        return {"received": sum(c.received for c in self.clients)}

    # -- actions --------------------------------------------------------------------------

    async def _burst(self, clients, start_at: float, spread: float, make) -> dict:
        """Send one call per client at a random moment of [start_at, start_at + spread)."""
        sent: list[float] = []
        acks: list[float] = []
        latencies: list[float] = []
        errors: Counter = Counter()
        answers: dict[int, Any] = {}

        async def one(client: SioClient) -> None:
            await self._until(start_at + self.rng.random() * spread)
            event, payload = make(client)
            t = time.time()
            sent.append(t)
            try:
                answer, arrival = await client.call_timed(event, payload, timeout=60)
            except (SioError, TimeoutError) as exc:
                errors[f"{event}: {type(exc).__name__}"] += 1
                return
            if answer and answer.get("ok"):
                acks.append(arrival)
                latencies.append(arrival - t)
                answers[client.index] = (t, answer.get("data"))
            else:
                errors[f"{event}: {(answer or {}).get('error', {}).get('code')}"] += 1

        await asyncio.gather(*(one(c) for c in clients))
        return {
            "first_sent": min(sent, default=None),
            "last_sent": max(sent, default=None),
            "acks": len(acks),
            "last_ack": max(acks, default=None),
            "latencies": latencies,
            "errors": dict(errors),
            "answers": answers,
        }

    async def op_vote(self, poll_id: int, option_ids: list, start_at: float, spread: float):
        def make(client):
            answer = {"option_id": option_ids[client.index % len(option_ids)]}
            return "poll.vote", {"poll_id": poll_id, "client_id": _cid(), "answer": answer}

        result = await self._burst(self.clients, start_at, spread, make)
        result.pop("answers")
        return result

    async def op_ask(self, session_id: int, count: int, start_at: float, spread: float) -> dict:
        def make(client):
            text = f"{self.rng.choice(TOPICS)} — {self.rng.choice(ASKS)} ({uuid.uuid4().hex[:6]})"
            return "question.submit", {"session_id": session_id, "client_id": _cid(), "text": text}

        result = await self._burst(self.clients[:count], start_at, spread, make)
        answers = result.pop("answers")
        result["questions"] = {
            data["question"]["id"]: sent for sent, data in answers.values() if data
        }
        return result

    async def op_upvote(self, question_id: int, start_at: float, spread: float) -> dict:
        def make(client):
            return "question.upvote", {"question_id": question_id}

        result = await self._burst(self.clients, start_at, spread, make)
        result.pop("answers")
        return result

    async def op_floor_request(self, session_id: int, count: int, start_at: float) -> dict:
        def make(client):
            return "floor.request", {
                "session_id": session_id,
                "client_id": _cid(),
                "kind": "contribution",
            }

        result = await self._burst(self.clients[:count], start_at, 0.5, make)
        result.pop("answers")
        return result

    async def op_relay(self, room: str, count: int, payload: dict, start_at: float, spread: float):
        def make(client):
            key = f"{self.index}-{client.index}"
            return "relay", {"room": room, "payload": {**payload, "id": key}}

        result = await self._burst(self.clients[:count], start_at, spread, make)
        answers = result.pop("answers")
        result["messages"] = {
            f"{self.index}-{index}": sent for index, (sent, _data) in answers.items()
        }
        return result


def _cid() -> str:
    return uuid.uuid4().hex


def resync_kind(data: dict, missed_poll_id: int | None) -> str:
    """How a rejoin's ``session.join`` answered: a replay holding the missed change, a replay
    without it, or a snapshot (the whole state, so nothing to check)."""
    if "events" not in data:
        return "snapshots"
    replayed = any(
        event.get("event") == "poll.updated"
        and ((event.get("data") or {}).get("poll") or {}).get("id") == missed_poll_id
        for event in data["events"]
    )
    return "replays" if replayed or missed_poll_id is None else "unreplayed"


# Varied wording, so the duplicate detector sees ordinary questions, not one repeated text.
TOPICS = (
    "Sur le financement des tiers-lieux",
    "À propos de la mobilité rurale",
    "Concernant l'évaluation d'impact",
    "Pour les petites associations",
    "Sur la coopération entre territoires",
    "À propos du bénévolat",
    "Concernant les achats publics responsables",
    "Sur l'accès aux droits",
)
ASKS = (
    "comment démarrer avec peu de moyens ?",
    "quels indicateurs suivre la première année ?",
    "qui contacter dans la région ?",
    "quelles erreurs éviter ?",
    "comment associer les habitants ?",
    "existe-t-il un guide pratique ?",
)

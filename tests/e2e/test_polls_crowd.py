"""300 real Socket.IO clients vote at once against a real server process.

The final tally equals the ballots in the database and reaches every client; each client gets
only a handful of poll.results (coalesced, never one per vote); the votes are committed many
to a transaction (group commit); resends and changed ballots never count twice. The timings are printed: how long the 300 acknowledgements take, and how
long until every client has seen the final tally.
"""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import socketio
from sqlalchemy import create_engine, text

from tests.e2e.conftest import ServerProcess, base_env

# Crowds run one at a time (xdist group): two at once would measure each other.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("crowd")]
CROWD = 300
COALESCE_INTERVAL_S = 0.3  # Config.coalesce_interval_s


@pytest.fixture
def crowd_server(demo_sqlite, tmp_path):
    """A server on the embedded default (SQLite, one eventlet process).

    Rate limits are off: the 300 attendees all come from 127.0.0.1, and the per-address
    budgets would rightly stop a script registering that many people from one address.
    """
    proc = ServerProcess(
        base_env(demo_sqlite, COMPANION_RATE_LIMITS="off"), tmp_path / "server.log"
    ).start()
    proc.database_url = demo_sqlite
    yield proc
    proc.stop()


class Voter:
    """One attendee's real Socket.IO connection, recording what it receives and when."""

    def __init__(self, url: str, token: str):
        self.sio = socketio.Client(reconnection=False)
        self.results: list[tuple[float, dict]] = []
        self.updates: list[dict] = []
        self.acks: dict[str, list[tuple[float, dict]]] = {}
        self.sio.on("poll.results", lambda data: self.results.append((time.monotonic(), data)))
        self.sio.on("poll.updated", lambda data: self.updates.append(data))
        self.sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=20)

    def vote(self, poll_id: int, client_id: str, answer: dict) -> None:
        """Send without waiting; each ack's arrival time is kept under ``client_id``."""

        def acked(data):
            self.acks.setdefault(client_id, []).append((time.monotonic(), data))

        self.sio.emit(
            "poll.vote",
            {"poll_id": poll_id, "client_id": client_id, "answer": answer},
            callback=acked,
        )

    def final_seen_at(self, total: int) -> float | None:
        return next((at for at, data in self.results if data["total"] == total), None)


def wait_until(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def join_crowd(server: ServerProcess, session_id: int) -> list[str]:
    """Register and join CROWD attendees over HTTP; return their participant tokens."""
    slug = server.programme()["slug"]
    local = threading.local()

    def one(i: int) -> str:
        http = getattr(local, "http", None) or requests.Session()
        local.http = http
        reg = http.post(
            f"{server.url}/api/v1/events/{slug}/registrations",
            json={
                "name": f"Votant {i}",
                "email": f"votant{i}@example.org",
                "session_ids": [session_id],
            },
            timeout=30,
        )
        assert reg.status_code == 201, reg.text
        joined = http.post(
            f"{server.url}/api/v1/sessions/{session_id}/join",
            json={"registration_token": reg.json()["token"]},
            timeout=30,
        )
        assert joined.status_code == 200, joined.text
        return joined.json()["token"]

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, range(CROWD)))


def ballots_in_database(url: str, poll_id: int) -> Counter:
    """Count the stored ballots by chosen option, straight from the server's database."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT answer FROM ballots WHERE poll_id = :p"), {"p": poll_id}
            ).scalars()
            # SQLite hands JSON back as text, PostgreSQL as a dict.
            answers = [json.loads(r) if isinstance(r, str) else r for r in rows]
            return Counter(answer["option_id"] for answer in answers)
    finally:
        engine.dispose()


def group_commits(server: ServerProcess) -> tuple[float, float]:
    """The group commits the server made so far, and the contributions they held."""
    samples = {}
    for line in requests.get(server.url + "/metrics", timeout=10).text.splitlines():
        if line.startswith(
            ("companion_group_commit_size_count", "companion_group_commit_size_sum")
        ):
            name, value = line.rsplit(" ", 1)
            samples[name.split("{")[0]] = float(value)
    return samples["companion_group_commit_size_count"], samples["companion_group_commit_size_sum"]


def test_three_hundred_clients_vote_at_once(crowd_server, make_client):
    server = crowd_server
    session_id = server.programme()["sessions"][0]["id"]
    moderator = make_client(server, server.login())
    moderator.ok("session.join", {"session_id": session_id})
    poll = moderator.ok(
        "poll.create",
        {
            "session_id": session_id,
            "kind": "single",
            "question": "Où en êtes-vous avec l’expérimentation ?",
            "options": ["Je découvre", "J’y réfléchis", "J’en mène une", "J'en ai mené une"],
        },
    )["poll"]
    options = [o["id"] for o in poll["options"]]

    tokens = join_crowd(server, session_id)
    with ThreadPoolExecutor(16) as pool:
        voters = list(pool.map(lambda token: Voter(server.url, token), tokens))
    try:
        with ThreadPoolExecutor(16) as pool:
            joined = list(
                pool.map(
                    lambda v: v.sio.call("session.join", {"session_id": session_id}, timeout=30),
                    voters,
                )
            )
        assert all(answer["ok"] for answer in joined)
        moderator.ok("poll.open", {"poll_id": poll["id"]})
        wait_until(lambda: all(v.updates for v in voters), 20, "everyone to see the poll open")

        # Everyone votes at once.
        first_ids = [f"first-{uuid.uuid4().hex}" for _ in voters]
        started = time.monotonic()
        for i, voter in enumerate(voters):
            voter.vote(poll["id"], first_ids[i], {"option_id": options[i % len(options)]})
        sent = time.monotonic() - started
        wait_until(
            lambda: all(first_ids[i] in v.acks for i, v in enumerate(voters)),
            90,
            "every vote to be acknowledged",
        )
        ack_times = [v.acks[first_ids[i]][0][0] - started for i, v in enumerate(voters)]
        # Group commit: the burst's votes were committed together, many to a transaction.
        commits, contributions = group_commits(server)
        assert contributions >= CROWD
        assert commits <= CROWD / 3, f"{commits} commits for {CROWD} votes: no grouping"
        recorded = {"ok": True, "data": {"recorded": True}}
        assert all(v.acks[first_ids[i]][0][1] == recorded for i, v in enumerate(voters))
        wait_until(
            lambda: all(v.final_seen_at(CROWD) for v in voters),
            30,
            "the final tally to reach every client",
        )
        reach = max(v.final_seen_at(CROWD) for v in voters) - started
        burst_results = [len(v.results) for v in voters]

        expected = Counter(options[i % len(options)] for i in range(CROWD))
        for voter in voters:
            last = voter.results[-1][1]
            assert last["total"] == CROWD
            assert {r["option_id"]: r["count"] for r in last["results"]} == expected
        assert ballots_in_database(server.database_url, poll["id"]) == expected
        # Coalesced: a few per second, whatever the number of voters — never one per vote.
        span = max(at for v in voters for at, _ in v.results) - started
        assert max(burst_results) <= span / COALESCE_INTERVAL_S + 2
        assert max(burst_results) < CROWD / 10

        # Thirty resend their vote with the same client_id (a reconnect), thirty change theirs.
        for i in range(30):
            voters[i].vote(poll["id"], first_ids[i], {"option_id": options[i % len(options)]})
        changed_ids = {}
        for i in range(30, 60):
            changed_ids[i] = f"changed-{uuid.uuid4().hex}"
            voters[i].vote(poll["id"], changed_ids[i], {"option_id": options[0]})
        wait_until(
            lambda: (
                all(changed_ids[i] in voters[i].acks for i in changed_ids)
                and all(len(voters[i].acks[first_ids[i]]) == 2 for i in range(30))
            ),
            30,
            "the resends and the changes to be acknowledged",
        )
        # A resend answers exactly what the first send answered.
        assert all(voters[i].acks[first_ids[i]][1][1] == recorded for i in range(30))
        assert all(voters[i].acks[changed_ids[i]][0][1] == recorded for i in changed_ids)
        for i in range(30, 60):
            expected[options[i % len(options)]] -= 1
            expected[options[0]] += 1
        closed = moderator.ok("poll.close", {"poll_id": poll["id"]})["poll"]
        assert closed["total"] == CROWD
        assert {r["option_id"]: r["count"] for r in closed["results"]} == expected
        assert ballots_in_database(server.database_url, poll["id"]) == expected
        wait_until(
            lambda: all(any(u["poll"].get("state") == "closed" for u in v.updates) for v in voters),
            20,
            "everyone to see the poll closed",
        )
        for voter in voters:
            final = next(u["poll"] for u in voter.updates if u["poll"].get("state") == "closed")
            assert final["total"] == CROWD
            assert {r["option_id"]: r["count"] for r in final["results"]} == expected

        report = (
            f"\n{CROWD} simultaneous votes on this machine (SQLite, one eventlet process): "
            f"sent in {sent:.2f} s; acknowledged: median {statistics.median(ack_times):.2f} s, "
            f"95th percentile {statistics.quantiles(ack_times, n=20)[18]:.2f} s, "
            f"all {max(ack_times):.2f} s; final tally on every client after {reach:.2f} s; "
            f"poll.results per client: {min(burst_results)}–{max(burst_results)} "
            f"(mean {statistics.mean(burst_results):.1f})\n"
        )
        sys.__stdout__.write(report)
        sys.__stdout__.flush()
    finally:
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda v: v.sio.disconnect(), voters))

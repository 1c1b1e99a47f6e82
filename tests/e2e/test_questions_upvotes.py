"""200 real clients upvote one question at once on a real server: the count is exact."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.e2e.conftest import (
    REDIS_URL,
    ServerProcess,
    base_env,
    fresh_postgres_database,
    run_command,
)

CROWD = 200

# Crowds run one at a time (xdist group): two at once would measure each other.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(240), pytest.mark.xdist_group("crowd")]


def _all_at_once(clients, event: str, payload: dict) -> tuple[list[dict], float]:
    """Send ``event`` from every client at the same instant; return the acks and the time."""
    barrier = threading.Barrier(len(clients) + 1)

    def send(client):
        barrier.wait()
        return client.call(event, payload, timeout=60)

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        futures = [pool.submit(send, client) for client in clients]
        barrier.wait()
        started = time.monotonic()
        answers = [f.result() for f in futures]
    return answers, time.monotonic() - started


# Per-address rate limits are off: the whole crowd comes from 127.0.0.1 here.
NO_LIMITS = {"COMPANION_RATE_LIMITS": "off"}


@pytest.fixture
def sqlite_servers(demo_sqlite, tmp_path):
    """One process on SQLite, the embedded default."""
    proc = ServerProcess(base_env(demo_sqlite, **NO_LIMITS), tmp_path / "server.log").start()
    yield [proc]
    proc.stop()


@pytest.fixture
def postgres_servers(tmp_path):
    """Two processes sharing PostgreSQL and Redis; the crowd is split between them."""
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    env = base_env(
        fresh_postgres_database("companion_e2e_qa"), COMPANION_MESSAGE_QUEUE=REDIS_URL, **NO_LIMITS
    )
    run_command(env, "db-upgrade")
    run_command(env, "init-demo")
    procs = [ServerProcess(env, tmp_path / f"server{i}.log").start() for i in range(2)]
    yield procs
    for proc in procs:
        proc.stop()


@pytest.mark.parametrize("servers", ["sqlite_servers", "postgres_servers"])
def test_two_hundred_clients_upvote_one_question_exactly(request, servers, make_client):
    procs = request.getfixturevalue(servers)
    server = procs[0]
    session_id = server.programme()["sessions"][0]["id"]
    with ThreadPoolExecutor(max_workers=16) as pool:
        tokens = list(pool.map(lambda n: server.attendee(session_id, f"Voter {n}"), range(CROWD)))
        voters = list(
            pool.map(
                lambda pair: make_client(procs[pair[0] % len(procs)], pair[1]), enumerate(tokens)
            )
        )
    # The author listens on the last process: figures cross processes through Redis.
    author = make_client(procs[-1], server.attendee(session_id, "Author"))
    author.ok("session.join", {"session_id": session_id})
    question = author.ok(
        "question.submit",
        {"session_id": session_id, "client_id": "crowd-1", "text": "Qui finance le projet ?"},
    )["question"]
    assert question["state"] == "approved"
    payload = {"question_id": question["id"]}

    answers, took = _all_at_once(voters, "question.upvote", payload)
    print(f"\n[{servers}] {CROWD} simultaneous upvotes acknowledged in {took:.2f}s")
    assert all(a["ok"] for a in answers), [a for a in answers if not a["ok"]][:3]
    counts = sorted(a["data"]["upvotes"] for a in answers)
    assert counts == list(range(1, CROWD + 1))  # each vote counted once, none lost

    # The room sees the total in a coalesced broadcast, not one message per vote.
    key = str(question["id"])

    def newest(events):
        """The count with the highest version, as a client keeps it."""
        counts = [
            (d["versions"][key], d["votes"][key]) for _, e, d in events if e == "question.votes"
        ]
        return max(counts) if counts and max(counts)[1] == CROWD else None

    assert author.wait_for(newest) == (CROWD, CROWD)
    assert len(author.named("question.votes")) < CROWD / 4

    again, took = _all_at_once(voters, "question.upvote", payload)
    print(f"{CROWD} repeated upvotes acknowledged in {took:.2f}s")
    assert {a["data"]["upvotes"] for a in again} == {CROWD}

    withdrawing = voters[: CROWD // 4]
    gone, took = _all_at_once(withdrawing, "question.unvote", payload)
    print(f"{len(withdrawing)} simultaneous withdrawals acknowledged in {took:.2f}s")
    assert all(a["ok"] and a["data"]["voted"] is False for a in gone)
    assert min(a["data"]["upvotes"] for a in gone) == CROWD - len(withdrawing)
    twice, _ = _all_at_once(withdrawing, "question.unvote", payload)
    assert {a["data"]["upvotes"] for a in twice} == {CROWD - len(withdrawing)}

    moderator = make_client(server, server.login())
    snapshot = moderator.ok("session.join", {"session_id": session_id})["snapshot"]
    (stored,) = [q for q in snapshot["questions"] if q["id"] == question["id"]]
    assert stored["upvotes"] == CROWD - len(withdrawing)

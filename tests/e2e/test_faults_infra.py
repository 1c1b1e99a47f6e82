"""Faults of the shared services: PostgreSQL stopped, Redis restarted; Companion recovers alone."""

import time

import pytest
import requests

from tests.e2e.conftest import ServerProcess, base_env, run_command
from tests.e2e.faults import PrivatePostgres, PrivateRedis

pytestmark = pytest.mark.e2e


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_postgres_stopped_for_ten_seconds(tmp_path, make_client):
    pg = PrivatePostgres().init()
    try:
        env = base_env(pg.url)
        run_command(env, "db-upgrade")
        run_command(env, "init-demo")
        server = ServerProcess(env, tmp_path / "server.log").start()
        try:
            session = server.programme()["sessions"][0]
            items = [i["id"] for i in session["agenda"]]
            moderator = make_client(server, server.login())
            moderator.ok("session.join", {"session_id": session["id"]})
            moderator.ok(
                "agenda.advance", {"session_id": session["id"], "agenda_item_id": items[1]}
            )

            pg.stop()
            stopped_at = time.monotonic()
            health = requests.get(server.url + "/healthz", timeout=10)
            assert health.status_code == 503
            assert health.json()["status"] == "unavailable"
            assert "database" in health.json()["error"]["message"]
            answer = moderator.call(
                "agenda.advance", {"session_id": session["id"], "agenda_item_id": items[2]}
            )
            assert answer == {
                "ok": False,
                "error": {"code": "unavailable", "message": answer["error"]["message"]},
            }
            time.sleep(max(0.0, 10 - (time.monotonic() - stopped_at)))
            pg.start()

            _wait(
                lambda: requests.get(server.url + "/healthz", timeout=5).status_code == 200,
                20,
                "healthz to recover",
            )
            data = moderator.ok(
                "agenda.advance", {"session_id": session["id"], "agenda_item_id": items[3]}
            )
            assert data["session"]["current_agenda_item_id"] == items[3]
            assert server.proc.poll() is None
            assert "Traceback" not in server.output()
        finally:
            server.stop()
    finally:
        pg.remove()


def test_redis_restarted_broadcasts_resume(tmp_path, make_client, cluster_on):
    redis_server = PrivateRedis(tmp_path / "redis").start()
    try:
        one, two = cluster_on(redis_server.url)
        session = one.programme()["sessions"][0]
        items = [i["id"] for i in session["agenda"]]
        moderator = make_client(one, one.login())
        listener = make_client(two, two.attendee(session["id"], "Listener"))
        listener.ok("session.join", {"session_id": session["id"]})

        redis_server.stop()
        time.sleep(1.0)
        redis_server.start()  # same port, empty: a real restart

        def delivered(item_id):
            moderator.ok("agenda.advance", {"session_id": session["id"], "agenda_item_id": item_id})
            time.sleep(0.5)
            return any(d.get("agenda_item_id") == item_id for d in listener.named("agenda.updated"))

        attempts = iter(items[1:])
        _wait(lambda: delivered(next(attempts)), 20, "a broadcast across processes after restart")
        assert one.proc.poll() is None and two.proc.poll() is None
        health = requests.get(two.url + "/healthz", timeout=5).json()
        assert health["checks"]["message_queue"] == "ok"
    finally:
        redis_server.stop()

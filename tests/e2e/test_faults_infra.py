"""Faults of the shared services: PostgreSQL stopped, Redis restarted; Companion recovers alone."""

import time

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.e2e.conftest import ServerProcess, base_env, run_command
from tests.e2e.faults import PrivatePostgres, PrivateRedis

pytestmark = pytest.mark.e2e

CONN_STATE = "document.querySelector('#attendee [data-conn-status]').dataset.state"
QA_STATUS = "document.querySelector('[data-qa-status]').textContent"
REFUSED = "database unavailable during question.submit"


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


@pytest.fixture
def attendee_on_private_postgres(tmp_path, make_client, new_page):
    """An attendee's page, connected to a started session, on a PostgreSQL the test can stop."""
    pg = PrivatePostgres().init()
    try:
        env = base_env(pg.url)
        run_command(env, "db-upgrade")
        run_command(env, "init-demo")
        server = ServerProcess(env, tmp_path / "server.log").start()
        try:
            programme = server.programme()
            session = programme["sessions"][0]
            moderator = make_client(server, server.login())
            moderator.ok("session.join", {"session_id": session["id"]})
            moderator.ok("session.start", {"session_id": session["id"]})
            registration = server.api(
                f"/events/{programme['slug']}/registrations",
                "POST",
                {"name": "Inès Caron", "email": "ines@example.org", "session_ids": [session["id"]]},
            ).json()
            page = new_page()
            # The page's own clock, to jump over its waits between resends (it still runs on).
            page.clock.install()
            page.goto(f"{server.url}/sessions/{session['id']}?t={registration['token']}")
            page.wait_for_function(f"() => {CONN_STATE} === 'connected'")
            # Every connection state the page goes through from now on.
            page.evaluate(
                """() => {
                  const node = document.querySelector('#attendee [data-conn-status]');
                  window.seenStates = [];
                  new MutationObserver(() => window.seenStates.push(node.dataset.state))
                    .observe(node, {attributes: true, attributeFilter: ['data-state']});
                }"""
            )
            yield pg, server, page
        finally:
            server.stop()
    finally:
        pg.remove()


def _stored(pg: PrivatePostgres, typed: str) -> int:
    engine = create_engine(pg.url)
    with engine.connect() as db:
        count = db.execute(text("SELECT count(*) FROM questions WHERE text = :t"), {"t": typed})
        stored = count.scalar()
    engine.dispose()
    return stored


@pytest.mark.browser
def test_a_question_refused_during_a_database_outage_is_sent_again_by_the_page(
    attendee_on_private_postgres,
):
    """The server answers `unavailable` while the connection stays up: no reconnect will come
    to resend the question, so the page sends it again itself (same client_id) until the
    database is back, and the attendee sees it sent, once."""
    pg, server, page = attendee_on_private_postgres
    pg.stop()
    typed = "Quelles aides pour un tiers-lieu en zone rurale ?"
    page.fill("#qa-text", typed)
    page.click("[data-qa-submit]")
    time.sleep(3)  # refused `unavailable`, sent again after about 1 s and 2 s
    assert page.evaluate(f"() => {QA_STATUS}") == "Envoi…"
    assert page.locator("[data-qa-submit]").is_disabled()
    assert server.output().count(REFUSED) >= 2  # refused, then sent again while still down
    pg.start()

    page.wait_for_function(f"() => {QA_STATUS}.startsWith('Votre question')", timeout=30_000)
    assert page.input_value("#qa-text") == ""  # sent: the form is fresh for the next one
    assert page.locator("[data-qa-error]").inner_text() == ""
    assert page.evaluate("() => window.seenStates") == []  # never reconnected
    assert _stored(pg, typed) == 1
    assert page.errors == []


@pytest.mark.browser
def test_a_page_gives_up_on_a_long_outage_and_keeps_the_question_to_send_again(
    attendee_on_private_postgres,
):
    """After some 35 s of refusals the page stops trying: it says why, in French, and keeps the
    text in the form; once the database is back, sending it again stores it once."""
    pg, server, page = attendee_on_private_postgres
    pg.stop()
    typed = "Comment financer un poste de coordination ?"
    page.fill("#qa-text", typed)
    page.click("[data-qa-submit]")
    error = page.locator("[data-qa-error]")
    # The page waits 1, 2, 4, 8, 10 and 10 s between its tries: its clock runs five times
    # faster until it gives up (well inside the keepalive's 80 s, so the socket stays up).
    deadline = time.monotonic() + 60
    while not error.is_visible():
        assert time.monotonic() < deadline, server.output()[-3000:]
        page.clock.fast_forward(500)
        time.sleep(0.1)
    assert "La base de données est indisponible" in error.inner_text()
    assert server.output().count(REFUSED) == 7  # the first try and six more
    assert page.input_value("#qa-text") == typed
    assert page.evaluate(f"() => {QA_STATUS}") == ""
    assert page.locator("[data-qa-submit]").is_enabled()
    pg.start()

    page.wait_for_function("() => fetch('/healthz').then(r => r.ok)", timeout=20_000, polling=500)
    page.click("[data-qa-submit]")
    page.wait_for_function(f"() => {QA_STATUS}.startsWith('Votre question')")
    assert page.evaluate("() => window.seenStates") == []
    assert _stored(pg, typed) == 1
    assert page.errors == []

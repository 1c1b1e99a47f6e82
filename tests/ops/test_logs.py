"""The application's log: it is not silenced, it speaks once per request and event, no PII."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys

import pytest
from flask_migrate import upgrade

from companion.cli import exposed_secret_warning, is_loopback, serving_url
from companion.config import DEFAULT_SECRET, ROOT, Config
from companion.core.logs import JsonFormatter, configure_logging

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
QUESTION = "Comment associer les habitants du quartier Saint-Roch ?"


@SQLITE
def test_running_the_migrations_leaves_the_application_loggers_on(app):
    loggers = [logging.getLogger(n) for n in ("companion.core.http", "companion.access")]
    upgrade(directory=str(ROOT / "migrations"))
    assert [logger.disabled for logger in loggers] == [False, False]


@SQLITE
def test_one_info_line_per_request_and_event_without_personal_data(
    http, connect, people, first_session, caplog
):
    caplog.set_level(logging.INFO)
    joined = people.join(first_session.id, name="Claire Dupont-Secret")
    client = connect(joined["token"])
    client.ok("session.join", {"session_id": first_session.id})
    client.ok(
        "question.submit", {"session_id": first_session.id, "client_id": "c1", "text": QUESTION}
    )
    client.call("question.submit", {"session_id": first_session.id, "client_id": "c2"})
    info = [r for r in caplog.records if r.levelno >= logging.INFO]
    text = "\n".join(r.getMessage() for r in info)
    # People's data never reaches the log at INFO.
    for secret in (QUESTION, "attendee1@example.org", "Claire Dupont-Secret", joined["token"]):
        assert secret not in text
    access = [r for r in info if r.name == "companion.access"]
    assert [r.route for r in access] == [
        "/api/v1/events/<slug>/registrations",
        "/api/v1/sessions/<int:session_id>/join",
    ]
    assert access[1].session_id == first_session.id and access[1].status == 200
    events = [r for r in info if r.name == "companion.events"]
    assert [(r.event, r.outcome, r.session_id) for r in events] == [
        ("session.join", "ok", first_session.id),
        ("question.submit", "ok", first_session.id),
        ("question.submit", "invalid", first_session.id),
    ]
    assert all(r.duration_ms >= 0 for r in access + events)
    # The JSON format shows the same fields, one object per line.
    line = json.loads(JsonFormatter().format(events[1]))
    assert line["event"] == "question.submit" and line["session_id"] == first_session.id
    assert line["logger"] == "companion.events" and line["level"] == "INFO"
    assert "duration_ms" in line and QUESTION not in json.dumps(line)


def test_configure_logging_writes_json_lines():
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    try:
        configure_logging("json", stream=stream)
        logging.getLogger("companion.events").info(
            "poll.vote ok", extra={"event": "poll.vote", "outcome": "ok", "session_id": 3}
        )
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    line = json.loads(stream.getvalue().splitlines()[-1])
    assert line["message"] == "poll.vote ok" and line["session_id"] == 3
    with pytest.raises(ValueError):
        configure_logging("xml")


def test_the_development_secret_is_announced_loudly_off_loopback():
    config = Config(secret_key=DEFAULT_SECRET)
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.5"):
        assert is_loopback(host) and exposed_secret_warning(config, host) is None
    for host in ("0.0.0.0", "::", "192.0.2.4", "companion.example"):
        warning = exposed_secret_warning(config, host)
        assert warning and "COMPANION_SECRET_KEY" in warning, host
    assert exposed_secret_warning(Config(secret_key="a-real-long-random-secret"), "0.0.0.0") is None


def test_links_made_outside_a_request_point_where_the_server_listens(app):
    """A reminder has no request to take a host from: without COMPANION_PUBLIC_URL its links
    went to the configured port (5000) even when `serve --port 5099` was listening."""
    from companion.core.urls import public_base

    assert serving_url("0.0.0.0", 5099) == "http://127.0.0.1:5099"
    assert serving_url("192.0.2.4", 8080) == "http://192.0.2.4:8080"
    assert serving_url("::1", 8080) == "http://[::1]:8080"
    config = app.config["COMPANION"]
    if config.public_url:
        pytest.skip("a public URL is configured: it always wins")
    with app.app_context():
        app.config["COMPANION_SERVING_URL"] = serving_url("0.0.0.0", 5099)
        try:
            assert public_base() == "http://127.0.0.1:5099"
        finally:
            del app.config["COMPANION_SERVING_URL"]
        assert public_base() == f"http://127.0.0.1:{config.port}"


def test_a_server_freezes_its_start_up_objects_out_of_the_garbage_collector():
    # In a child process: freezing is for the life of a process, not for the test suite's.
    script = (
        "import gc; from companion.cli import tune_garbage_collector; "
        "before = gc.get_freeze_count(); tune_garbage_collector(); "
        "print(gc.get_threshold(), before, gc.get_freeze_count() > 10_000)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\n")[0]
    assert out == "(50000, 20, 20) 0 True"

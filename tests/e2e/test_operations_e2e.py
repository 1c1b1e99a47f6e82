"""Operations on real processes: /metrics scraped from two processes, JSON logs without PII."""

from __future__ import annotations

import json
import time

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.e2e

QUESTION = "Quel budget pour le tiers-lieu de Saint-Affrique en 2021 ?"


def scrape(server) -> tuple[str, dict]:
    """The process label and the samples of one process's /metrics."""
    response = requests.get(server.url + "/metrics", timeout=10)
    assert response.status_code == 200, response.text
    figures, processes = {}, set()
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            processes.add(sample.labels.pop("process"))
            figures[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    assert len(processes) == 1, processes
    return processes.pop(), figures


def events(figures: dict, event: str, outcome: str = "ok") -> float:
    key = ("companion_socket_events_total", (("event", event), ("outcome", outcome)))
    return figures.get(key, 0.0)


def test_two_processes_expose_their_own_moving_counters_and_log_json_without_pii(
    cluster_on, make_client
):
    one, two = cluster_on(COMPANION_LOG_FORMAT="json")
    (name_one, before_one), (name_two, before_two) = scrape(one), scrape(two)
    assert name_one != name_two  # per-process series: Prometheus sums them
    session_id = one.programme()["sessions"][0]["id"]
    slug = one.api("/events").json()["events"][0]["slug"]

    moderator = make_client(one, one.login())
    moderator.ok("session.join", {"session_id": session_id})
    moderator.ok("session.start", {"session_id": session_id})
    email = f"claire.secret.{time.monotonic_ns()}@example.org"
    registered = two.api(
        f"/events/{slug}/registrations",
        "POST",
        {"name": "Claire Secret", "email": email, "session_ids": [session_id]},
    )
    assert registered.status_code == 201, registered.text
    joined = two.api(
        f"/sessions/{session_id}/join", "POST", {"registration_token": registered.json()["token"]}
    )
    attendee = make_client(two, joined.json()["token"])
    attendee.ok("session.join", {"session_id": session_id})
    attendee.ok("question.submit", {"session_id": session_id, "client_id": "q-1", "text": QUESTION})
    assert attendee.call("poll.nothing", {})["error"]["code"] == "not_found"

    (_, after_one), (_, after_two) = scrape(one), scrape(two)
    assert events(after_one, "session.join") - events(before_one, "session.join") == 1
    assert events(after_one, "session.start") - events(before_one, "session.start") == 1
    assert events(after_two, "session.join") - events(before_two, "session.join") == 1
    assert events(after_two, "question.submit") - events(before_two, "question.submit") == 1
    assert events(after_two, "(unknown)", "not_found") == 1
    assert events(after_one, "question.submit") == 0  # each process counts its own
    for figures in (after_one, after_two):
        assert figures[("companion_connections", ())] >= 1
        assert ("companion_db_pool_in_use", ()) in figures
        assert ("companion_coalescer_lag_seconds", ()) in figures
    broadcast = ("companion_broadcasts_total", (("event", "session.updated"),))
    assert after_one.get(broadcast, 0) > before_one.get(broadcast, 0)

    # Scraping from elsewhere needs the token (a relayed request is not loopback).
    relayed = requests.get(
        one.url + "/metrics", headers={"X-Forwarded-For": "203.0.113.7"}, timeout=10
    )
    assert relayed.status_code == 403

    logs = one.output() + two.output()
    assert QUESTION not in logs and email not in logs and "Claire Secret" not in logs
    lines = [json.loads(line) for line in two.output().splitlines() if line.startswith("{")]
    submitted = [line for line in lines if line.get("event") == "question.submit"]
    assert submitted and submitted[0]["outcome"] == "ok"
    assert submitted[0]["session_id"] == session_id and submitted[0]["duration_ms"] >= 0
    requests_logged = [line for line in lines if line.get("kind") == "http"]
    assert any(
        line["route"] == "/api/v1/sessions/<int:session_id>/join" and line["status"] == 200
        for line in requests_logged
    )


def test_serve_on_sqlite_logs_its_requests_after_migrating(server):
    """`serve` on SQLite runs the migrations at start: they must not silence the log."""
    assert requests.get(server.url + "/api/v1/events", timeout=10).status_code == 200
    missing = requests.post(server.url + "/api/v1/sessions/4032039884534111010816/join", json={})
    assert missing.status_code == 404
    deadline = time.monotonic() + 5
    while "companion.access" not in server.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    lines = [line for line in server.output().splitlines() if "companion.access" in line]
    assert any("INFO companion.access: GET /api/v1/events 200" in line for line in lines), lines
    assert any("POST (unrouted) 404" in line for line in lines), lines


def test_a_socket_packet_that_does_not_decode_is_answered_invalid(server):
    """50,000 nested arrays, broken JSON, a 200-digit integer: each gets its ack, no trace."""
    import websocket

    token = server.login()
    ws = websocket.create_connection(
        server.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket", timeout=10
    )
    try:
        assert ws.recv().startswith("0")
        ws.send("40" + json.dumps({"token": token}))
        assert ws.recv().startswith("40")
        deep = "[" * 50_000 + "]" * 50_000
        bad = {
            "7": f'["session.join",{deep}]',
            "8": '["session.join",{"session_id":1',
            "9": '["session.join",{"session_id":' + "9" * 200 + "}]",
        }
        for ack_id, body in bad.items():
            ws.send("42" + ack_id + body)
            answer = ws.recv()
            while not answer.startswith("43"):  # skip broadcasts and pings
                answer = ws.recv()
            assert answer.startswith("43" + ack_id + "["), answer
            assert json.loads(answer[len("43" + ack_id) :])[0]["error"]["code"] == "invalid"
        ws.send('4210["session.join",{"session_id":1}]')
        answer = ws.recv()
        while not answer.startswith("4310"):
            answer = ws.recv()
        assert json.loads(answer[4:])[0]["ok"] is True  # the connection still serves
    finally:
        ws.close()
    assert "Traceback" not in server.output()

"""Edge protections on a real server: origins, message size, production settings."""

import subprocess
import sys
import time

import pytest
import requests
import socketio

from companion.config import ROOT
from tests.e2e.conftest import base_env

pytestmark = pytest.mark.e2e


def _connect(server, token, origin=None, transport="polling"):
    # Long-polling: the WebSocket client library adds an Origin header of its own.
    # (Browsers on the real pages connect over WebSocket from the own origin: see the browser tests.)
    client = socketio.Client(reconnection=False)
    headers = {"Origin": origin} if origin else {}
    try:
        client.connect(
            server.url,
            auth={"token": token},
            headers=headers,
            transports=[transport],
            wait_timeout=5,
        )
    except socketio.exceptions.ConnectionError:
        return None
    return client


def test_only_the_own_origin_is_accepted(server):
    token = server.login()
    assert _connect(server, token, origin="http://evil.example") is None
    own = _connect(server, token, origin=server.url)
    assert own is not None and own.connected
    own.disconnect()
    scripted = _connect(server, token)  # no Origin header: a script, not a browser
    assert scripted is not None
    scripted.disconnect()


def test_an_oversized_message_closes_that_socket_only(server, make_client):
    session = server.programme()["sessions"][0]
    token = server.login()
    victim = make_client(server, token)
    bystander = make_client(server, token)
    victim.sio.emit("session.join", {"session_id": session["id"], "pad": "x" * 2_000_000})
    deadline = time.monotonic() + 5
    while victim.sio.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not victim.sio.connected
    assert bystander.ok("session.join", {"session_id": session["id"]})["seq"] >= 0
    assert requests.get(server.url + "/healthz", timeout=5).status_code == 200


def test_production_without_a_secret_key_does_not_start(tmp_path):
    env = base_env(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    env.pop("COMPANION_SECRET_KEY")
    env["COMPANION_ENV"] = "production"
    result = subprocess.run(
        [sys.executable, "-m", "companion", "serve", "--port", "1"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "COMPANION_SECRET_KEY" in result.stderr


def test_rate_limits_are_shared_across_processes(cluster_on):
    one, two = cluster_on(COMPANION_RATE_LIMITS="on")
    programme = one.programme()
    session_id = programme["sessions"][0]["id"]
    from companion.security.ratelimit import LIMITS

    budget = LIMITS["registration"].amount
    statuses = []
    for index in range(budget + 2):
        server = (one, two)[index % 2]
        response = server.api(
            f"/events/{programme['slug']}/registrations",
            "POST",
            {"name": f"R{index}", "email": f"r{index}@example.org", "session_ids": [session_id]},
        )
        statuses.append(response.status_code)
    # One budget of registrations per address and minute, whichever process answers.
    assert statuses == [201] * budget + [429, 429]

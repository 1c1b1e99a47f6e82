"""Real server processes on loopback, real Socket.IO clients, a real Chromium.

``python -m companion serve`` runs exactly as in production (eventlet by default); tests talk to
it over HTTP and WebSocket only. The processes and databases come from ``bench.servers``, the
harness the bench uses too.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests
import socketio
from sqlalchemy import create_engine, text

from bench.servers import (
    Database,
    Server,
    companion_argv,
    free_port,
    run_command,
    without_companion_settings,
)
from tests.conftest import REDIS_URL, SECRET

DEMO_MODERATOR = ("moderateur@demo.companion", "demo-moderateur")
DEMO_FACILITATOR = ("animateur@demo.companion", "demo-animateur")
PG_ADMIN_URL = os.environ.get(
    "COMPANION_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
CHROMIUM = os.environ.get("COMPANION_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def base_env(database_url: str, **extra: str) -> dict[str, str]:
    env = without_companion_settings()
    env.update(
        COMPANION_DATABASE_URL=database_url,
        COMPANION_SECRET_KEY=SECRET,
        COMPANION_ASYNC_MODE=os.environ.get("COMPANION_TEST_ASYNC_MODE", "eventlet"),
        # Crowds of test clients come from one address; the rate-limit tests turn this back on.
        COMPANION_RATE_LIMITS="off",
        # Without an SMTP server, mails become .eml files: keep them out of the checkout.
        COMPANION_OUTBOX_DIR=str(Path(tempfile.gettempdir()) / "companion-e2e-outbox"),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


class ServerProcess(Server):
    """One ``python -m companion serve`` on a free loopback port, and what tests ask of it."""

    die_with_parent = False  # as before the harness was shared: tests run threads meanwhile

    def __init__(self, env: dict[str, str], log_path: Path):
        port = free_port()
        super().__init__(companion_argv(port), env, log_path, port)

    def start(self, timeout: float = 30.0) -> ServerProcess:
        super().start(timeout)
        return self

    # -- HTTP helpers -------------------------------------------------------------------

    def api(self, path: str, method: str = "GET", json=None, token: str | None = None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return requests.request(
            method, self.url + "/api/v1" + path, json=json, headers=headers, timeout=10
        )

    def login(self, who=DEMO_MODERATOR) -> str:
        response = self.api("/auth/login", "POST", {"email": who[0], "password": who[1]})
        assert response.status_code == 200, response.text
        return response.json()["token"]

    def programme(self) -> dict:
        slug = self.api("/events").json()["events"][0]["slug"]
        return self.api(f"/events/{slug}").json()

    def attendee(self, session_id: int, name: str = "Attendee") -> str:
        """Register for one session and join it; return the participant token."""
        slug = self.api("/events").json()["events"][0]["slug"]
        email = f"{name.lower().replace(' ', '.')}.{time.monotonic_ns()}@example.org"
        reg = self.api(
            f"/events/{slug}/registrations",
            "POST",
            {"name": name, "email": email, "session_ids": [session_id]},
        )
        assert reg.status_code == 201, reg.text
        joined = self.api(
            f"/sessions/{session_id}/join", "POST", {"registration_token": reg.json()["token"]}
        )
        assert joined.status_code == 200, joined.text
        return joined.json()["token"]


class LiveClient:
    """A real python-socketio client over WebSocket that records every broadcast."""

    def __init__(self, url: str, token: str):
        self.sio = socketio.Client(reconnection=False)
        self.events: list[tuple[float, str, dict]] = []
        self.lock = threading.Lock()
        self.sio.on("*", self._record)
        self.sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)

    def _record(self, event, data=None):
        with self.lock:
            self.events.append((time.monotonic(), event, data))

    def call(self, event: str, payload=None, timeout: float = 10) -> dict:
        return self.sio.call(event, payload, timeout=timeout)

    def ok(self, event: str, payload=None) -> dict:
        answer = self.call(event, payload)
        assert answer["ok"], answer
        return answer["data"]

    def named(self, name: str) -> list[dict]:
        with self.lock:
            return [data for _, event, data in self.events if event == name]

    def wait_for(self, predicate, timeout: float = 10.0):
        """Wait until ``predicate(events)`` returns something truthy, and return it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                found = predicate(list(self.events))
            if found:
                return found
            time.sleep(0.02)
        raise AssertionError(f"timed out; received {[e for _, e, _ in self.events][-20:]}")

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


@pytest.fixture
def make_client():
    clients: list[LiveClient] = []

    def _make(server: ServerProcess, token: str) -> LiveClient:
        client = LiveClient(server.url, token)
        clients.append(client)
        return client

    yield _make
    for client in clients:
        client.close()


@pytest.fixture
def demo_sqlite(tmp_path) -> str:
    """A fresh SQLite database with the demo programme and demo staff (``init-demo``)."""
    url = f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
    run_command(base_env(url), "init-demo")
    return url


@pytest.fixture
def server(demo_sqlite, tmp_path):
    """One Companion process on SQLite, the embedded default."""
    proc = ServerProcess(base_env(demo_sqlite), tmp_path / "server.log").start()
    yield proc
    proc.stop()


@pytest.fixture
def code_join_server(demo_sqlite, tmp_path):
    """The demo with joining by code allowed (the join panel shows only then)."""
    engine = create_engine(demo_sqlite)
    with engine.begin() as connection:
        connection.execute(text("UPDATE events SET code_join_allowed = 1"))
    engine.dispose()
    proc = ServerProcess(base_env(demo_sqlite), tmp_path / "server.log").start()
    yield proc
    proc.stop()


def fresh_postgres_database(name: str) -> str:
    """Drop and create database ``name``; return its SQLAlchemy URL."""
    database = Database(PG_ADMIN_URL, Path(tempfile.gettempdir()), name=name)
    database.create()
    return database.url


@pytest.fixture
def cluster_on(tmp_path):
    """Start two Companion processes sharing a fresh PostgreSQL database and ``redis_url``.

    Each cluster has its own database and Redis channel, so runs side by side never mix.
    """
    started: list[ServerProcess] = []
    databases: list[Database] = []

    def _start(redis_url: str = REDIS_URL, count: int = 2, **extra: str) -> list[ServerProcess]:
        name = f"companion_e2e_{uuid.uuid4().hex[:10]}"
        database = Database(PG_ADMIN_URL, tmp_path, name=name)
        databases.append(database)
        database.create()
        env = base_env(
            database.url,
            COMPANION_MESSAGE_QUEUE=redis_url,
            COMPANION_QUEUE_CHANNEL=name,
            **extra,
        )
        run_command(env, "db-upgrade")
        run_command(env, "init-demo")
        servers = [ServerProcess(env, tmp_path / f"{name}-{i}.log").start() for i in range(count)]
        started.extend(servers)
        return servers

    yield _start
    for proc in started:
        proc.stop()
    for database in databases:
        database.drop()


@pytest.fixture
def cluster(cluster_on):
    """Two Companion processes sharing PostgreSQL and the Redis message queue."""
    return cluster_on()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts; ``phone=True`` gives a 360 px wide screen,
    ``viewport`` another size."""
    contexts = []

    def _new(locale: str = "fr-FR", phone: bool = False, viewport: dict | None = None):
        options = {"locale": locale}
        if phone:
            options.update(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
        elif viewport:
            options.update(viewport=viewport)
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        # Confirmations say yes, unless a test answers them itself (remove_listener this one).
        page.accept_dialogs = lambda dialog: dialog.accept()
        page.on("dialog", page.accept_dialogs)
        return page

    yield _new
    for context in contexts:
        context.close()


def staff_login_in_browser(page, server: ServerProcess, who=DEMO_MODERATOR, next_path: str = "/"):
    """Log in through the login page, as a moderator would."""
    page.goto(f"{server.url}/login?next={next_path}")
    page.fill("#login-email", who[0])
    page.fill("#login-password", who[1])
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{server.url}{next_path}")


def open_attendee_page(page, server: ServerProcess, session_id: int, token: str) -> None:
    """The attendee's session page with its participant token stored, as after joining;
    returns once it is connected."""
    page.goto(server.url + "/")
    page.evaluate(
        "([key, token]) => localStorage.setItem(key, JSON.stringify(token))",
        [f"companion:participant:{session_id}", token],
    )
    page.goto(f"{server.url}/sessions/{session_id}")
    page.wait_for_selector("[data-conn-status][data-state='connected']")

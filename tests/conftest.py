"""Fixtures shared by the whole suite.

Every database test runs twice, on SQLite and on PostgreSQL (``COMPANION_TEST_DATABASES``
narrows it). Schemas are created by the migrations, once per run; each test then starts from
empty tables. Factories go through the public API and services, never raw inserts.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from flask import has_app_context
from sqlalchemy import create_engine, text

from companion import create_app
from companion.config import ROOT, Config
from companion.extensions import db, socketio
from companion.participants.tokens import actor_from_token

# By default each run creates (and drops) a database of its own through this server.
PG_ADMIN = os.environ.get(
    "COMPANION_TEST_PG_ADMIN_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"
)
# Or point the suite at one given database (its schema is reset at the start of the run).
PG_URL_OVERRIDE = os.environ.get("COMPANION_TEST_POSTGRES_URL")
DATABASES = [
    d for d in os.environ.get("COMPANION_TEST_DATABASES", "sqlite,postgresql").split(",") if d
]
# The Redis the suite's message-queue tests share (database 15: flushed freely).
REDIS_URL = os.environ.get("COMPANION_TEST_REDIS", "redis://127.0.0.1:6379/15")
DEMO_PROGRAMME = ROOT / "data" / "programme-innovation-sociale-2020.yaml"
SECRET = "test-secret-key-that-is-long-enough"


def redis_or_skip():
    """A client of the suite's Redis, or the test skipped when none answers."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis on " + REDIS_URL)
    return client


def make_config(database_url: str, **overrides) -> Config:
    config = Config(
        database_url=database_url,
        secret_key=SECRET,
        async_mode="threading",
        testing=True,
        sqlite_pool_size=5,
        rate_limits_enabled=False,
        password_hashing="fast",
    )
    for key, value in overrides.items():
        setattr(config, key, value)
    return config


def _upgrade(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app(make_config(url))
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_schema():
    """A PostgreSQL database of this test run's own, migrated once, dropped at the end.

    Its own database (not a shared one) lets several runs and xdist workers go side by side.
    """
    if PG_URL_OVERRIDE:
        engine = create_engine(PG_URL_OVERRIDE)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        _upgrade(PG_URL_OVERRIDE)
        yield PG_URL_OVERRIDE
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"companion_test_{worker}_{os.getpid()}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    _upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty_postgres(url: str) -> None:
    """Delete every row and restart the ids (DELETE is far quicker than TRUNCATE here)."""
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname='public' "
                "AND tablename <> 'alembic_version'"
            )
        ).scalars()
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # skip FK triggers
        for table in list(tables):
            conn.execute(text(f'DELETE FROM "{table}"'))
        for sequence in conn.execute(
            text("SELECT sequencename FROM pg_sequences WHERE schemaname='public'")
        ).scalars():
            conn.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
    engine.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request, tmp_path) -> str:
    """A migrated, empty database: SQLite (a copy of the template) or PostgreSQL (truncated)."""
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        target = tmp_path / "companion.sqlite3"
        shutil.copy(template, target)
        return f"sqlite:///{target}"
    url = request.getfixturevalue("postgres_schema")
    _empty_postgres(url)
    return url


@pytest.fixture
def config(database_url) -> Config:
    return make_config(database_url)


@pytest.fixture
def app(config):
    app = create_app(config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def http(app):
    return app.test_client()


@pytest.fixture
def event(app):
    """The seed's event, imported from the demo programme file."""
    from companion.programme import service

    imported = service.import_programme(DEMO_PROGRAMME.read_text(encoding="utf-8"))
    db.session.commit()
    return imported


@pytest.fixture
def first_session(event):
    return event.sessions[0]


def _staff(role: str) -> str:
    from companion.participants import service
    from companion.participants.tokens import staff_token

    staff = service.create_staff(f"{role}@example.org", "correct horse battery", role, role.title())
    db.session.commit()
    return staff_token(staff)


@pytest.fixture
def moderator_token(app) -> str:
    return _staff("moderator")


@pytest.fixture
def facilitator_token(app) -> str:
    return _staff("facilitator")


class People:
    """Register and join attendees through the HTTP API, as a browser would."""

    def __init__(self, http, event):
        self.http = http
        self.event = event
        self.count = 0

    def register(self, session_ids=None, name=None, **extra) -> dict:
        self.count += 1
        body = {
            "name": name or f"Attendee {self.count}",
            "email": f"attendee{self.count}@example.org",
            "organisation": "Commune de Test",
            "profile": "elu",
            "session_ids": session_ids or [s.id for s in self.event.sessions],
            **extra,
        }
        response = self.http.post(f"/api/v1/events/{self.event.slug}/registrations", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def join(self, session_id: int, name=None) -> dict:
        """Register for ``session_id`` and join it; return ``{token, participant}``."""
        registration = self.register([session_id], name=name)
        response = self.http.post(
            f"/api/v1/sessions/{session_id}/join",
            json={"registration_token": registration["token"]},
        )
        assert response.status_code == 200, response.get_json()
        return response.get_json()


@pytest.fixture
def people(http, event) -> People:
    return People(http, event)


class Attendee:
    """A participant joined through the HTTP API: its token and its Actor."""

    def __init__(self, token: str):
        self.token = token
        self.actor = actor_from_token(token)


@pytest.fixture
def join(people):
    """Join an attendee to a session: ``join(session_id, name=None) -> Attendee``."""

    def _join(session_id: int, name: str | None = None) -> Attendee:
        return Attendee(people.join(session_id, name=name)["token"])

    return _join


@pytest.fixture
def moderator(moderator_token):
    return actor_from_token(moderator_token)


class SocketClient:
    """A Flask-SocketIO test client that answers with the ack, as the contract defines it."""

    def __init__(self, app, token, headers=None):
        self.raw = socketio.test_client(app, auth={"token": token}, headers=headers)

    @property
    def connected(self) -> bool:
        return self.raw.is_connected()

    def call(self, event: str, payload=None) -> dict:
        answer = self.raw.emit(event, payload, callback=True)
        # The event ran in its own application context and database session, as on a server:
        # what the test's session loaded before may be stale now.
        if has_app_context():
            db.session.expire_all()
        return answer

    def ok(self, event: str, payload=None) -> dict:
        answer = self.call(event, payload)
        assert answer["ok"] is True, answer
        return answer["data"]

    def error(self, event: str, payload=None) -> str:
        answer = self.call(event, payload)
        assert answer["ok"] is False, answer
        return answer["error"]["code"]

    def received(self, name: str | None = None) -> list[dict]:
        """Return the broadcasts received since the last call (optionally only ``name``)."""
        got = self.raw.get_received()
        return [
            {"event": m["name"], "data": m["args"][0] if m["args"] else None}
            for m in got
            if name is None or m["name"] == name
        ]

    def disconnect(self) -> None:
        if self.connected:
            self.raw.disconnect()


@pytest.fixture
def connect(app):
    """Open Socket.IO test clients with a token; they are closed after the test."""
    clients = []

    def _connect(token, headers=None) -> SocketClient:
        client = SocketClient(app, token, headers)
        clients.append(client)
        return client

    yield _connect
    for client in clients:
        client.disconnect()

"""GET /metrics: who may scrape it, and the figures an operator reads."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from companion import create_app
from companion.core import metrics
from companion.extensions import db
from tests.conftest import make_config

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def scrape(http, **kwargs) -> dict[tuple, float]:
    response = http.get("/metrics", **kwargs)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    figures = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            assert sample.labels["process"] == metrics.PROCESS
            labels = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "process"))
            figures[(sample.name, labels)] = sample.value
    return figures


@SQLITE
def test_metrics_are_for_loopback_or_the_token_only(database_url):
    app = create_app(make_config(database_url, metrics_token="s3cret-metrics-token"))
    with app.app_context():
        http = app.test_client()
        assert http.get("/metrics").status_code == 200  # loopback
        refused = http.get("/metrics", environ_base=OUTSIDE)
        assert refused.status_code == 403
        assert refused.get_json()["error"]["code"] == "forbidden"
        # A proxy on this machine relays strangers: they are not loopback clients.
        assert http.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403
        good = {"Authorization": "Bearer s3cret-metrics-token"}
        assert http.get("/metrics", environ_base=OUTSIDE, headers=good).status_code == 200
        bad = {"Authorization": "Bearer wrong"}
        assert http.get("/metrics", environ_base=OUTSIDE, headers=bad).status_code == 403
        db.session.remove()
        db.engine.dispose()


@SQLITE
def test_event_counters_latency_broadcasts_and_gauges_move(
    http, connect, people, first_session, moderator_token
):
    before = scrape(http)
    moderator = connect(moderator_token)
    moderator.ok("session.join", {"session_id": first_session.id})
    attendee = connect(people.join(first_session.id)["token"])
    attendee.ok("session.join", {"session_id": first_session.id})
    moderator.ok("session.start", {"session_id": first_session.id})
    assert attendee.call("nope.nothing", {})["error"]["code"] == "not_found"
    assert attendee.error("session.start", {"session_id": first_session.id}) == "forbidden"
    after = scrape(http)

    def moved(name, **labels):
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert moved("companion_socket_events_total", event="session.join", outcome="ok") == 2
    assert moved("companion_socket_events_total", event="session.start", outcome="ok") == 1
    assert moved("companion_socket_events_total", event="session.start", outcome="forbidden") == 1
    assert moved("companion_socket_events_total", event="(unknown)", outcome="not_found") == 1
    assert moved("companion_ack_latency_seconds_count", event="session.join") == 2
    assert moved("companion_broadcasts_total", event="session.updated") >= 1
    assert (
        moved(
            "companion_http_requests_total",
            method="POST",
            route="/api/v1/sessions/<int:session_id>/join",
            status="200",
        )
        == 1
    )
    assert after[("companion_connections", ())] >= 2
    assert ("companion_db_pool_in_use", ()) in after
    assert ("companion_coalescer_lag_seconds", ()) in after
    assert ("companion_db_pool_waits_total", ()) in after


@SQLITE
def test_another_package_adds_a_gauge_in_one_line(http):
    metrics.register_gauge("companion_test_backlog", "Rows waiting.", lambda: 7)
    metrics.register_gauge(
        "companion_test_by_kind", "By kind.", lambda: {("mail",): 2.0}, labels=("kind",)
    )
    metrics.register_gauge("companion_test_broken", "Broken.", lambda: 1 / 0)
    try:
        figures = scrape(http)
    finally:
        for name in ("companion_test_backlog", "companion_test_by_kind", "companion_test_broken"):
            metrics._callbacks._gauges.pop(name, None)
    assert figures[("companion_test_backlog", ())] == 7
    assert figures[("companion_test_by_kind", (("kind", "mail"),))] == 2
    assert not any(name == "companion_test_broken" for name, _ in figures)


@SQLITE
def test_the_outbox_backlog_is_a_gauge(http, event):
    before = scrape(http)[("companion_outbox_backlog", ())]
    registered = http.post(
        f"/api/v1/events/{event.slug}/registrations",
        json={
            "name": "Jeanne",
            "email": "jeanne@example.org",
            "session_ids": [event.sessions[0].id],
        },
    )
    assert registered.status_code == 201
    assert scrape(http)[("companion_outbox_backlog", ())] == before + 1


def test_pool_waits_are_counted():
    from sqlalchemy import create_engine, text

    engine = create_engine(
        "sqlite://",
        poolclass=metrics.MeteredQueuePool,
        pool_size=1,
        max_overflow=0,
        pool_timeout=0.05,
    )
    before = metrics.DB_POOL_WAITS._value.get()
    held = engine.connect()
    with pytest.raises(Exception, match="QueuePool limit"):
        engine.connect()
    held.close()
    with engine.connect() as conn:
        assert conn.execute(text("select 1")).scalar() == 1
    assert metrics.DB_POOL_WAITS._value.get() == before + 1
    assert metrics.DB_POOL_TIMEOUTS._value.get() >= 1
    engine.dispose()

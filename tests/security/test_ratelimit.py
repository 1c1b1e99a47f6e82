"""Rate limits answer rate_limited and change nothing."""

import pytest
from limits import parse
from sqlalchemy import func, select

from companion import create_app
from companion.extensions import db
from companion.participants.models import Registration
from companion.security import ratelimit
from tests.conftest import DEMO_PROGRAMME, make_config


@pytest.fixture
def limited_app(database_url):
    app = create_app(make_config(database_url, rate_limits_enabled=True))
    with app.app_context():
        from companion.programme import service

        service.import_programme(DEMO_PROGRAMME.read_text(encoding="utf-8"))
        db.session.commit()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_registrations_per_address_are_limited(limited_app):
    http = limited_app.test_client()
    event = http.get("/api/v1/events").get_json()["events"][0]
    session_id = http.get(f"/api/v1/events/{event['slug']}").get_json()["sessions"][0]["id"]
    budget = ratelimit.LIMITS["registration"].amount
    statuses = []
    for index in range(budget + 2):
        response = http.post(
            f"/api/v1/events/{event['slug']}/registrations",
            json={
                "name": f"P{index}",
                "email": f"p{index}@example.org",
                "session_ids": [session_id],
            },
        )
        statuses.append(response.status_code)
    assert statuses == [201] * budget + [429, 429]
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert db.session.scalar(select(func.count()).select_from(Registration)) == budget


def test_attendee_socket_events_are_limited_staff_are_not(limited_app, monkeypatch):
    from companion.extensions import socketio
    from companion.participants import service as people
    from companion.participants.schemas import JoinIn, RegistrationIn
    from companion.participants.tokens import participant_token, registration_token, staff_token
    from companion.programme.models import Event

    monkeypatch.setitem(ratelimit.LIMITS, "event", parse("3/minute"))
    event = db.session.scalar(select(Event))
    session = event.sessions[0]
    registration = people.register(
        event, RegistrationIn(name="A", email="a@example.org", session_ids=[session.id])
    )
    participant = people.join_session(
        session, JoinIn(registration_token=registration_token(registration))
    )
    staff = people.create_staff("m@example.org", "long enough pw", "moderator")
    db.session.commit()
    attendee = socketio.test_client(limited_app, auth={"token": participant_token(participant)})
    answers = [
        attendee.emit("session.join", {"session_id": session.id}, callback=True) for _ in range(4)
    ]
    assert [a["ok"] for a in answers] == [True, True, True, False]
    assert answers[-1]["error"]["code"] == "rate_limited"
    moderator = socketio.test_client(limited_app, auth={"token": staff_token(staff)})
    for _ in range(5):
        assert moderator.emit("session.join", {"session_id": session.id}, callback=True)["ok"]


def test_buckets_are_declared_where_the_event_is_and_exist():
    """One place: an event names its bucket in socket_event; the budget sits in LIMITS."""
    from companion.app import import_domains
    from companion.realtime.dispatcher import EVENTS

    import_domains()
    declared = {name: spec.rate_limit for name, spec in EVENTS.items() if spec.rate_limit}
    assert set(declared.values()) <= set(ratelimit.LIMITS), declared
    # The contributions and votes of attendees each spend their own bucket.
    assert declared["question.submit"] == declared["floor.request"] == "contribution"
    assert declared["poll.vote"] == declared["question.upvote"] == "vote"
    assert declared["question.unvote"] == "vote"
    assert not hasattr(ratelimit, "EVENT_BUCKETS")

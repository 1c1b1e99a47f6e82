"""Each event declares its permission and scope; the dispatcher checks them before the handler.

An attendee of one session sending any scoped event about another session is answered
``forbidden`` and the handler never runs — whatever the handler or its service would check.
"""

import dataclasses

import pytest

from companion.app import import_domains
from companion.core import scopes
from companion.core.http import ROUTES
from companion.core.permissions import ATTEND, CONTRIBUTE, MODERATE, PERMISSIONS, WATCH
from companion.realtime.dispatcher import EVENTS

import_domains()

SCOPED = sorted(name for name, spec in EVENTS.items() if spec.scope)
#: What an attendee may send somewhere, with a valid payload for an object of ``other``.
ATTENDEE_PAYLOADS = {
    "session.join": lambda other: {"session_id": other.session_id},
    "session.leave": lambda other: {"session_id": other.session_id},
    "poll.vote": lambda other: {
        "poll_id": other.poll_id,
        "client_id": "c-vote",
        "answer": {"option_id": other.option_id},
    },
    "question.submit": lambda other: {
        "session_id": other.session_id,
        "client_id": "c-question",
        "text": "Une question sur la session d'à côté ?",
    },
    "question.upvote": lambda other: {"question_id": other.question_id},
    "question.unvote": lambda other: {"question_id": other.question_id},
    "floor.request": lambda other: {
        "session_id": other.session_id,
        "client_id": "c-floor",
        "kind": "contribution",
    },
    "floor.withdraw": lambda other: {"request_id": other.request_id},
}


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_every_event_declares_a_permission_and_a_resolvable_scope(name):
    spec = EVENTS[name]
    assert spec.permission in PERMISSIONS, name
    if spec.scope is not None:
        assert spec.scope in spec.schema.model_fields, name
        assert spec.scope in scopes.known_scopes(), name


def test_only_moderator_events_go_without_a_scope():
    """An event open to attendees must say which session it is about."""
    unscoped = {name for name, spec in EVENTS.items() if spec.scope is None}
    assert all(EVENTS[name].permission == MODERATE for name in unscoped), unscoped


def test_every_attendee_event_is_exercised_below():
    attendee_events = {
        name for name, spec in EVENTS.items() if spec.permission in (ATTEND, CONTRIBUTE, WATCH)
    }
    assert attendee_events == set(ATTENDEE_PAYLOADS)


def test_every_protected_route_scope_is_resolvable():
    for route in ROUTES:
        assert route.permission is None or route.permission in PERMISSIONS, route.path
        if route.scope is not None:
            assert route.scope in scopes.known_scopes(), route.path


@dataclasses.dataclass
class Other:
    """Objects of the second session, made through the public events."""

    session_id: int
    poll_id: int
    option_id: int
    question_id: int
    request_id: int


@pytest.fixture
def other(connect, people, event, moderator_token) -> Other:
    session = event.sessions[1]
    moderator = connect(moderator_token)
    moderator.ok("session.start", {"session_id": session.id})
    poll = moderator.ok(
        "poll.create",
        {"session_id": session.id, "kind": "single", "question": "Oui ?", "options": ["a", "b"]},
    )["poll"]
    moderator.ok("poll.open", {"poll_id": poll["id"]})
    there = connect(people.join(session.id)["token"])
    question = there.ok(
        "question.submit", {"session_id": session.id, "client_id": "q1", "text": "Là-bas ?"}
    )
    request = there.ok(
        "floor.request", {"session_id": session.id, "client_id": "f1", "kind": "question"}
    )
    return Other(
        session_id=session.id,
        poll_id=poll["id"],
        option_id=poll["options"][0]["id"],
        question_id=question["question"]["id"],
        request_id=request["request_id"],
    )


def _spy(monkeypatch, name) -> list:
    """Stand a recorder in for the handler of ``name``; return the calls it saw."""
    calls = []
    spec = EVENTS[name]
    fake = (
        (lambda actor, payload, target=None: calls.append(actor) or {})
        if spec.wants_target
        else (lambda actor, payload: calls.append(actor) or {})
    )
    monkeypatch.setitem(EVENTS, name, dataclasses.replace(spec, handler=fake))
    return calls


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("name", SCOPED)
def test_an_attendee_sending_an_event_about_another_session_is_refused_unhandled(
    monkeypatch, connect, people, first_session, other, name
):
    attendee = connect(people.join(first_session.id)["token"])
    spec = EVENTS[name]
    if name in ATTENDEE_PAYLOADS:
        payload = ATTENDEE_PAYLOADS[name](other)
    else:  # a moderator's event: refused on the role, before the payload is read
        payload = {spec.scope: getattr(other, spec.scope)}
    calls = _spy(monkeypatch, name)
    answer = attendee.call(name, payload)
    assert answer["ok"] is False and answer["error"]["code"] == "forbidden", (name, answer)
    assert calls == [], name
    if name in ATTENDEE_PAYLOADS:
        # The same payload from an attendee of that session reaches the handler: the refusal
        # above came from the scope, not from a payload the schema rejects.
        insider = connect(people.join(other.session_id)["token"])
        assert insider.call(name, payload)["ok"] is True, name
        assert len(calls) == 1, name


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_missing_object_is_not_found_for_a_moderator_and_forbidden_for_an_attendee(
    connect, people, first_session, moderator_token
):
    moderator = connect(moderator_token)
    attendee = connect(people.join(first_session.id)["token"])
    assert moderator.error("poll.open", {"poll_id": 987654}) == "not_found"
    assert attendee.error("poll.open", {"poll_id": 987654}) == "forbidden"
    vote = {"poll_id": 987654, "client_id": "x", "answer": {"option_id": 1}}
    assert attendee.error("poll.vote", vote) == "not_found"


CONTRIBUTIONS = sorted(name for name, spec in EVENTS.items() if spec.permission == CONTRIBUTE)


def test_the_room_s_contributions_are_declared_for_attendees_only():
    assert CONTRIBUTIONS == [
        "floor.request",
        "poll.vote",
        "question.submit",
        "question.unvote",
        "question.upvote",
    ]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("name", CONTRIBUTIONS)
def test_staff_never_vote_ask_upvote_or_raise_a_hand(
    monkeypatch, connect, moderator_token, other, name
):
    """Refused at the edge, on the role: no service has to remember that staff do not count."""
    moderator = connect(moderator_token)
    calls = _spy(monkeypatch, name)
    answer = moderator.call(name, ATTENDEE_PAYLOADS[name](other))
    assert answer["ok"] is False and answer["error"]["code"] == "forbidden", (name, answer)
    assert calls == [], name

"""Actors cached per process: no query for a known token, every revocation refused at once."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from companion.core import identity
from companion.core.actor_cache import ActorCache
from companion.core.actors import Actor
from companion.core.errors import Forbidden, Unauthorized
from companion.core.tokens import TokenClaims
from companion.extensions import db
from companion.participants import service
from companion.participants.models import Participant, StaffUser
from companion.realtime import revocation
from companion.summaries.retention import purge_event


@pytest.fixture
def statements(app):
    """The SQL statements run while the test reads ``statements`` (a list, appended to)."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args):
        seen.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    sa_event.remove(db.engine, "before_cursor_execute", record)


def _auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _speaker_with_a_session(event):
    for session in event.sessions:
        for item in session.agenda:
            if item.speakers:
                return item.speakers[0], session
    raise AssertionError("the demo programme names no speaker")


# ---------------------------------------------------------------- the cache itself


def test_a_second_lookup_makes_no_query(people, first_session, statements):
    claims = identity.signer().verify(people.join(first_session.id)["token"])
    db.session.expire_all()
    statements.clear()
    first = identity.actor_for(claims)
    assert any("participants" in s for s in statements)
    statements.clear()
    assert identity.actor_for(claims) is first
    assert statements == []


def test_the_second_event_of_a_connection_does_not_load_its_participant(
    connect, people, first_session, statements
):
    attendee = connect(people.join(first_session.id)["token"])
    attendee.ok("session.join", {"session_id": first_session.id})
    statements.clear()
    attendee.ok("session.join", {"session_id": first_session.id})
    assert not [s for s in statements if "FROM participants" in s]


def test_the_cache_is_bounded_and_checks_the_token_version():
    cache = ActorCache(trusted=True, max_entries=2)
    actors = {i: Actor(kind="staff", id=i, name=f"S{i}", role="moderator") for i in (1, 2, 3)}
    for i, actor in actors.items():
        cache.put(TokenClaims("staff", i, 0), actor, cache.generation)
    assert len(cache) == 2
    assert cache.get(TokenClaims("staff", 1, 0)) is None  # the least recently used went
    assert cache.get(TokenClaims("staff", 3, 0)) is actors[3]
    assert cache.get(TokenClaims("staff", 3, 1)) is None  # another version: loaded afresh


def test_a_load_overtaken_by_an_eviction_is_not_kept():
    cache = ActorCache(trusted=True)
    claims = TokenClaims("participant", 7, 0)
    generation = cache.generation
    cache.evict([("participant", 7)])  # committed while the load was reading the old row
    cache.put(claims, Actor(kind="participant", id=7, name="Old", role="attendee"), generation)
    assert cache.get(claims) is None


def test_an_untrusted_cache_serves_nothing_and_keeps_nothing():
    cache = ActorCache(trusted=True)
    claims = TokenClaims("staff", 1, 0)
    cache.put(claims, Actor(kind="staff", id=1, name="S", role="moderator"), cache.generation)
    cache.trust(False)
    assert cache.get(claims) is None
    cache.put(claims, Actor(kind="staff", id=1, name="S", role="moderator"), cache.generation)
    assert len(cache) == 0


# ---------------------------------------------------------------- each revocation, at once


def test_a_removed_registration_closes_its_participants_sockets(
    http, connect, people, first_session, facilitator_token
):
    joined = people.join(first_session.id)
    attendee = connect(joined["token"])
    attendee.ok("session.join", {"session_id": first_session.id})
    registration_id = db.session.scalar(
        select(Participant.registration_id).where(Participant.id == joined["participant"]["id"])
    )
    response = http.delete(
        f"/api/v1/registrations/{registration_id}", headers=_auth(facilitator_token)
    )
    assert response.status_code in (200, 204), response.get_json()
    assert not attendee.connected
    with pytest.raises(Unauthorized):
        identity.actor_from_token(joined["token"])


def test_a_revoked_account_and_a_logout_are_refused_at_once(
    http, connect, first_session, moderator_token, facilitator_token
):
    moderator = connect(moderator_token)
    moderator.ok("session.join", {"session_id": first_session.id})
    moderator_id = identity.actor_from_token(moderator_token).id
    response = http.delete(f"/api/v1/staff/{moderator_id}", headers=_auth(facilitator_token))
    assert response.status_code == 200, response.get_json()
    assert not moderator.connected
    assert http.get("/api/v1/auth/me", headers=_auth(moderator_token)).status_code == 401

    facilitator = connect(facilitator_token)
    facilitator.ok("session.join", {"session_id": first_session.id})
    assert http.post("/api/v1/auth/logout", headers=_auth(facilitator_token)).status_code == 200
    assert not facilitator.connected
    assert http.get("/api/v1/auth/me", headers=_auth(facilitator_token)).status_code == 401


def test_a_new_role_is_seen_at_the_next_request(http, connect, moderator_token, facilitator_token):
    assert http.get("/api/v1/auth/me", headers=_auth(moderator_token)).get_json()["role"] == (
        "moderator"
    )
    moderator_id = identity.actor_from_token(moderator_token).id
    response = http.patch(
        f"/api/v1/staff/{moderator_id}",
        json={"role": "facilitator"},
        headers=_auth(facilitator_token),
    )
    assert response.status_code == 200, response.get_json()
    me = http.get("/api/v1/auth/me", headers=_auth(moderator_token)).get_json()
    assert me["role"] == "facilitator"
    # The command line's create-staff sets a role too.
    service.create_staff("moderator@example.org", "correct horse battery", "moderator")
    db.session.commit()
    assert identity.actor_from_token(moderator_token).role == "moderator"


def test_a_reissued_speaker_link_closes_the_old_one(http, app, connect, event, facilitator_token):
    speaker, session = _speaker_with_a_session(event)

    def issue() -> str:
        response = http.post(
            f"/api/v1/speakers/{speaker.id}/link", headers=_auth(facilitator_token)
        )
        assert response.status_code == 200, response.get_json()
        return response.get_json()["token"]

    old = issue()
    viewer = connect(old)
    viewer.ok("session.join", {"session_id": session.id})
    new = issue()
    assert not viewer.connected
    assert not connect(old).connected
    assert connect(new).connected


def test_a_renamed_speaker_is_named_afresh(http, connect, event, facilitator_token):
    speaker, _ = _speaker_with_a_session(event)
    response = http.post(f"/api/v1/speakers/{speaker.id}/link", headers=_auth(facilitator_token))
    token = response.get_json()["token"]
    assert identity.actor_from_token(token).name == speaker.name
    response = http.patch(
        f"/api/v1/speakers/{speaker.id}", json={"name": "Renamed"}, headers=_auth(facilitator_token)
    )
    assert response.status_code == 200, response.get_json()
    assert identity.actor_from_token(token).name == "Renamed"


def test_a_purge_empties_the_cache(app, event, people, first_session):
    token = people.join(first_session.id)["token"]
    identity.actor_from_token(token)
    assert len(identity.actor_cache()) == 1
    purge_event(event, force=True)
    db.session.commit()
    assert len(identity.actor_cache()) == 0
    with pytest.raises(Unauthorized):
        identity.actor_from_token(token)


def test_nothing_is_evicted_when_the_change_rolls_back(app, moderator_token):
    actor = identity.actor_from_token(moderator_token)
    staff = db.session.get(StaffUser, actor.id)
    staff.role = "facilitator"
    revocation.revoke([("staff", staff.id)], disconnect=False)
    db.session.rollback()
    assert len(identity.actor_cache()) == 1


def test_another_process_announcement_evicts_and_disconnects(app, connect, people, first_session):
    joined = people.join(first_session.id)
    attendee = connect(joined["token"])
    attendee.ok("session.join", {"session_id": first_session.id})
    participant = db.session.get(Participant, joined["participant"]["id"])
    participant.banned_at = participant.joined_at
    db.session.commit()
    message = {"subjects": [["participant", participant.id]], "disconnect": True, "origin": "B"}
    revocation.listener._handle(app, json.dumps(message).encode())
    assert not attendee.connected
    with pytest.raises(Forbidden):
        identity.actor_from_token(joined["token"])

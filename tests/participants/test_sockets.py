"""Removing a participant: their token stops working at once, on open connections too."""

import json

from sqlalchemy import select

from companion.extensions import db
from companion.participants.models import Participant
from companion.realtime import revocation


def _participant(pid) -> Participant:
    db.session.expire_all()
    return db.session.scalars(select(Participant).where(Participant.id == pid)).one()


def test_removed_participant_is_cut_off_at_once(connect, people, first_session, moderator_token):
    joined = people.join(first_session.id, name="Troll")
    attendee = connect(joined["token"])
    attendee.ok("session.join", {"session_id": first_session.id})
    moderator = connect(moderator_token)
    moderator.ok("session.join", {"session_id": first_session.id})
    data = moderator.ok(
        "participant.remove",
        {"session_id": first_session.id, "participant_id": joined["participant"]["id"]},
    )
    assert data["removed"] is True
    assert _participant(joined["participant"]["id"]).banned_at is not None
    # Their socket was closed; a new one with the same token is refused.
    assert not attendee.connected
    assert not connect(joined["token"]).connected
    staff_view = [m["event"] for m in moderator.received()]
    assert "participant.removed" in staff_view


def test_open_connection_of_a_removed_participant_can_do_nothing(
    app, connect, people, first_session
):
    joined = people.join(first_session.id)
    attendee = connect(joined["token"])
    attendee.ok("session.join", {"session_id": first_session.id})
    # Removed by a moderator connected to another process, whose announcement reaches this one.
    participant = _participant(joined["participant"]["id"])
    participant.banned_at = participant.joined_at
    participant.token_version += 1
    db.session.commit()
    message = {"subjects": [["participant", participant.id]], "disconnect": True, "origin": "B"}
    revocation.listener._handle(app, json.dumps(message).encode())
    assert not attendee.connected
    assert not connect(joined["token"]).connected


def test_attendees_cannot_remove_anyone(connect, people, first_session):
    victim = people.join(first_session.id)
    attendee = connect(people.join(first_session.id)["token"])
    code = attendee.error(
        "participant.remove",
        {"session_id": first_session.id, "participant_id": victim["participant"]["id"]},
    )
    assert code == "forbidden"
    assert _participant(victim["participant"]["id"]).banned_at is None


def test_removing_someone_of_another_session_is_not_found(connect, people, event, moderator_token):
    other = people.join(event.sessions[1].id)
    moderator = connect(moderator_token)
    code = moderator.error(
        "participant.remove",
        {"session_id": event.sessions[0].id, "participant_id": other["participant"]["id"]},
    )
    assert code == "not_found"
    assert _participant(other["participant"]["id"]).banned_at is None

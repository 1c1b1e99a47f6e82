"""projector.show: a moderator chooses what every projector shows; it follows with seq."""

from companion.extensions import db
from companion.programme.models import LiveSession


def _draft(mod, session_id):
    return mod.ok(
        "poll.create",
        {"session_id": session_id, "kind": "single", "question": "Oui ?", "options": ["a", "b"]},
    )["poll"]


def test_every_projector_follows_the_moderators_choice(moderator_token, first_session, connect):
    mod = connect(moderator_token)
    projector = connect(moderator_token)
    for c in (mod, projector):
        snap = c.ok("session.join", {"session_id": first_session.id})["snapshot"]
    assert snap["projector"]["mode"] == "auto"
    poll = _draft(mod, first_session.id)
    mod.ok("poll.open", {"poll_id": poll["id"]})
    mod.ok("poll.close", {"poll_id": poll["id"]})
    projector.received()
    data = mod.ok(
        "projector.show", {"session_id": first_session.id, "mode": "poll", "poll_id": poll["id"]}
    )
    assert data["projector"]["mode"] == "poll" and data["projector"]["poll_id"] == poll["id"]
    [update] = projector.received("projector.updated")
    assert update["data"]["projector"]["poll_id"] == poll["id"]
    assert isinstance(update["data"]["seq"], int)
    # A projector that reconnects replays the choice from its seq.
    late = connect(moderator_token)
    replay = late.ok(
        "session.join", {"session_id": first_session.id, "since_seq": update["data"]["seq"] - 1}
    )
    assert [e["event"] for e in replay["events"]] == ["projector.updated"]
    mod.ok("projector.show", {"session_id": first_session.id, "mode": "agenda"})
    fresh = connect(moderator_token).ok("session.join", {"session_id": first_session.id})
    assert fresh["snapshot"]["projector"]["mode"] == "agenda"
    assert fresh["snapshot"]["projector"]["poll_id"] is None


def test_attendees_never_see_the_projector_choice(moderator_token, first_session, connect, people):
    mod = connect(moderator_token)
    mod.ok("session.join", {"session_id": first_session.id})
    attendee = connect(people.join(first_session.id)["token"])
    snap = attendee.ok("session.join", {"session_id": first_session.id})["snapshot"]
    assert snap["projector"] is None
    attendee.received()
    mod.ok("projector.show", {"session_id": first_session.id, "mode": "timer"})
    assert attendee.received("projector.updated") == []
    assert attendee.error("projector.show", {"session_id": first_session.id, "mode": "auto"}) == (
        "forbidden"
    )


def test_bad_choices_are_refused_and_change_nothing(moderator_token, event, connect):
    first, second = event.sessions[0], event.sessions[1]
    mod = connect(moderator_token)
    mod.ok("session.join", {"session_id": first.id})
    draft = _draft(mod, first.id)
    mod.ok("session.join", {"session_id": second.id})
    other = _draft(mod, second.id)
    mod.ok("poll.open", {"poll_id": other["id"]})
    seq = db.session.get(LiveSession, first.id).seq
    sid = first.id
    assert mod.error("projector.show", {"session_id": sid, "mode": "poll"}) == "invalid"
    assert mod.error(
        "projector.show", {"session_id": sid, "mode": "poll", "poll_id": draft["id"]}
    ) == ("conflict")
    assert mod.error(
        "projector.show", {"session_id": sid, "mode": "poll", "poll_id": other["id"]}
    ) == ("invalid")
    assert mod.error("projector.show", {"session_id": sid, "mode": "disco"}) == "invalid"
    assert mod.error("projector.show", {"session_id": sid, "mode": "auto", "x": 1}) == "invalid"
    assert mod.error("projector.show", {"session_id": 999999, "mode": "auto"}) == "not_found"
    # The seed's event does not allow joining with a code: no join panel.
    assert not first.event.code_join_allowed
    assert mod.error("projector.show", {"session_id": sid, "mode": "join"}) == "conflict"
    db.session.expire_all()
    session = db.session.get(LiveSession, sid)
    assert session.seq == seq
    assert "projector" not in (session.settings or {})


def test_the_join_panel_shows_code_and_address_when_code_join_is_allowed(
    moderator_token, first_session, connect
):
    first_session.event.code_join_allowed = True
    db.session.commit()
    mod = connect(moderator_token)
    mod.ok("session.join", {"session_id": first_session.id})
    data = mod.ok("projector.show", {"session_id": first_session.id, "mode": "join"})
    join = data["projector"]["join"]
    assert join["allowed"] is True
    assert join["code"] == first_session.join_code
    assert join["url"].endswith(f"/join/{first_session.join_code}")


def test_an_unknown_event_is_answered_not_found(moderator_token, first_session, connect):
    mod = connect(moderator_token)
    answer = mod.call("session.teleport", {"session_id": first_session.id})
    assert answer["ok"] is False and answer["error"]["code"] == "not_found"
    assert mod.connected

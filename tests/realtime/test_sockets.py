"""The live spine over Socket.IO: connect, join, seq, replay, the dispatcher's refusals."""

import dataclasses
import json
import time

import pytest
from flask import has_request_context
from flask_socketio import SocketIO  # noqa: F401  (the test client comes from it)
from sqlalchemy import select

from companion.app import select_locale
from companion.core import origin
from companion.core.urls import public_base
from companion.extensions import db, socketio
from companion.programme.models import LiveSession
from companion.realtime import hub
from companion.realtime.connections import connections
from companion.realtime.dispatcher import EVENTS, current_sid
from companion.realtime.models import SessionBroadcast


def _session(session_id) -> LiveSession:
    db.session.expire_all()
    return db.session.scalars(select(LiveSession).where(LiveSession.id == session_id)).one()


def test_bad_tokens_are_refused_at_connect(connect, app):
    for token in (None, "", "garbage", "x" * 600):
        client = connect(token)
        assert not client.connected


def test_expired_token_is_refused(app, connect, people, first_session, monkeypatch):
    joined = people.join(first_session.id)
    signer = app.extensions["companion_tokens"]
    monkeypatch.setitem(signer._max_age, "participant", -1)
    assert not connect(joined["token"]).connected


def test_registration_token_cannot_connect(connect, people, first_session):
    registration = people.register([first_session.id])
    assert not connect(registration["token"]).connected


def test_join_answers_a_snapshot(connect, people, first_session):
    joined = people.join(first_session.id, name="Léa")
    client = connect(joined["token"])
    data = client.ok("session.join", {"session_id": first_session.id})
    snapshot = data["snapshot"]
    assert {"session", "agenda", "presence"} <= set(snapshot)
    assert snapshot["session"]["id"] == first_session.id
    assert snapshot["session"]["starts_at"] == "2020-06-30T10:00:00+02:00"
    assert len(snapshot["agenda"]) == len(first_session.agenda)
    assert data["seq"] == 0


def test_attendee_cannot_join_another_session(connect, people, event):
    joined = people.join(event.sessions[0].id)
    client = connect(joined["token"])
    assert client.error("session.join", {"session_id": event.sessions[1].id}) == "forbidden"


def test_moderator_advances_the_agenda_and_attendees_see_it_with_seq(
    connect, people, first_session, moderator_token
):
    attendee = connect(people.join(first_session.id)["token"])
    attendee.ok("session.join", {"session_id": first_session.id})
    moderator = connect(moderator_token)
    moderator.ok("session.join", {"session_id": first_session.id})
    attendee.received()
    item = first_session.agenda[3]
    moderator.ok("session.start", {"session_id": first_session.id})
    moderator.ok("agenda.advance", {"session_id": first_session.id, "agenda_item_id": item.id})
    got = [m for m in attendee.received() if m["event"] in ("session.updated", "agenda.updated")]
    assert [m["event"] for m in got] == ["session.updated", "agenda.updated"]
    seqs = [m["data"]["seq"] for m in got]
    assert seqs == sorted(seqs) and seqs[0] >= 1
    assert got[-1]["data"]["agenda_item_id"] == item.id
    assert _session(first_session.id).current_agenda_item_id == item.id


def test_replay_since_seq_returns_every_missed_change_in_order(
    connect, people, first_session, moderator_token
):
    moderator = connect(moderator_token)
    moderator.ok("session.start", {"session_id": first_session.id})
    token = people.join(first_session.id)["token"]
    attendee = connect(token)
    seq = attendee.ok("session.join", {"session_id": first_session.id})["seq"]
    attendee.disconnect()
    for item in first_session.agenda[1:4]:
        moderator.ok("agenda.advance", {"session_id": first_session.id, "agenda_item_id": item.id})
    again = connect(token)
    data = again.ok("session.join", {"session_id": first_session.id, "since_seq": seq})
    assert "snapshot" not in data
    seqs = [e["data"]["seq"] for e in data["events"]]
    # Every broadcast since, in order and without a gap (all of them are public).
    assert seqs == list(range(seq + 1, data["seq"] + 1))
    advanced = [
        e["data"]["agenda_item_id"] for e in data["events"] if e["event"] == "agenda.updated"
    ]
    assert advanced == [i.id for i in first_session.agenda[1:4]]


def test_replay_too_far_behind_answers_a_snapshot(
    app, connect, people, first_session, moderator_token
):
    app.config["COMPANION"].replay_limit = 2
    moderator = connect(moderator_token)
    token = people.join(first_session.id)["token"]
    for item in first_session.agenda[:4]:
        moderator.ok("agenda.advance", {"session_id": first_session.id, "agenda_item_id": item.id})
    data = connect(token).ok("session.join", {"session_id": first_session.id, "since_seq": 0})
    assert data["snapshot"]["session"]["current_agenda_item_id"] == first_session.agenda[3].id
    assert data["seq"] == _session(first_session.id).seq > 2


def test_staff_only_broadcasts_are_not_replayed_to_attendees(app, connect, people, first_session):
    from companion.realtime import hub

    token = people.join(first_session.id)["token"]
    hub.publish(first_session.id, "question.updated", {"question": {"id": 1}}, audience="staff")
    hub.publish(first_session.id, "agenda.updated", {"agenda_item_id": None})
    db.session.commit()
    data = connect(token).ok("session.join", {"session_id": first_session.id, "since_seq": 0})
    assert [e["event"] for e in data["events"]] == ["agenda.updated"]
    assert data["seq"] == 2


def test_attendee_cannot_use_moderator_events(connect, people, first_session):
    attendee = connect(people.join(first_session.id)["token"])
    item = first_session.agenda[2]
    for event, payload in [
        ("session.start", {"session_id": first_session.id}),
        ("session.end", {"session_id": first_session.id}),
        ("agenda.advance", {"session_id": first_session.id, "agenda_item_id": item.id}),
    ]:
        assert attendee.error(event, payload) == "forbidden"
    session = _session(first_session.id)
    assert session.status.value == "scheduled"
    assert session.current_agenda_item_id is None
    assert db.session.scalar(select(SessionBroadcast.id)) is None


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "a string",
        [1, 2],
        {},
        {"session_id": "1"},
        {"session_id": True},
        {"session_id": 1, "agenda_item_id": 1, "extra": 1},
        {"session_id": 1.5, "agenda_item_id": 1},
        {"session_id": -3, "agenda_item_id": 1},
        {"session_id": 1, "agenda_item_id": {"nested": [1, 2]}},
        {"session_id": 1, "agenda_item_id": 1, "pad": "x" * 70_000},
    ],
)
def test_malformed_payloads_are_invalid_and_change_nothing(
    connect, first_session, moderator_token, payload
):
    moderator = connect(moderator_token)
    answer = moderator.call("agenda.advance", payload)
    assert answer["ok"] is False
    assert answer["error"]["code"] == "invalid"
    assert answer["error"]["message"]
    assert _session(first_session.id).current_agenda_item_id is None
    assert _session(first_session.id).seq == 0


def test_oversize_payload_names_the_limit(connect, first_session, moderator_token):
    english = connect(moderator_token, headers={"Accept-Language": "en"})
    answer = english.call("agenda.advance", {"session_id": first_session.id, "pad": "é" * 40_000})
    assert answer["error"]["code"] == "invalid"
    assert "too large" in answer["error"]["message"]
    french = connect(moderator_token, headers={"Accept-Language": "fr"})
    answer = french.call("agenda.advance", {"session_id": first_session.id, "pad": "é" * 40_000})
    assert "trop gros" in answer["error"]["message"]


def test_unknown_ids_are_not_found(connect, first_session, moderator_token):
    moderator = connect(moderator_token)
    assert moderator.error("session.start", {"session_id": 999_999}) == "not_found"
    assert (
        moderator.error(
            "agenda.advance", {"session_id": first_session.id, "agenda_item_id": 999_999}
        )
        == "not_found"
    )


def test_session_lifecycle_conflicts(connect, first_session, moderator_token):
    moderator = connect(moderator_token)
    assert moderator.error("session.end", {"session_id": first_session.id}) == "conflict"
    moderator.ok("session.start", {"session_id": first_session.id})
    assert moderator.error("session.start", {"session_id": first_session.id}) == "conflict"
    data = moderator.ok("session.end", {"session_id": first_session.id})
    assert data["session"]["status"] == "ended"


def test_presence_counts_attendees(app, connect, people, first_session):
    from companion.realtime.coalesce import coalescer

    clients = [connect(people.join(first_session.id)["token"]) for _ in range(3)]
    for client in clients:
        client.ok("session.join", {"session_id": first_session.id})
    coalescer.flush()
    updates = clients[0].received("presence.updated")
    assert updates[-1]["data"]["online"] == 3
    clients[2].disconnect()
    coalescer.flush()
    assert clients[0].received("presence.updated")[-1]["data"]["online"] == 2
    assert _session(first_session.id).peak_online == 3


def test_a_figure_refresh_is_sent_once_the_flushs_reads_are_over(
    app, monkeypatch, connect, people, first_session
):
    """A refresh to a large room yields between slices: the flush must not hold SQLite's one
    connection meanwhile, or the votes arriving then would wait for it."""
    from companion.realtime.coalesce import coalescer
    from companion.realtime.presence import presence

    watcher = connect(people.join(first_session.id)["token"])
    watcher.ok("session.join", {"session_id": first_session.id})
    coalescer.flush()
    watcher.received("presence.updated")
    manager, seen = socketio.server.manager, []
    emit = manager.emit

    def spy(event, *args, **kwargs):
        if event in hub.FIGURE_EVENTS:
            seen.append((event, db.session().in_transaction()))
        return emit(event, *args, **kwargs)

    monkeypatch.setattr(manager, "emit", spy)
    presence.joined(first_session.id, "participant:another", is_staff=False)
    coalescer.flush()  # reads the peak, writes it, reads the seq, then sends

    assert seen == [("presence.updated", False)]
    assert watcher.received("presence.updated")[-1]["data"]["online"] == 2
    with pytest.raises(ValueError, match="figure"):  # an ordered event is never sent so
        hub.publish_figures(first_session.id, "question.updated", {})


def test_a_disconnect_is_handled_without_rebuilding_the_handshakes_request(
    monkeypatch, connect, people, first_session
):
    from companion.realtime.presence import presence

    seen = []
    left = presence.left

    def spy(*args, **kwargs):
        seen.append(has_request_context())
        left(*args, **kwargs)

    monkeypatch.setattr(presence, "left", spy)
    attendee = connect(people.join(first_session.id)["token"])
    attendee.ok("session.join", {"session_id": first_session.id})
    sid = socketio.server.manager.sid_from_eio_sid(attendee.raw.eio_sid, "/")
    assert connections.get(sid) is not None
    attendee.disconnect()
    assert seen == [False]  # counted out of the session, outside any request
    assert connections.get(sid) is None
    assert presence.local_counts(first_session.id) == (0, 0)


def test_presence_is_not_rebroadcast_unchanged(app, connect, people, first_session):
    from companion.realtime.coalesce import coalescer
    from companion.realtime.presence import presence

    watcher = connect(people.join(first_session.id)["token"])
    watcher.ok("session.join", {"session_id": first_session.id})
    coalescer.flush()
    assert watcher.received("presence.updated")[-1]["data"]["online"] == 1
    presence.refresh_all()  # the periodic refresh: same counts, so the room hears nothing
    coalescer.flush()
    assert watcher.received("presence.updated") == []


def test_a_large_room_hears_its_count_at_most_once_a_second_per_thousand(
    app, connect, people, first_session
):
    from companion.realtime.coalesce import coalescer
    from companion.realtime.presence import broadcast_gap_s, presence

    assert broadcast_gap_s(999) == 0.0
    assert broadcast_gap_s(2500) == 2.5
    assert broadcast_gap_s(40_000) == 5.0
    watcher = connect(people.join(first_session.id)["token"])
    watcher.ok("session.join", {"session_id": first_session.id})
    # 1,200 attendees on other connections of this process (counted as the socket layer does).
    for n in range(1200):
        presence.joined(first_session.id, f"participant:bulk-{n}", is_staff=False)
    coalescer.flush()
    assert watcher.received("presence.updated")[-1]["data"]["online"] == 1201
    presence.joined(first_session.id, "participant:late", is_staff=False)
    coalescer.flush()
    # Within 1.2 s of the last count: not broadcast yet, still marked for a later tick, and
    # the peak is kept at once.
    assert watcher.received("presence.updated") == []
    assert first_session.id in coalescer.marked("presence")
    assert _session(first_session.id).peak_online == 1202
    time.sleep(1.25)  # the gap for 1,201 online has passed: the next tick says it
    coalescer.flush()
    assert watcher.received("presence.updated")[-1]["data"]["online"] == 1202


def test_the_keepalive_outlasts_a_burst_and_is_configurable(app):
    from companion.config import Config, ConfigError

    handshake = app.test_client().get("/socket.io/?EIO=4&transport=polling")
    opened = json.loads(handshake.get_data(as_text=True)[1:])
    assert (opened["pingInterval"], opened["pingTimeout"]) == (20_000, 60_000)
    assert Config.from_env({"COMPANION_PING_TIMEOUT": "30"}).ping_timeout_s == 30
    with pytest.raises(ConfigError, match="COMPANION_PING_TIMEOUT"):
        Config.from_env({"COMPANION_PING_TIMEOUT": "2"})


def test_an_event_runs_with_its_connections_origin_not_a_request(
    monkeypatch, connect, first_session, moderator_token
):
    """Events skip the per-event request rebuild; what they need of the handshake is carried."""
    seen = []

    def spy(actor, payload, target=None):
        seen.append((has_request_context(), origin.current(), select_locale(), public_base()))
        seen.append(current_sid())
        return {}

    monkeypatch.setitem(
        EVENTS, "agenda.advance", dataclasses.replace(EVENTS["agenda.advance"], handler=spy)
    )
    english = connect(
        moderator_token, headers={"Accept-Language": "en", "Host": "conf.example.org"}
    )
    assert english.ok("agenda.advance", {"session_id": first_session.id, "agenda_item_id": 1}) == {}
    (in_request, event_origin, language, base), sid = seen
    assert not in_request
    assert event_origin.language == language == "en"
    assert base == event_origin.base_url == "http://conf.example.org"
    assert sid == event_origin.sid and connections.get(sid).origin == event_origin
    # Another connection's events carry its own language and socket id (refusals worded in
    # that language: test_oversize_payload_names_the_limit).
    french = connect(moderator_token, headers={"Accept-Language": "fr"})
    seen.clear()
    assert french.ok("agenda.advance", {"session_id": first_session.id, "agenda_item_id": 1}) == {}
    assert seen[0][2] == "fr" and seen[1] != sid
    # Outside an event there is no socket id to ask for.
    with pytest.raises(RuntimeError):
        current_sid()


def test_an_error_escaping_the_dispatcher_is_answered_and_the_connection_kept(
    monkeypatch, caplog, connect, first_session, moderator_token
):
    """Handlers run on their connection's reader: an error raised there would close it."""
    from companion.realtime import dispatcher

    def broken(*_args):
        raise RuntimeError("a bug")

    client = connect(moderator_token, headers={"Accept-Language": "fr"})
    with monkeypatch.context() as patched:
        patched.setattr(dispatcher, "dispatch", broken)
        answer = client.call("session.join", {"session_id": first_session.id})
    assert answer == {
        "ok": False,
        "error": {
            "code": "unavailable",
            "message": "Une erreur est survenue sur le serveur\u00a0; réessayez.",
        },
    }
    assert "unexpected error in session.join" in caplog.text and "a bug" in caplog.text
    assert client.connected
    assert client.ok("session.join", {"session_id": first_session.id})["snapshot"]

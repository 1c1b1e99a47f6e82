"""The floor over Socket.IO: who may do what, broadcasts, "you're next", the snapshot."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from companion.extensions import db
from companion.floor.models import FloorRequest
from companion.programme.models import LiveSession
from companion.realtime.models import SessionBroadcast


def _state() -> tuple:
    """The floor's rows, the session settings and the broadcast log."""
    db.session.expire_all()
    requests = db.session.execute(
        select(
            FloorRequest.id,
            FloorRequest.sort_key,
            FloorRequest.began_at,
            FloorRequest.ended_at,
            FloorRequest.withdrawn_at,
            FloorRequest.removed_at,
            FloorRequest.paused_at,
        ).order_by(FloorRequest.id)
    ).all()
    settings = db.session.scalars(select(LiveSession.settings).order_by(LiveSession.id)).all()
    log = db.session.scalars(select(SessionBroadcast.seq).order_by(SessionBroadcast.id)).all()
    return [tuple(r) for r in requests], settings, log


@pytest.fixture
def live(first_session, people, connect, moderator_token):
    """A moderator and two attendees of the first session, joined, agenda on the testimony."""
    sid = first_session.id
    moderator = connect(moderator_token)
    moderator.ok("session.join", {"session_id": sid})
    lea = connect(people.join(sid, name="Léa")["token"])
    marc = connect(people.join(sid, name="Marc")["token"])
    for client in (lea, marc):
        client.ok("session.join", {"session_id": sid})
    moderator.ok(
        "agenda.advance", {"session_id": sid, "agenda_item_id": first_session.agenda[3].id}
    )
    for client in (moderator, lea, marc):
        client.received()
    return {"sid": sid, "moderator": moderator, "lea": lea, "marc": marc}


def _raise(client, sid, kind="contribution", client_id=None):
    return client.ok(
        "floor.request",
        {"session_id": sid, "client_id": client_id or f"c-{kind}-{id(client)}", "kind": kind},
    )


def test_attendees_cannot_use_moderator_events(live, first_session):
    sid, lea = live["sid"], live["lea"]
    mine = _raise(live["marc"], sid)["request_id"]
    speaker = first_session.agenda[3].speakers[0].id
    before = _state()
    for event, payload in [
        ("floor.give", {"session_id": sid, "request_id": mine}),
        ("floor.give", {"session_id": sid, "speaker_id": speaker}),
        ("floor.next", {"session_id": sid}),
        ("floor.end", {"session_id": sid}),
        ("floor.pause", {"session_id": sid}),
        ("floor.resume", {"session_id": sid}),
        ("floor.sort", {"session_id": sid, "request_ids": [mine]}),
        ("floor.close_list", {"session_id": sid}),
        ("floor.open_list", {"session_id": sid}),
        ("floor.settings", {"session_id": sid, "fairness": True}),
    ]:
        assert lea.error(event, payload) == "forbidden", event
    assert _state() == before


def test_an_attendee_cannot_withdraw_another_attendees_request(live):
    request_id = _raise(live["marc"], live["sid"])["request_id"]
    before = _state()
    assert live["lea"].error("floor.withdraw", {"request_id": request_id}) == "forbidden"
    assert _state() == before
    assert live["marc"].ok("floor.withdraw", {"request_id": request_id}) == {
        "request_id": request_id,
        "state": "withdrawn",
    }


def test_a_moderator_withdrawing_a_request_removes_it(live):
    request_id = _raise(live["marc"], live["sid"])["request_id"]
    answer = live["moderator"].ok("floor.withdraw", {"request_id": request_id})
    assert answer["state"] == "removed"


def test_an_attendee_of_another_session_cannot_raise_a_hand_here(live, people, event, connect):
    other = connect(people.join(event.sessions[1].id, name="Outsider")["token"])
    mine = _raise(live["lea"], live["sid"])["request_id"]
    before = _state()
    assert (
        other.error(
            "floor.request", {"session_id": live["sid"], "client_id": "x", "kind": "question"}
        )
        == "forbidden"
    )
    assert other.error("floor.withdraw", {"request_id": mine}) == "forbidden"
    assert _state() == before


def test_staff_do_not_raise_hands(live):
    before = _state()
    code = live["moderator"].error(
        "floor.request", {"session_id": live["sid"], "client_id": "m1", "kind": "contribution"}
    )
    assert code == "forbidden"
    assert _state() == before


@pytest.mark.parametrize(
    "name,payload",
    [
        ("floor.request", {"session_id": 1, "client_id": "a", "kind": "speech"}),
        ("floor.request", {"session_id": 1, "kind": "question"}),
        ("floor.give", {"session_id": 1}),
        ("floor.give", {"session_id": 1, "request_id": 1, "speaker_id": 1}),
        ("floor.sort", {"session_id": 1, "request_ids": []}),
        ("floor.sort", {"session_id": 1, "request_ids": ["1"]}),
        ("floor.settings", {"session_id": 1, "fairness": "yes"}),
        ("floor.settings", {"session_id": 1, "times": {"question": 2}}),
        ("floor.settings", {"session_id": 1, "times": {"speech": 60}}),
        ("floor.next", {"session_id": 1, "extra": True}),
    ],
)
def test_malformed_floor_payloads_are_invalid(live, name, payload):
    client = live["lea"] if name == "floor.request" else live["moderator"]
    payload = {**payload, "session_id": live["sid"]}
    before = _state()
    assert client.error(name, payload) == "invalid"
    assert _state() == before


def test_a_resent_request_is_counted_once(live):
    sid, lea = live["sid"], live["lea"]
    first = _raise(lea, sid, "question", client_id="same")
    again = _raise(lea, sid, "question", client_id="same")
    assert first == again == {"request_id": first["request_id"], "kind": "question", "position": 1}
    assert db.session.scalars(select(FloorRequest.id)).all() == [first["request_id"]]
    second = {"session_id": sid, "client_id": "other", "kind": "question"}
    assert lea.error("floor.request", second) == "conflict"


def test_ending_when_nobody_speaks_answers_conflict(live):
    before = _state()
    assert live["moderator"].error("floor.end", {"session_id": live["sid"]}) == "conflict"
    assert _state() == before


def test_a_closed_list_answers_closed(live):
    sid = live["sid"]
    live["moderator"].ok("floor.close_list", {"session_id": sid})
    closed = live["lea"].received("floor.updated")[-1]["data"]["floor"]
    assert closed["list_open"] is False
    before = _state()
    hand = {"session_id": sid, "client_id": "c1", "kind": "contribution"}
    assert live["lea"].error("floor.request", hand) == "closed"
    assert _state() == before
    assert live["lea"].received("floor.updated") == []


def test_everyone_sees_the_handover_and_the_next_in_line_is_told(live, first_session):
    sid, moderator, lea, marc = live["sid"], live["moderator"], live["lea"], live["marc"]
    lea_request = _raise(lea, sid)["request_id"]
    assert [m["data"]["request_id"] for m in lea.received("floor.next_up")] == [lea_request]
    marc_request = _raise(marc, sid, "point_of_order")["request_id"]
    # Marc's point of order jumps ahead: he is now the one told, Léa is not told again.
    assert [m["data"]["request_id"] for m in marc.received("floor.next_up")] == [marc_request]
    assert lea.received("floor.next_up") == []

    given = moderator.ok("floor.next", {"session_id": sid})
    assert given["request_id"] == marc_request and given["allotted_s"] == 60
    got = lea.received()
    updates = [m for m in got if m["event"] == "floor.updated"]
    floor = updates[-1]["data"]["floor"]
    assert floor["current"]["name"] == "Marc"
    assert floor["current"]["kind"] == "point_of_order"
    assert floor["current"]["allotted_s"] == 60
    assert floor["current"]["paused"] is False
    assert floor["current"]["paused_total_s"] == 0
    assert 0 <= floor["current"]["elapsed_s"] < 2
    assert floor["current"]["began_at"] and floor["server_time"]
    assert [e["name"] for e in floor["queue"]] == ["Léa"]
    assert floor["queue"][0]["position"] == 1
    assert floor["list_open"] is True
    assert floor["agenda_item_id"] == first_session.agenda[3].id
    # Léa is first in line again once Marc has the floor.
    told = [m["data"]["request_id"] for m in got if m["event"] == "floor.next_up"]
    assert told == [lea_request]
    seqs = [u["data"]["seq"] for u in updates]
    assert seqs == sorted(seqs)


def test_the_snapshot_holds_the_floor_with_the_planned_speaker(live):
    sid = live["sid"]
    live["moderator"].ok("floor.next", {"session_id": sid})
    snapshot = live["lea"].ok("session.join", {"session_id": sid})["snapshot"]
    current = snapshot["floor"]["current"]
    assert current["name"] == "Véronique Sybelin"
    assert current["organisation"] == "ARCHE Agglo"
    assert current["allotted_s"] == 900
    assert snapshot["floor"]["planned"] == []


def test_moderators_sort_and_change_settings(live):
    sid, moderator = live["sid"], live["moderator"]
    lea = _raise(live["lea"], sid)["request_id"]
    marc = _raise(live["marc"], sid)["request_id"]
    assert moderator.ok("floor.sort", {"session_id": sid, "request_ids": [marc, lea]}) == {
        "request_ids": [marc, lea]
    }
    assert [m["data"]["request_id"] for m in live["marc"].received("floor.next_up")] == [marc]
    answer = moderator.ok(
        "floor.settings",
        {"session_id": sid, "fairness": True, "times": {"question": 120}, "warning_s": 30},
    )
    assert answer == {
        "fairness": True,
        "times": {"contribution": 180, "question": 120, "point_of_order": 60},
        "warning_s": 30,
    }
    floor = live["lea"].received("floor.updated")[-1]["data"]["floor"]
    assert floor["fairness"] is True and floor["warning_s"] == 30


def test_a_removed_participants_raised_hand_leaves_the_queue(
    connect, people, first_session, moderator_token
):

    joined = people.join(first_session.id)
    attendee = connect(joined["token"])
    attendee.ok("session.join", {"session_id": first_session.id})
    request_id = attendee.ok(
        "floor.request",
        {"session_id": first_session.id, "client_id": "hand-1", "kind": "contribution"},
    )["request_id"]
    moderator = connect(moderator_token)
    moderator.ok("session.join", {"session_id": first_session.id})
    moderator.received()
    moderator.ok(
        "participant.remove",
        {"session_id": first_session.id, "participant_id": joined["participant"]["id"]},
    )
    db.session.expire_all()
    assert db.session.get(FloorRequest, request_id).removed_at is not None
    floors = [m["data"]["floor"] for m in moderator.received("floor.updated")]
    assert floors and floors[-1]["queue"] == []

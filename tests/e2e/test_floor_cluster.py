"""The floor across processes (Redis message queue) and across a reconnect, with real clients."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

pytestmark = pytest.mark.e2e


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp()


def _floors(client, predicate=lambda floor: True):
    """Wait for a floor.updated whose floor matches ``predicate``; return the latest such."""
    found = client.wait_for(
        lambda events: [
            d["floor"] for _, e, d in events if e == "floor.updated" and predicate(d["floor"])
        ]
    )
    return found[-1]


def _remaining_now(current: dict, server_time: str | None = None) -> float:
    """Seconds left now, computed as a client does from the floor's timestamps."""
    now = time.time()
    paused = current["paused_total_s"]
    if current["paused"]:
        paused += now - _epoch(current["paused_at"])
    return current["allotted_s"] - (now - _epoch(current["began_at"]) - paused)


def test_a_handover_on_one_process_reaches_attendees_on_the_other(cluster, make_client):
    one, two = cluster
    session = one.programme()["sessions"][0]
    sid = session["id"]
    moderator = make_client(one, one.login())
    moderator.ok("session.join", {"session_id": sid})
    lea = make_client(two, two.attendee(sid, "Léa"))
    marc = make_client(two, two.attendee(sid, "Marc"))
    for client in (lea, marc):
        client.ok("session.join", {"session_id": sid})

    lea_request = lea.ok(
        "floor.request", {"session_id": sid, "client_id": "lea-1", "kind": "question"}
    )["request_id"]
    marc_request = marc.ok(
        "floor.request", {"session_id": sid, "client_id": "marc-1", "kind": "contribution"}
    )["request_id"]
    queued = _floors(moderator, lambda f: len(f["queue"]) == 2)
    assert [e["name"] for e in queued["queue"]] == ["Léa", "Marc"]

    # A reorder on process one tells Marc, connected to process two, that he is next.
    moderator.ok("floor.sort", {"session_id": sid, "request_ids": [marc_request, lea_request]})
    told = marc.wait_for(lambda events: [d for _, e, d in events if e == "floor.next_up"])
    assert told[-1]["request_id"] == marc_request

    moderator.ok(
        "agenda.advance", {"session_id": sid, "agenda_item_id": session["agenda"][3]["id"]}
    )
    given = moderator.ok("floor.give", {"session_id": sid, "request_id": lea_request})
    for client in (lea, marc):
        floor = _floors(
            client, lambda f: f["current"] and f["current"]["request_id"] == lea_request
        )
        current = floor["current"]
        assert current["name"] == "Léa" and current["kind"] == "question"
        assert current["began_at"] == given["began_at"]
        assert current["allotted_s"] == 90
        assert current["paused"] is False and current["paused_total_s"] == 0
        assert 0 <= current["elapsed_s"] < 1
        assert current["remaining_s"] == pytest.approx(90 - current["elapsed_s"], abs=0.01)
        assert abs(_epoch(floor["server_time"]) - _epoch(current["began_at"])) < 1
        assert abs(_remaining_now(current) - 90) < 2
        assert floor["agenda_item_id"] == session["agenda"][3]["id"]
        assert [p["name"] for p in floor["planned"]] == ["Véronique Sybelin"]

    moderator.ok("floor.pause", {"session_id": sid})
    paused = _floors(marc, lambda f: f["current"] and f["current"]["paused"])["current"]
    assert paused["paused_at"] is not None
    time.sleep(1.0)
    moderator.ok("floor.resume", {"session_id": sid})
    resumed = _floors(
        marc,
        lambda f: f["current"] and not f["current"]["paused"] and f["current"]["paused_total_s"],
    )["current"]
    assert resumed["paused_total_s"] >= 1.0
    assert resumed["elapsed_s"] == pytest.approx(
        _epoch(resumed["paused_at"] or paused["paused_at"]) - _epoch(resumed["began_at"]), abs=0.05
    )


def test_a_reconnect_in_the_middle_of_a_speech_shows_the_right_remaining_time(server, make_client):
    session = server.programme()["sessions"][0]
    sid = session["id"]
    moderator = make_client(server, server.login())
    moderator.ok("session.start", {"session_id": sid})
    moderator.ok(
        "agenda.advance", {"session_id": sid, "agenda_item_id": session["agenda"][3]["id"]}
    )
    given = moderator.ok("floor.next", {"session_id": sid})
    assert given["allotted_s"] == 900

    token = server.attendee(sid, "Camille")
    attendee = make_client(server, token)
    joined = attendee.ok("session.join", {"session_id": sid})
    assert abs(_remaining_now(joined["snapshot"]["floor"]["current"]) - 900) < 2
    attendee.close()

    # While the attendee is away: time passes, the speech is paused and resumed.
    time.sleep(1.0)
    moderator.ok("floor.pause", {"session_id": sid})
    time.sleep(1.5)
    moderator.ok("floor.resume", {"session_id": sid})
    time.sleep(0.5)

    again = make_client(server, token)
    replay = again.ok("session.join", {"session_id": sid, "since_seq": joined["seq"]})
    floors = [e["data"]["floor"] for e in replay["events"] if e["event"] == "floor.updated"]
    assert [f["current"]["paused"] for f in floors] == [True, False]
    current = floors[-1]["current"]
    # Old states replayed: the remaining time comes from their timestamps, not from elapsed_s.
    assert current["paused_total_s"] == pytest.approx(1.5, abs=0.3)
    spoken = 900 - _remaining_now(current)
    wall = time.time() - _epoch(given["began_at"])
    assert spoken == pytest.approx(wall - current["paused_total_s"], abs=0.01)
    assert 1.5 <= spoken <= wall - 1.2  # the pause is not spoken time

    fresh = make_client(server, token).ok("session.join", {"session_id": sid})
    snap = fresh["snapshot"]["floor"]
    late = snap["current"]
    assert late["elapsed_s"] == pytest.approx(
        _epoch(snap["server_time"]) - _epoch(late["began_at"]) - late["paused_total_s"], abs=0.01
    )
    assert _remaining_now(late) == pytest.approx(_remaining_now(current), abs=0.2)

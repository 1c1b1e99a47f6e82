"""The live spine with real server processes: two processes joined by Redis, and replay."""

import threading
import time
import uuid

import pytest

from tests.e2e.conftest import ServerProcess, base_env

pytestmark = pytest.mark.e2e


def _first_session(server) -> dict:
    return server.programme()["sessions"][0]


def test_a_change_on_one_process_reaches_a_client_of_the_other(cluster, make_client):
    one, two = cluster
    session = _first_session(one)
    moderator = make_client(one, one.login())
    attendee = make_client(two, two.attendee(session["id"], "Léa"))
    attendee.ok("session.join", {"session_id": session["id"]})
    moderator.ok("session.join", {"session_id": session["id"]})
    target = session["agenda"][3]["id"]
    moderator.ok("agenda.advance", {"session_id": session["id"], "agenda_item_id": target})
    update = attendee.wait_for(lambda events: [d for _, e, d in events if e == "agenda.updated"])[0]
    assert update["agenda_item_id"] == target
    assert update["seq"] >= 1


def test_presence_is_counted_across_processes(cluster, make_client):
    one, two = cluster
    session = _first_session(one)
    watcher = make_client(one, one.attendee(session["id"], "Watcher"))
    watcher.ok("session.join", {"session_id": session["id"]})
    for index in range(3):
        client = make_client(two, two.attendee(session["id"], f"Remote {index}"))
        client.ok("session.join", {"session_id": session["id"]})
    watcher.wait_for(
        lambda events: any(e == "presence.updated" and d["online"] == 4 for _, e, d in events),
        timeout=15,
    )


def test_a_reconnecting_client_gets_every_missed_change(server, make_client):
    session = _first_session(server)
    moderator = make_client(server, server.login())
    token = server.attendee(session["id"], "Camille")
    attendee = make_client(server, token)
    seq = attendee.ok("session.join", {"session_id": session["id"]})["seq"]
    attendee.close()
    moderator.ok("session.start", {"session_id": session["id"]})
    for item in session["agenda"][1:5]:
        moderator.ok("agenda.advance", {"session_id": session["id"], "agenda_item_id": item["id"]})
    time.sleep(0.2)
    again = make_client(server, token)
    data = again.ok("session.join", {"session_id": session["id"], "since_seq": seq})
    names = [e["event"] for e in data["events"]]
    assert [n for n in names if n != "floor.updated"] == ["session.updated"] + [
        "agenda.updated"
    ] * 4
    assert [e["data"]["seq"] for e in data["events"]] == list(range(seq + 1, data["seq"] + 1))
    advanced = [e for e in data["events"] if e["event"] == "agenda.updated"]
    assert advanced[-1]["data"]["agenda_item_id"] == session["agenda"][4]["id"]


def test_healthz_names_the_parts(cluster):
    import requests

    body = requests.get(cluster[0].url + "/healthz", timeout=5).json()
    assert body["checks"] == {"database": "ok", "message_queue": "ok"}


def test_gevent_serves_the_live_spine_too(demo_sqlite, tmp_path, make_client):
    """COMPANION_ASYNC_MODE=gevent: the same server, the same protocol."""
    from tests.e2e.conftest import ServerProcess, base_env

    server = ServerProcess(
        base_env(demo_sqlite, COMPANION_ASYNC_MODE="gevent"), tmp_path / "gevent.log"
    ).start()
    try:
        session = _first_session(server)
        moderator = make_client(server, server.login())
        attendee = make_client(server, server.attendee(session["id"], "Gaëlle"))
        attendee.ok("session.join", {"session_id": session["id"]})
        target = session["agenda"][2]["id"]
        moderator.ok("agenda.advance", {"session_id": session["id"], "agenda_item_id": target})
        attendee.wait_for(
            lambda events: any(
                e == "agenda.updated" and d["agenda_item_id"] == target for _, e, d in events
            )
        )
        assert "gevent" in server.output()
    finally:
        server.stop()


def test_a_connections_events_are_answered_in_the_order_it_sent_them(
    demo_sqlite, tmp_path, make_client
):
    """Each connection's events run one after the other: a vote waiting for its group commit
    (a long 50 ms tick here) is answered before the event sent just after it, which already
    sees the vote."""
    proc = ServerProcess(
        base_env(demo_sqlite, COMPANION_GROUP_COMMIT_MS="50"), tmp_path / "server.log"
    ).start()
    try:
        session_id = _first_session(proc)["id"]
        moderator = make_client(proc, proc.login())
        poll = moderator.ok(
            "poll.create",
            {
                "session_id": session_id,
                "kind": "single",
                "question": "Prêts ?",
                "options": ["Oui", "Non"],
            },
        )["poll"]
        moderator.ok("poll.open", {"poll_id": poll["id"]})
        attendee = make_client(proc, proc.attendee(session_id, "Léa"))
        attendee.ok("session.join", {"session_id": session_id})

        answered: list[tuple[str, dict]] = []
        both = threading.Event()

        def answer_to(name):
            def callback(answer):
                answered.append((name, answer))
                if len(answered) == 2:
                    both.set()

            return callback

        choice = {"option_id": poll["options"][1]["id"]}
        attendee.sio.emit(
            "poll.vote",
            {"poll_id": poll["id"], "client_id": uuid.uuid4().hex, "answer": choice},
            callback=answer_to("poll.vote"),
        )
        attendee.sio.emit(
            "session.join", {"session_id": session_id}, callback=answer_to("session.join")
        )
        assert both.wait(10), answered
        assert [name for name, _ in answered] == ["poll.vote", "session.join"]
        assert all(answer["ok"] for _, answer in answered), answered
        polls = answered[1][1]["data"]["snapshot"]["polls"]
        assert next(p for p in polls if p["id"] == poll["id"])["my_answer"] == choice
    finally:
        proc.stop()

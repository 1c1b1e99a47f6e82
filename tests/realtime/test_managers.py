"""The indexed client managers: python-socketio's rooms exactly, without the scan on disconnect."""

from __future__ import annotations

import itertools
import json
import time
import uuid

import pytest
import socketio
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.config import Config, ConfigError
from companion.extensions import socketio as flask_socketio
from companion.realtime.managers import (
    IndexedManager,
    IndexedRedisManager,
    client_manager,
)
from companion.realtime.rooms import participant_room, session_room
from tests.conftest import REDIS_URL, redis_or_skip

NAMESPACES = ("/", "/other")
CLIENTS = range(4)
ROOMS = ("a", "b", "c")

operation = st.one_of(
    st.tuples(st.just("pre_connect"), st.sampled_from(CLIENTS), st.sampled_from(NAMESPACES)),
    st.tuples(st.just("connect"), st.sampled_from(CLIENTS), st.sampled_from(NAMESPACES)),
    st.tuples(
        st.just("enter"),
        st.sampled_from(CLIENTS),
        st.sampled_from(NAMESPACES),
        st.sampled_from(ROOMS),
    ),
    st.tuples(
        st.just("leave"),
        st.sampled_from(CLIENTS),
        st.sampled_from(NAMESPACES),
        st.sampled_from(ROOMS),
    ),
    st.tuples(st.just("close"), st.sampled_from(ROOMS), st.sampled_from(NAMESPACES)),
    st.tuples(st.just("callback"), st.sampled_from(CLIENTS), st.sampled_from(NAMESPACES)),
    st.tuples(st.just("pre_disconnect"), st.sampled_from(CLIENTS), st.sampled_from(NAMESPACES)),
    st.tuples(st.just("disconnect"), st.sampled_from(CLIENTS), st.sampled_from(NAMESPACES)),
)


class Driven:
    """A manager on a real Socket.IO server whose sids are numbered, so two can be compared."""

    def __init__(self, manager: socketio.Manager) -> None:
        self.manager = manager
        self.server = socketio.Server(client_manager=manager)
        numbers = itertools.count()
        self.server.eio.generate_id = lambda: f"sid{next(numbers)}"
        self.sids: dict[tuple[int, str], str] = {}  # (client, namespace) → its socket.io sid

    def apply(self, op: tuple):
        """Run one operation; return what it returned or the type of what it raised."""
        name, *args = op
        m = self.manager
        try:
            if name == "pre_connect":
                client, ns = args
                sid = m.pre_connect(f"eio{client}", ns)
                if sid is not None:
                    self.sids[(client, ns)] = sid
                return sid
            if name == "close":
                return m.close_room(*args)
            client, ns, *rest = args
            sid = self.sids.get((client, ns), f"unknown{client}")
            if name == "connect":
                return m.connect(sid, ns)
            if name == "enter":
                return m.enter_room(sid, ns, rest[0])
            if name == "leave":
                return m.leave_room(sid, ns, rest[0])
            if name == "callback":
                return m._generate_ack_id(sid, print)
            if name == "pre_disconnect":
                return m.pre_disconnect(sid, ns)
            return m.disconnect(sid, ns)
        except Exception as exc:  # upstream raises for some sequences: so must the index
            return type(exc)

    def state(self) -> dict:
        m = self.manager
        rooms = {
            ns: {room: dict(members) for room, members in r.items()} for ns, r in m.rooms.items()
        }
        every_sid = set(self.sids.values())
        return {
            "rooms": rooms,
            "callbacks": sorted(m.callbacks),
            "pending_connect": m.pending_connect,
            "pending_disconnect": m.pending_disconnect,
            "get_rooms": {
                (sid, ns): sorted(m.get_rooms(sid, ns)) for sid in every_sid for ns in NAMESPACES
            },
        }


@settings(max_examples=300, deadline=None)
@given(st.lists(operation, max_size=40))
def test_the_indexed_manager_keeps_the_same_rooms_as_python_socketios(operations):
    upstream, indexed = Driven(socketio.Manager()), Driven(IndexedManager())
    for op in operations:
        assert indexed.apply(op) == upstream.apply(op), op
        assert indexed.state() == upstream.state(), op
    # The index holds exactly the memberships the rooms hold, and nothing of a client gone.
    expected = {
        (ns, sid): {room for room, members in rooms.items() if sid in members}
        for ns, rooms in indexed.manager.rooms.items()
        for sid in rooms.get(None, {})
    }
    assert indexed.manager.rooms_of == {key: rooms for key, rooms in expected.items() if rooms}


class NoScan(dict):
    """A namespace's rooms that refuse to be walked: a disconnect must go straight to its own."""

    def copy(self):
        raise AssertionError("a disconnect scanned every room")

    def items(self):
        raise AssertionError("a disconnect scanned every room")


def test_a_disconnect_leaves_its_own_rooms_without_walking_the_others():
    driven = Driven(IndexedManager())
    manager = driven.manager
    for client in range(1000):
        sid = manager.pre_connect(f"eio{client}", "/")
        manager.connect(sid, "/")
        manager.enter_room(sid, "/", session_room(1))
        manager.enter_room(sid, "/", participant_room(client))
    manager.rooms["/"] = NoScan(manager.rooms["/"])
    leaving = manager.sid_from_eio_sid("eio7", "/")

    manager.pre_disconnect(leaving, "/")
    manager.disconnect(leaving, "/")

    assert participant_room(7) not in manager.rooms["/"]
    assert leaving not in manager.rooms["/"][session_room(1)]
    assert len(manager.rooms["/"][session_room(1)]) == 999
    assert ("/", leaving) not in manager.rooms_of
    assert manager.pending_disconnect == {}


def test_the_server_uses_the_indexed_manager_and_a_closed_socket_leaves_its_rooms(
    app, connect, people, first_session
):
    manager = flask_socketio.server.manager
    assert isinstance(manager, IndexedManager)
    room = session_room(first_session.id)
    leaving, staying = (connect(people.join(first_session.id)["token"]) for _ in range(2))
    for attendee in (leaving, staying):
        attendee.ok("session.join", {"session_id": first_session.id})
    sid, other = (manager.sid_from_eio_sid(a.raw.eio_sid, "/") for a in (leaving, staying))
    assert room in manager.get_rooms(sid, "/")

    leaving.disconnect()

    assert ("/", sid) not in manager.rooms_of
    assert sid not in manager.rooms["/"][room] and other in manager.rooms["/"][room]
    assert room in manager.rooms_of[("/", other)]


def test_several_processes_get_the_indexed_redis_manager_and_only_redis():
    assert isinstance(client_manager("redis://127.0.0.1:6379/15", "test"), IndexedRedisManager)
    assert type(client_manager(None, "test")) is IndexedManager
    with pytest.raises(ConfigError, match="COMPANION_MESSAGE_QUEUE"):
        Config.from_env({"COMPANION_MESSAGE_QUEUE": "amqp://localhost"})


@pytest.fixture
def listening():
    """A channel of the real Redis, and what another process would hear on it."""
    client = redis_or_skip()
    channel = f"test-managers-{uuid.uuid4().hex[:8]}"
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channel)

    def heard(expected: int, within: float = 2.0) -> list[str]:
        events, deadline = [], time.monotonic() + within
        while len(events) < expected and time.monotonic() < deadline:
            message = pubsub.get_message(timeout=0.1)
            if message is not None:
                events.append(json.loads(message["data"])["event"])
        return events

    yield channel, heard
    pubsub.close()
    client.close()


def test_broadcasts_published_together_reach_the_other_processes_at_once_in_order(listening):
    channel, heard = listening
    manager = IndexedRedisManager(REDIS_URL, channel=channel)
    socketio.Server(client_manager=manager)
    direct = []
    manager._redis_connect()
    publish = manager.redis.publish
    manager.redis.publish = lambda *args: direct.append(args) or publish(*args)

    with manager.publishing_together():
        for event in ("question.updated", "poll.updated", "floor.updated"):
            manager.emit(event, {"seq": 1}, namespace="/", room=session_room(1))
        with manager.publishing_together():  # a nested use joins the outer one
            manager.emit("agenda.updated", {"seq": 2}, namespace="/", room=session_room(1))
        assert heard(1, within=0.3) == []  # held until the outermost block ends
    assert heard(4) == ["question.updated", "poll.updated", "floor.updated", "agenda.updated"]
    assert direct == []  # one pipeline, not a round trip each

    manager.emit("session.updated", {"seq": 3}, namespace="/", room=session_room(1))
    assert heard(1) == ["session.updated"] and len(direct) == 1  # outside: at once, as before

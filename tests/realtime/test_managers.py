"""The indexed client managers: python-socketio's rooms exactly, without the scan on disconnect."""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid

import pytest
import socketio
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.config import Config, ConfigError
from companion.extensions import socketio as flask_socketio
from companion.realtime.hub import FIGURE_EVENTS
from companion.realtime.managers import (
    IndexedManager,
    IndexedRedisManager,
    SlicedDelivery,
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


class Recording(socketio.Server):
    """A real server that keeps the packets it would write, and when it gave the others a turn."""

    def __init__(self, manager: socketio.Manager) -> None:
        super().__init__(client_manager=manager)
        self.sent: list[tuple[str, str]] = []  # (eio sid, encoded Socket.IO packet)
        self.turns: list[int] = []  # how many packets were sent when it yielded
        self.turn_taken = None  # called at each turn, in the delivering thread

    def _send_eio_packet(self, eio_sid, eio_pkt):
        self.sent.append((eio_sid, eio_pkt.data))

    def sleep(self, seconds=0):
        self.turns.append(len(self.sent))
        if self.turn_taken is not None:
            self.turn_taken()


def _room_of(manager: socketio.Manager, count: int, room: str = session_room(1)) -> list[str]:
    """``count`` connected clients in ``room``: their eio sids."""
    eio_sids = []
    for client in range(count):
        sid = manager.pre_connect(f"eio{client}", "/")
        manager.connect(sid, "/")
        manager.enter_room(sid, "/", room)
        eio_sids.append(f"eio{client}")
    return eio_sids


def test_a_figure_refresh_reaches_a_large_room_a_slice_at_a_time_each_socket_once():
    manager = client_manager(None, "test", sliced_events=FIGURE_EVENTS)
    server = Recording(manager)
    everyone = _room_of(manager, 2 * SlicedDelivery.slice_size + 7)

    manager.emit("poll.results", {"seq": 4, "total": 9}, namespace="/", room=session_room(1))

    size = SlicedDelivery.slice_size
    assert server.turns == [size, 2 * size]  # the others ran between slices, not after each
    assert sorted(eio_sid for eio_sid, _ in server.sent) == sorted(everyone)
    assert {packet for _, packet in server.sent} == {'2["poll.results",{"seq":4,"total":9}]'}


def test_ordered_broadcasts_and_small_rooms_go_out_in_one_go():
    manager = client_manager(None, "test", sliced_events=FIGURE_EVENTS)
    server = Recording(manager)
    everyone = _room_of(manager, 3 * SlicedDelivery.slice_size)
    for eio_sid in everyone[:5]:  # five of the same clients in a small room
        manager.enter_room(manager.sid_from_eio_sid(eio_sid, "/"), "/", session_room(2))

    manager.emit("question.updated", {"seq": 5}, namespace="/", room=session_room(1))
    manager.emit("poll.results", {"seq": 5}, namespace="/", room=session_room(2))

    assert server.turns == []  # a seq-ordered event must reach every socket before the next
    assert len(server.sent) == len(everyone) + 5


def test_two_refreshes_reach_every_socket_in_the_order_they_started():
    """A second sliced delivery waits for the first: no socket gets the older one last."""
    manager = client_manager(None, "test", sliced_events=FIGURE_EVENTS)
    server = Recording(manager)
    _room_of(manager, 2 * SlicedDelivery.slice_size)
    first_paused, second_started = threading.Event(), threading.Event()

    def pause_once():
        server.turn_taken = None
        first_paused.set()
        assert second_started.wait(5)
        time.sleep(0.1)  # the second delivery, if it did not wait, would send now

    server.turn_taken = pause_once
    first = threading.Thread(
        target=manager.emit, args=("poll.results", {"total": 1}, "/", session_room(1))
    )
    first.start()
    assert first_paused.wait(5)

    def second_delivery():
        second_started.set()
        manager.emit("poll.results", {"total": 2}, "/", session_room(1))

    second = threading.Thread(target=second_delivery)
    second.start()
    first.join(5)
    second.join(5)

    last_heard: dict[str, str] = {}
    for eio_sid, packet in server.sent:
        last_heard[eio_sid] = packet
    assert len(server.sent) == 4 * SlicedDelivery.slice_size
    assert set(last_heard.values()) == {'2["poll.results",{"total":2}]'}


def test_with_redis_a_refresh_is_published_once_and_delivered_here_in_slices(listening):
    channel, heard = listening
    manager = client_manager(REDIS_URL, channel, sliced_events=FIGURE_EVENTS)
    server = Recording(manager)
    everyone = _room_of(manager, SlicedDelivery.slice_size + 1)

    manager.emit("poll.results", {"seq": 1}, namespace="/", room=session_room(1))
    assert heard(2, within=0.5) == ["poll.results"]  # one publication for the other processes
    assert server.turns == [SlicedDelivery.slice_size]
    # Another process's refresh, as the message queue's listener hands it over: sliced too.
    manager._handle_emit(
        {
            "method": "emit",
            "event": "presence.updated",
            "data": [{"seq": 1, "online": 3}],
            "namespace": "/",
            "room": session_room(1),
            "skip_sid": None,
            "callback": None,
            "host_id": "another-process",
        }
    )
    assert server.turns == [SlicedDelivery.slice_size, 2 * SlicedDelivery.slice_size + 1]
    assert len(server.sent) == 2 * len(everyone)


def test_with_redis_a_refresh_is_published_before_this_process_delivers_it(listening):
    """The local delivery is sliced and lasts; the other processes need not wait for it."""
    channel, heard = listening
    manager = client_manager(REDIS_URL, channel, sliced_events=FIGURE_EVENTS)
    server = Recording(manager)
    everyone = _room_of(manager, SlicedDelivery.slice_size + 1)
    manager._redis_connect()
    publish = manager.redis.publish
    sent_when_published = []
    manager.redis.publish = lambda *args: (
        sent_when_published.append(len(server.sent)) or publish(*args)
    )

    manager.emit("question.votes", {"seq": 2, "votes": {}}, namespace="/", room=session_room(1))
    assert sent_when_published == [0]  # published first,
    assert len(server.sent) == len(everyone)  # then delivered here, in slices
    assert server.turns == [SlicedDelivery.slice_size]
    # An ordered broadcast keeps python-socketio's order: delivered here, then published.
    manager.emit("question.updated", {"seq": 3}, namespace="/", room=session_room(1))
    assert sent_when_published == [0, 2 * len(everyone)]
    assert heard(2) == ["question.votes", "question.updated"]

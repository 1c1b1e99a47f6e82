"""Socket.IO client managers: python-socketio's, with two costs of a crowd taken out.

- **Each connection's rooms are indexed.** python-socketio finds the rooms of a leaving
  connection by scanning every room of the process (``BaseManager.basic_disconnect``), and every
  connection has a room of its own, every participant one more: a disconnect cost
  O(connections), a mass disconnect O(connections²), and no other event ran meanwhile. In a
  reconnect storm of 5,000 attendees that scan was a third of the server's CPU, and a
  moderator's command waited 7.5 s behind it.
- **A transaction's broadcasts cross Redis together** (several processes). Each emit is
  delivered to this process's clients at once, then published with a round trip of its own,
  during which the sockets' writers ran and each sent that one message; the next emit woke
  every writer again. Held for :meth:`IndexedRedisManager.publishing_together`, a group
  commit's broadcasts reach the local queues back to back and the other processes in one
  pipeline, so each writer sends them in one wake-up: a question burst on two processes cost
  11 µs per delivery, 6.7 µs since (the raw relay: 5.4).
- **Figure refreshes are delivered in slices.** A coalesced refresh (a poll's tally, say) goes to
  every socket of a session at once: for 1,000 sockets, some 25 ms in which no socket was read,
  so a vote arriving then waited for all of it (its ack 40 ms late instead of 6). Delivered a
  slice of sockets at a time, with a turn for the other green threads between slices, the
  refresh takes as long but the votes are read and acknowledged meanwhile. Only figure
  refreshes: they carry the current seq without raising it and clients apply whichever comes
  (docs/protocol.md), whereas the ordered broadcasts must reach every socket in seq order.
  With Redis a refresh is published before its slices here, so the other processes' sockets
  do not wait for them.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator

import socketio

log = logging.getLogger(__name__)


class RoomIndex:
    """Mixed in before a python-socketio manager: the per-connection index of its rooms.

    Every change of membership goes through ``basic_enter_room`` and ``basic_leave_room``
    (pre-connect, join, leave, close, disconnect, and the message queue's orders from other
    processes), so the index follows the rooms exactly.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        #: (namespace, sid) → the rooms it is in, None (the connected clients) included.
        self.rooms_of: dict[tuple[str, str], set] = {}

    def basic_enter_room(self, sid, namespace, room, eio_sid=None):
        result = super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self.rooms_of.setdefault((namespace, sid), set()).add(room)  # only once entered
        return result

    def basic_leave_room(self, sid, namespace, room):
        super().basic_leave_room(sid, namespace, room)
        rooms = self.rooms_of.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self.rooms_of[(namespace, sid)]

    def basic_disconnect(self, sid, namespace, **kwargs):
        """python-socketio 5.18's, with the scan of every room replaced by the index."""
        if namespace not in self.rooms:
            return
        for room in list(self.rooms_of.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            sids = pending.get(namespace)
            if sids is not None and sid in sids:
                sids.remove(sid)
                if not sids:
                    del pending[namespace]

    def get_rooms(self, sid, namespace):
        return [room for room in self.rooms_of.get((namespace, sid), ()) if room is not None]


class SlicedDelivery(socketio.Manager):
    """Below the message queue's layer: this process's delivery of figure refreshes in slices.

    One sliced delivery at a time per process (the coalescer's and the message queue's
    listener's), so two refreshes of one figure reach every socket in the order they started.
    """

    #: Sockets reached before the other green threads get a turn (about a millisecond of sends).
    slice_size = 50
    #: The events delivered in slices (:func:`client_manager` sets them).
    sliced_events: frozenset[str] = frozenset()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._slicing = threading.Lock()  # green once the entry point has patched threading

    def emit(self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kw):
        room = to or room
        if event in self.sliced_events and callback is None and isinstance(room, str):
            sids = [sid for sid, _eio_sid in self.get_participants(namespace, room)]
            if len(sids) > self.slice_size:
                with self._slicing:
                    for start in range(0, len(sids), self.slice_size):
                        if start:
                            self.server.sleep(0)
                        # Each connection is a room of its own: a slice is a list of rooms.
                        super().emit(
                            event,
                            data,
                            namespace,
                            room=sids[start : start + self.slice_size],
                            skip_sid=skip_sid,
                        )
                return
        super().emit(event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kw)


class IndexedManager(RoomIndex, SlicedDelivery):
    """One process: the default manager, indexed."""

    @contextlib.contextmanager
    def publishing_together(self) -> Iterator[None]:
        """Nothing to hold: there is no other process to tell."""
        yield


class IndexedRedisManager(RoomIndex, socketio.RedisManager, SlicedDelivery):
    """Several processes joined by Redis: python-socketio's Redis manager, indexed.

    :class:`SlicedDelivery` comes after the Redis manager in the method order: the message
    queue's layer publishes each emit once, and the local deliveries of this process's emits
    and of the other processes' are sliced. A figure refresh is published *before* this
    process delivers it (python-socketio delivers first): its delivery here goes in slices and
    lasts (some 25 ms for 1,000 sockets), which the other processes' sockets need not wait for.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._held = threading.local()  # per green thread once the standard library is patched

    def emit(self, event, data, namespace=None, room=None, skip_sid=None, callback=None, **kw):
        """python-socketio's, except that a figure refresh is published, then delivered here."""
        if (
            event not in self.sliced_events
            or kw.get("ignore_queue")
            or getattr(self._held, "messages", None) is not None  # held: keep the order
        ):
            return super().emit(event, data, namespace, room, skip_sid, callback, **kw)
        self._held.local = local = []
        try:
            super().emit(event, data, namespace, room, skip_sid, callback, **kw)  # publishes
        finally:
            self._held.local = None
            for message in local:
                super()._handle_emit(message)
        return None

    def _handle_emit(self, message):
        """Deliver ``message`` here: now, or once published if it is a figure refresh."""
        local = getattr(self._held, "local", None)
        if local is None:  # the listener's messages from the other processes, ordered emits
            return super()._handle_emit(message)
        local.append(message)
        return None

    @contextlib.contextmanager
    def publishing_together(self) -> Iterator[None]:
        """Hold this green thread's publications to the other processes, then send them at once.

        Local clients still get each emit at once; order is kept. Nested uses join the outer.
        """
        if getattr(self._held, "messages", None) is not None:
            yield
            return
        self._held.messages = []
        try:
            yield
        finally:
            messages, self._held.messages = self._held.messages, None
            self._publish_together(messages)

    def _publish(self, data):
        held = getattr(self._held, "messages", None)
        if held is None:
            return super()._publish(data)
        held.append(data)
        return None

    def _publish_together(self, messages: list[dict]) -> None:
        """One pipeline, no transaction; like python-socketio's ``_publish``: two attempts,
        then the loss is logged (the change is committed; clients resync by seq)."""
        if len(messages) <= 1:
            for message in messages:
                super()._publish(message)
            return
        for attempt in (1, 2):
            try:
                if not self.connected:
                    self._redis_connect()
                pipeline = self.redis.pipeline(transaction=False)
                for message in messages:
                    pipeline.publish(self.channel, self.json.dumps(message))
                pipeline.execute()
                return
            except Exception as exc:
                self.connected = False
                if attempt == 2:
                    log.error(
                        "could not publish %d broadcasts to Redis: %s",
                        len(messages),
                        exc.__class__.__name__,
                    )


def client_manager(
    message_queue: str | None, channel: str, sliced_events: frozenset[str] = frozenset()
) -> socketio.Manager:
    """The manager for this process: over the Redis ``message_queue`` if there is one.

    :param sliced_events: the figure refreshes, delivered in slices.
    """
    manager: IndexedManager | IndexedRedisManager
    if message_queue:
        manager = IndexedRedisManager(message_queue, channel=channel)
    else:
        manager = IndexedManager()
    manager.sliced_events = sliced_events
    return manager

"""Who is online in each session, counted across processes, broadcast coalesced."""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter

from sqlalchemy import update

from ..extensions import db
from .coalesce import coalescer
from .hub import publish_figures, sessions_table

log = logging.getLogger(__name__)
KIND = "presence"
_ALIVE_TTL_S = 15


def broadcast_gap_s(online: int) -> float:
    """The least time between two presence broadcasts to a room of ``online`` attendees.

    Each broadcast reaches everyone in the room, so a join storm refreshed every coalescer tick
    costs more than the joins themselves (5,000 joining in 87 s: ~700,000 deliveries of a count).
    Above 1,000 online the count refreshes once a second per thousand, five seconds at most:
    about a thousand deliveries a second, whatever the size of the room.
    """
    return 0.0 if online < 1000 else min(5.0, online / 1000)


class Presence:
    """Per-process counts of connected attendees and staff, summed through Redis when shared."""

    def __init__(self) -> None:
        self.process_id = uuid.uuid4().hex[:12]
        self._attendees: dict[int, Counter] = {}
        self._staff: dict[int, Counter] = {}
        self._redis = None
        self._prefix = "companion"
        # The last counts broadcast per session, and when (monotonic).
        self._sent: dict[int, tuple[float, dict[str, int]]] = {}

    def configure(self, redis_client, prefix: str = "companion") -> None:
        """Share counts through Redis (None: this process is alone)."""
        self._redis = redis_client
        self._prefix = prefix
        self._attendees.clear()
        self._staff.clear()
        self._sent.clear()

    def joined(self, session_id: int, actor_key: str, *, is_staff: bool) -> None:
        table = self._staff if is_staff else self._attendees
        table.setdefault(session_id, Counter())[actor_key] += 1
        coalescer.mark(KIND, session_id)

    def left(self, session_id: int, actor_key: str, *, is_staff: bool) -> None:
        table = self._staff if is_staff else self._attendees
        counter = table.get(session_id)
        if counter is None or counter[actor_key] <= 0:
            return
        counter[actor_key] -= 1
        if counter[actor_key] <= 0:
            del counter[actor_key]
        coalescer.mark(KIND, session_id)

    def local_counts(self, session_id: int) -> tuple[int, int]:
        return len(self._attendees.get(session_id, ())), len(self._staff.get(session_id, ()))

    def counts(self, session_id: int) -> dict[str, int]:
        """Return ``{"online", "staff_online"}`` for the session, all processes together."""
        attendees, staff = self.local_counts(session_id)
        if self._redis is None:
            return {"online": attendees, "staff_online": staff}
        try:
            shared = self._redis.hgetall(f"{self._prefix}:presence:{session_id}")
            processes = [p.decode() for p in shared]
            alive = (
                self._redis.mget([f"{self._prefix}:process:{p}" for p in processes])
                if processes
                else []
            )
        except Exception:  # Redis blinking: show what this process knows
            log.warning("presence: Redis unavailable, showing local counts")
            return {"online": attendees, "staff_online": staff}
        total_attendees = total_staff = 0
        for (process, value), is_alive in zip(shared.items(), alive, strict=True):
            if process.decode() == self.process_id or not is_alive:
                continue
            a, s = (int(x) for x in value.decode().split(","))
            total_attendees, total_staff = total_attendees + a, total_staff + s
        return {"online": total_attendees + attendees, "staff_online": total_staff + staff}

    def flush(self, session_ids: set[int]) -> None:
        """Share this process's counts, then broadcast the totals and keep the peak."""
        if self._redis is not None:
            try:
                pipe = self._redis.pipeline()
                pipe.set(f"{self._prefix}:process:{self.process_id}", 1, ex=_ALIVE_TTL_S)
                for session_id in session_ids:
                    a, s = self.local_counts(session_id)
                    pipe.hset(f"{self._prefix}:presence:{session_id}", self.process_id, f"{a},{s}")
                pipe.execute()
            except Exception:
                log.warning("presence: could not share counts through Redis")
        now = time.monotonic()
        for session_id in session_ids:
            counts = self.counts(session_id)
            last = self._sent.get(session_id)
            if last is not None and last[1] == counts:
                continue  # the periodic refresh found nothing new: the room already knows
            sessions = sessions_table()
            db.session.execute(
                update(sessions)
                .where(sessions.c.id == session_id, sessions.c.peak_online < counts["online"])
                .values(peak_online=counts["online"])
            )
            db.session.commit()
            if last is not None and now - last[0] < broadcast_gap_s(counts["online"]):
                coalescer.mark(KIND, session_id)  # a large room: said at a later tick
                continue
            publish_figures(session_id, "presence.updated", counts)
            self._sent[session_id] = (now, counts)

    def refresh_all(self) -> None:
        """Mark every session this process serves, so counts from other processes show too."""
        coalescer.mark_many(KIND, set(self._attendees) | set(self._staff))


presence = Presence()
coalescer.register(KIND, presence.flush)
coalescer.every(5.0, presence.refresh_all)

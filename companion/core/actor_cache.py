"""The actors behind verified tokens, kept per process so that an event costs no query.

An entry is dropped after the commit of any change that revokes or alters its actor (a ban, a
removed registration, a raised ``token_version``, a new role or name): ``realtime.revocation``
evicts it here and on every other process. While evictions from other processes cannot reach
this one (the Redis listener not subscribed yet, or reconnecting), the cache is *untrusted*:
emptied and bypassed, so nothing stale is served. Entries also expire after ``max_age_s``, a
backstop for writers that cannot tell the servers (a command-line process without Redis).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from .actors import Actor
from .tokens import TokenClaims

#: The token kinds whose actors are cached (registration and password links load no actor).
CACHED_KINDS = frozenset({"participant", "staff", "speaker"})


class ActorCache:
    """A bounded LRU of actors keyed by (kind, subject id), each checked against its token version."""

    def __init__(self, *, trusted: bool, max_entries: int = 20_000, max_age_s: float = 60.0):
        self._entries: OrderedDict[tuple[str, int], tuple[int, Actor, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._max_entries = max_entries
        self._max_age_s = max_age_s
        self._trusted = trusted
        # Raised by every eviction: a load that began before one must not store what it read.
        self.generation = 0

    def get(self, claims: TokenClaims) -> Actor | None:
        """The cached actor of these claims, or None (unknown, expired, other version, untrusted)."""
        key = (claims.kind, claims.subject_id)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or not self._trusted:
                return None
            version, actor, stored_at = entry
            if version != claims.version or time.monotonic() - stored_at > self._max_age_s:
                return None
            self._entries.move_to_end(key)
            return actor

    def put(self, claims: TokenClaims, actor: Actor, generation: int) -> None:
        """Keep ``actor``, loaded when the cache was at ``generation``, unless an eviction came since."""
        if claims.kind not in CACHED_KINDS:
            return
        key = (claims.kind, claims.subject_id)
        with self._lock:
            if not self._trusted or generation != self.generation:
                return
            self._entries[key] = (claims.version, actor, time.monotonic())
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def evict(self, subjects: list[tuple[str, int]]) -> None:
        """Forget the actors of these (kind, subject id) pairs, whatever their token version."""
        with self._lock:
            self.generation += 1
            for key in subjects:
                self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self.generation += 1
            self._entries.clear()

    def trust(self, trusted: bool) -> None:
        """Serve entries again (evictions reach this process) or empty the cache and bypass it."""
        with self._lock:
            self.generation += 1
            self._entries.clear()
            self._trusted = trusted

    def __len__(self) -> int:
        return len(self._entries)

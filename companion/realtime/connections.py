"""Who is behind each Socket.IO connection of this process, and which sessions it joined."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..core import metrics
from ..core.origin import Origin
from ..core.tokens import TokenClaims


@dataclass
class Connection:
    """One socket's verified token, where it came from, and the sessions it joined here."""

    claims: TokenClaims
    origin: Origin
    sessions: set[int] = field(default_factory=set)


class ConnectionRegistry:
    """In-process map from socket id to Connection (sticky sessions keep a socket on one process)."""

    def __init__(self) -> None:
        self._by_sid: dict[str, Connection] = {}

    def add(self, claims: TokenClaims, origin: Origin) -> Connection:
        conn = Connection(claims, origin)
        self._by_sid[origin.sid] = conn
        return conn

    def __len__(self) -> int:
        return len(self._by_sid)

    def get(self, sid: str) -> Connection | None:
        return self._by_sid.get(sid)

    def remove(self, sid: str) -> Connection | None:
        return self._by_sid.pop(sid, None)

    def sids_for(self, kind: str, subject_id: int) -> list[str]:
        """Return this process's sockets opened with the given token subject."""
        return [
            sid
            for sid, conn in self._by_sid.items()
            if conn.claims.kind == kind and conn.claims.subject_id == subject_id
        ]


connections = ConnectionRegistry()
metrics.register_gauge(
    "companion_connections", "Socket.IO connections open on this process.", connections.__len__
)

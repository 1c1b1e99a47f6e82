"""Where the socket event being handled came from: its connection's id, language and address.

A Socket.IO event runs in an application context of its own, not in a request context: rebuilding
the handshake's HTTP request for every event (its cookie session decoded, its URL routed anew)
cost about a tenth of a vote's CPU. What an event needs of that request is read once, when the
connection opens, and carried here for the event's duration.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_app_context


@dataclass(frozen=True)
class Origin:
    """The connection an event came on."""

    sid: str
    language: str  # "fr" or "en": chosen at connect as for any page (?lang=, cookie, browser)
    base_url: str  # scheme, host and path prefix of the address the connection reached


def enter(origin: Origin) -> None:
    """Make ``origin`` the current event's, for the rest of this application context."""
    g.companion_origin = origin


def current() -> Origin | None:
    """The origin of the socket event being handled, or None (an HTTP request, a task)."""
    if not has_app_context():
        return None
    return g.get("companion_origin")

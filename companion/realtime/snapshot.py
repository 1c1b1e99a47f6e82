"""The snapshot a client gets on join: each domain contributes its part."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.actors import Actor

#: ``part(session, actor)``: the session is programme's LiveSession (realtime sits below it).
Part = Callable[[Any, Actor], Any]
_PARTS: dict[str, Part] = {}


def snapshot_part(name: str):
    """Register ``fn(session, actor)`` as the snapshot's ``name`` entry."""

    def decorator(fn: Part) -> Part:
        _PARTS[name] = fn
        return fn

    return decorator


def build_snapshot(session: Any, actor: Actor) -> dict[str, Any]:
    """Return everything this actor may see of the session, as one dict."""
    return {name: part(session, actor) for name, part in _PARTS.items()}

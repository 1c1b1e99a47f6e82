"""What an event's payload field or a route's URL argument resolves to, for the permission check.

A declaration names its scope by the field that carries it (``"session_id"``, ``"poll_id"``,
``"question_id"``, ``"request_id"``, ``"slug"`` …); the domain owning that kind of object
registers the resolver (core imports no domain). The edge resolves once, checks the permission
against the session found, and hands what it loaded to the handler as ``target``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def _nobody() -> set[int]:
    return set()


@dataclass(frozen=True)
class Target:
    """The object a scope resolved to, and the session (or event) it belongs to."""

    obj: Any
    session_id: int | None = None
    event_id: int | None = None
    #: The speakers named on the session's agenda (for WATCH); asked only when needed.
    speaker_ids: Callable[[], set[int]] = field(default=_nobody, compare=False)


Resolver = Callable[[Any], Target]
_RESOLVERS: dict[str, Resolver] = {}


def scope_resolver(name: str):
    """Register ``fn(value) -> Target`` for the scope ``name`` (raises NotFound for none)."""

    def decorator(fn: Resolver) -> Resolver:
        if name in _RESOLVERS and _RESOLVERS[name] is not fn:
            raise RuntimeError(f"scope {name!r} resolved twice")
        _RESOLVERS[name] = fn
        return fn

    return decorator


def resolve(name: str, value: Any) -> Target | None:
    """Load what ``value`` of scope ``name`` names; None when the optional field is absent."""
    if value is None:
        return None
    return _RESOLVERS[name](value)


def known_scopes() -> frozenset[str]:
    return frozenset(_RESOLVERS)

"""Who a token stands for: core verifies tokens; the people domain says who they name.

Core cannot import the participants domain (it sits above core), so the functions that turn
verified claims into an :class:`Actor`, or a registration link into the sessions it opens, are
bound to each application at start-up by ``participants.tokens.init_app``. Actors are cached per
application (``core.actor_cache``; ``realtime.revocation`` evicts them after a change commits).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from .actor_cache import ActorCache
from .actors import Actor
from .tokens import TokenClaims, TokenSigner

_KEY = "companion_identity"
_CACHE = "companion_actor_cache"


@dataclass(frozen=True)
class Identity:
    """The people domain's answers about tokens."""

    #: Load the actor of verified claims, refusing revoked tokens and banned participants.
    actor_for: Callable[[TokenClaims], Actor]
    #: The sessions of ``event_id`` a verified registration token opens (Unauthorized if none).
    registered_sessions: Callable[[TokenClaims, int], set[int]]


def bind(app: Flask, identity: Identity) -> None:
    """Bind ``identity`` and a fresh actor cache to ``app``.

    With a Redis message queue, other processes change actors too: the cache is trusted only
    once the revocation listener has subscribed (``realtime.revocation``).
    """
    app.extensions[_KEY] = identity
    app.extensions[_CACHE] = ActorCache(trusted=not app.config["COMPANION"].message_queue)


def actor_cache(app: Flask | None = None) -> ActorCache:
    """The actor cache of ``app`` (default: the running application)."""
    return (app or current_app).extensions[_CACHE]


def signer() -> TokenSigner:
    """Return the token signer bound to the running application."""
    return current_app.extensions["companion_tokens"]


def actor_for(claims: TokenClaims) -> Actor:
    """Return the actor of verified ``claims``, from the cache or loaded (and then cached)."""
    cache = current_app.extensions[_CACHE]
    actor = cache.get(claims)
    if actor is None:
        generation = cache.generation
        actor = current_app.extensions[_KEY].actor_for(claims)
        cache.put(claims, actor, generation)
    return actor


def actor_from_token(token: object) -> Actor:
    """Verify ``token`` and return its actor, or raise Unauthorized/Forbidden."""
    return actor_for(signer().verify(token))


def registered_sessions(token: object, event_id: int) -> set[int]:
    """The sessions of the event a personal registration token opens."""
    return current_app.extensions[_KEY].registered_sessions(signer().verify(token), event_id)

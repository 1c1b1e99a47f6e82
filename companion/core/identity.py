"""Who a token stands for: core verifies tokens; the people domain says who they name.

Core cannot import the participants domain (it sits above core), so the functions that turn
verified claims into an :class:`Actor`, or a registration link into the sessions it opens, are
bound to each application at start-up by ``participants.tokens.init_app``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from .actors import Actor
from .tokens import TokenClaims, TokenSigner

_KEY = "companion_identity"


@dataclass(frozen=True)
class Identity:
    """The people domain's answers about tokens."""

    #: Load the actor of verified claims, refusing revoked tokens and banned participants.
    actor_for: Callable[[TokenClaims], Actor]
    #: The sessions of ``event_id`` a verified registration token opens (Unauthorized if none).
    registered_sessions: Callable[[TokenClaims, int], set[int]]


def bind(app: Flask, identity: Identity) -> None:
    app.extensions[_KEY] = identity


def signer() -> TokenSigner:
    """Return the token signer bound to the running application."""
    return current_app.extensions["companion_tokens"]


def actor_for(claims: TokenClaims) -> Actor:
    return current_app.extensions[_KEY].actor_for(claims)


def actor_from_token(token: object) -> Actor:
    """Verify ``token`` and return its actor, or raise Unauthorized/Forbidden."""
    return actor_for(signer().verify(token))


def registered_sessions(token: object, event_id: int) -> set[int]:
    """The sessions of the event a personal registration token opens."""
    return current_app.extensions[_KEY].registered_sessions(signer().verify(token), event_id)

"""Rate limits on joins, registrations, logins and contributions, per person and per address.

Counts live in Redis when a message queue is configured, so every process sees the same
budget; in memory otherwise. If Redis blinks, requests pass (availability over strictness).
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from ..core import http
from ..core.actors import Actor
from ..core.errors import RateLimited
from ..core.i18n import N_
from ..realtime import dispatcher

log = logging.getLogger(__name__)

#: Budgets by bucket. Per address for registration, join and login (a venue's Wi-Fi shares one
#: address, hence generous figures); per participant for everything said in a session.
LIMITS: dict[str, RateLimitItem] = {
    "registration": parse("30/minute"),
    "join": parse("120/minute"),
    "login": parse("10/minute"),
    # Routes that send a mail (lost link, password reset): few, so nobody floods an inbox.
    "recover": parse("10/minute"),
    "contribution": parse("20/minute"),
    "vote": parse("120/minute"),
    "event": parse("600/minute"),
}


class RateLimits:
    """The limiter of one application (bound by :func:`init_rate_limits`)."""

    def __init__(self, storage, prefix: str, enabled: bool):
        self.limiter = MovingWindowRateLimiter(storage)
        self.prefix = prefix
        self.enabled = enabled

    def hit(self, bucket: str, key: str) -> None:
        """Spend one unit of ``bucket`` for ``key``, or raise RateLimited."""
        if not self.enabled:
            return
        item = LIMITS[bucket]
        try:
            allowed = self.limiter.hit(item, self.prefix, bucket, key)
        except Exception:  # storage unreachable: let the request through
            log.warning("rate limit storage unavailable; %s not limited", bucket)
            return
        if not allowed:
            raise RateLimited(N_("Too many requests; wait a moment and try again."))


def init_rate_limits(app: Flask) -> None:
    config = app.config["COMPANION"]
    storage = storage_from_string(config.message_queue) if config.message_queue else MemoryStorage()
    app.extensions["companion_rate_limits"] = RateLimits(
        storage, f"{config.queue_channel}:rl", config.rate_limits_enabled
    )


def limits() -> RateLimits:
    return current_app.extensions["companion_rate_limits"]


def client_address() -> str:
    return request.remote_addr or "unknown"


def limit_http(bucket: str) -> None:
    """Spend from ``bucket`` for the requesting address (HTTP routes)."""
    limits().hit(bucket, f"ip:{client_address()}")


def _limit_socket_event(spec: dispatcher.SocketEvent, actor: Actor) -> None:
    if actor.is_staff:
        return
    limits().hit("event", actor.key)
    # Besides the overall "event" budget, the bucket the event declares (socket_event).
    if spec.rate_limit:
        limits().hit(spec.rate_limit, actor.key)


dispatcher.before_handlers.append(_limit_socket_event)
http.rate_limiters.append(limit_http)

"""Revoked or changed actors: forgotten by every process's actor cache, their sockets closed.

A change that revokes a token or alters who it stands for (a ban, a removed registration, a
raised ``token_version``, a new role or name) calls :func:`revoke` inside its transaction. Once
it commits, this process evicts the actors from its cache and closes their sockets, then
publishes the same on the Redis channel ``<queue channel>:actors``; one listener per process
does the same there. Without Redis the process is alone and the local step is all there is.

While the listener is not subscribed (starting, or Redis lost and being reconnected), the cache
is untrusted: emptied and bypassed, every event loads its actor from the database as before.
"""

from __future__ import annotations

import contextlib
import json
import logging
import uuid
from collections.abc import Iterable

import redis
from flask import Flask, current_app
from redis.backoff import NoBackoff
from redis.retry import Retry

from ..core import identity
from ..core.actor_cache import ActorCache
from ..extensions import socketio
from . import hub
from .connections import connections

log = logging.getLogger(__name__)
#: Tells this process's own announcements apart from the others' on the channel.
_ORIGIN = uuid.uuid4().hex
_RETRY_FIRST_S = 0.5
_RETRY_MAX_S = 5.0


def revoke(subjects: Iterable[tuple[str, int]], *, disconnect: bool = True) -> None:
    """After the current transaction commits, forget these (kind, id) actors on every process.

    :param disconnect: also close their open sockets (a revoked token); False for a change that
        leaves the token valid (a new role or name): the next event loads the actor afresh.
    """
    pairs = [(kind, subject_id) for kind, subject_id in subjects]
    if pairs:
        _announce_after_commit({"subjects": pairs, "disconnect": disconnect})


def forget_all() -> None:
    """After the current transaction commits, empty every process's actor cache (a bulk change)."""
    _announce_after_commit({"all": True})


def _announce_after_commit(message: dict) -> None:
    app = current_app._get_current_object()
    hub.after_commit(lambda: _announce(app, message))


def _announce(app: Flask, message: dict) -> None:
    _apply(app, message)
    client = app.extensions.get("companion_redis")
    if client is None:
        return
    try:
        client.publish(channel(app), json.dumps({**message, "origin": _ORIGIN}))
    except Exception:
        # The change is committed; other processes reload the actor when its entry expires.
        log.error("could not tell the other processes about revoked actors %s", message)


def _apply(app: Flask, message: dict) -> None:
    cache = identity.actor_cache(app)
    if message.get("all"):
        cache.clear()
        return
    pairs = [(str(kind), int(subject_id)) for kind, subject_id in message["subjects"]]
    cache.evict(pairs)
    if message.get("disconnect"):
        for kind, subject_id in pairs:
            for sid in connections.sids_for(kind, subject_id):
                with contextlib.suppress(Exception):  # a socket that went away meanwhile
                    socketio.server.disconnect(sid, namespace="/")


def channel(app: Flask) -> str:
    """The deployment's pub/sub channel for revocations (named with its queue channel)."""
    return f"{app.config['COMPANION'].queue_channel}:actors"


class RevocationListener:
    """One task per process applying the other processes' revocations, resubscribing if Redis drops."""

    def __init__(self) -> None:
        self._started = False
        self._retry_delay = _RETRY_FIRST_S

    def start(self, app: Flask) -> None:
        """Start listening once per process, when a Redis message queue is configured."""
        config = app.config["COMPANION"]
        if self._started or config.testing or not config.message_queue:
            return
        self._started = True
        socketio.start_background_task(self._run, app)

    def _run(self, app: Flask) -> None:
        cache = identity.actor_cache(app)
        client = self.client(app)
        while True:  # for the life of the process
            self.listen_until_lost(app, client, cache)
            socketio.sleep(self._retry_delay)
            self._retry_delay = min(self._retry_delay * 2, _RETRY_MAX_S)

    @staticmethod
    def client(app: Flask) -> redis.Redis:
        """The listener's own client: the shared one times out a subscribed read after 2 s."""
        return redis.Redis.from_url(
            app.config["COMPANION"].message_queue,
            socket_connect_timeout=2,
            socket_timeout=10,
            health_check_interval=5,  # a silently dead connection is noticed within seconds
            # No silent reconnect: what was published meanwhile would be missed while trusted.
            retry=Retry(NoBackoff(), 0),
            client_name=f"{channel(app)}:{_ORIGIN}",
        )

    def listen_until_lost(self, app: Flask, client: redis.Redis, cache: ActorCache) -> None:
        """Subscribe and apply revocations until Redis is lost; the cache is trusted meanwhile."""
        pubsub = client.pubsub()
        try:
            pubsub.subscribe(channel(app))
            while True:
                message = pubsub.get_message(timeout=1.0)
                if message is None:
                    continue
                if message["type"] == "subscribe":
                    # From now on every revocation reaches this process: entries may be trusted.
                    cache.trust(True)
                    self._retry_delay = _RETRY_FIRST_S
                    log.info("revocations: subscribed to %s", channel(app))
                elif message["type"] == "message":
                    self._handle(app, message["data"])
        except Exception as exc:
            log.warning(
                "revocations: lost Redis (%s); actor cache bypassed until resubscribed",
                exc.__class__.__name__,
            )
        finally:
            cache.trust(False)
            with contextlib.suppress(Exception):
                pubsub.close()

    def _handle(self, app: Flask, data: bytes) -> None:
        try:
            message = json.loads(data)
            if message.get("origin") == _ORIGIN:
                return  # applied already, when announced
            with app.app_context():
                _apply(app, message)
        except Exception:
            # An unreadable message may have named anyone: forget everyone rather than guess.
            log.exception("revocations: could not apply %r", data)
            identity.actor_cache(app).clear()


listener = RevocationListener()

"""The revocation listener against a real Redis: applies announcements, resubscribes when lost."""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest
from flask import Flask

from companion.core.actor_cache import ActorCache
from companion.core.actors import Actor
from companion.core.tokens import TokenClaims
from companion.realtime.revocation import RevocationListener, channel
from tests.conftest import REDIS_URL, make_config, redis_or_skip

CLAIMS = TokenClaims("staff", 1, 0)
ACTOR = Actor(kind="staff", id=1, name="Sam", role="moderator")


@pytest.fixture
def shared():
    publisher = redis_or_skip()
    app = Flask("revocation-test")
    app.config["COMPANION"] = make_config(
        "sqlite://", message_queue=REDIS_URL, queue_channel=f"test-{uuid.uuid4().hex[:8]}"
    )
    app.extensions["companion_actor_cache"] = ActorCache(trusted=False)
    yield app, publisher
    publisher.close()


def _eventually(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _serves(cache: ActorCache) -> bool:
    """Whether the cache keeps and serves an actor now (it is trusted)."""
    cache.put(CLAIMS, ACTOR, cache.generation)
    return cache.get(CLAIMS) is ACTOR


def _listen(listener, app, client, cache) -> threading.Thread:
    thread = threading.Thread(
        target=listener.listen_until_lost, args=(app, client, cache), daemon=True
    )
    thread.start()
    return thread


def _kill(publisher, name: str) -> None:
    """Close the listener's connection from the server side, as a Redis restart would."""
    for connection in publisher.client_list():
        if connection["name"] == name:
            publisher.client_kill_filter(_id=connection["id"])


def test_the_listener_evicts_then_bypasses_the_cache_until_resubscribed(shared):
    app, publisher = shared
    cache = app.extensions["companion_actor_cache"]
    listener = RevocationListener()
    client = listener.client(app)
    name = client.connection_pool.connection_kwargs["client_name"]

    thread = _listen(listener, app, client, cache)
    _eventually(lambda: _serves(cache))
    message = {"subjects": [["staff", 1]], "disconnect": False, "origin": "another process"}
    publisher.publish(channel(app), json.dumps(message))
    _eventually(lambda: cache.get(CLAIMS) is None)

    for _ in range(2):  # lost, and lost again after resubscribing
        _serves(cache)
        _kill(publisher, name)
        thread.join(timeout=10)
        assert not thread.is_alive()
        assert cache.get(CLAIMS) is None
        assert not _serves(cache)  # bypassed while not subscribed
        thread = _listen(listener, app, client, cache)
        _eventually(lambda: _serves(cache))
    _kill(publisher, name)
    thread.join(timeout=10)

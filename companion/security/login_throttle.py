"""Per-account login throttling: backoff after repeated failures, bounded against lock-outs.

The per-address budget (ratelimit.LIMITS["login"]) does not stop guessing one account's
password from many addresses. Here each account counts its failed logins over a window;
past ``FREE_FAILURES`` each new attempt must wait ``2**(n - FREE_FAILURES)`` seconds after
the last failure, at most ``MAX_DELAY_S``. Refused attempts do not count, so the wait never
grows past that ceiling: a third party can slow an account's login to one try a minute,
never lock it out for long. And an address the account logged in from before keeps its own,
separate count, so a stranger's failures do not slow the staff member at their usual desk.

Counts live in Redis when a message queue is configured (every process sees them), in this
process otherwise; keys hold a hash of the e-mail address, never the address itself.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable

from flask import current_app

from ..core.errors import RateLimited, Unauthorized
from ..core.i18n import N_

log = logging.getLogger(__name__)

FREE_FAILURES = 5
MAX_DELAY_S = 60
WINDOW_S = 15 * 60
KNOWN_ADDRESS_S = 30 * 24 * 3600


def delay_after(failures: int) -> int:
    """Seconds an account waits after its ``failures``-th failure in the window."""
    if failures < FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES), MAX_DELAY_S)


class _MemoryStore:
    """Failures and known addresses of this process, expiring like their Redis twins."""

    #: Past this many keys, expired ones are swept (strangers choose the e-mails they try).
    SWEEP_ABOVE = 50_000

    def __init__(self, clock: Callable[[], float]):
        self.clock = clock
        self._values: dict[str, tuple[float, float]] = {}  # key -> (value, expires at)
        self._lock = threading.Lock()

    def get(self, key: str) -> float | None:
        with self._lock:
            found = self._values.get(key)
            if found is None or found[1] <= self.clock():
                self._values.pop(key, None)
                return None
            return found[0]

    def set(self, key: str, value: float, ttl: int) -> None:
        with self._lock:
            self._sweep()
            self._values[key] = (value, self.clock() + ttl)

    def _sweep(self) -> None:
        if len(self._values) > self.SWEEP_ABOVE:
            now = self.clock()
            self._values = {k: v for k, v in self._values.items() if v[1] > now}

    def incr(self, key: str, ttl: int) -> int:
        with self._lock:
            now = self.clock()
            found = self._values.get(key)
            count = int(found[0]) + 1 if found and found[1] > now else 1
            self._values[key] = (count, now + ttl)
            return count

    def delete(self, key: str) -> None:
        with self._lock:
            self._values.pop(key, None)


class _RedisStore:
    def __init__(self, client):
        self.client = client

    def get(self, key: str) -> float | None:
        value = self.client.get(key)
        return None if value is None else float(value)

    def set(self, key: str, value: float, ttl: int) -> None:
        self.client.set(key, value, ex=ttl)

    def incr(self, key: str, ttl: int) -> int:
        pipe = self.client.pipeline()
        pipe.incr(key)
        pipe.expire(key, ttl)
        return int(pipe.execute()[0])

    def delete(self, key: str) -> None:
        self.client.delete(key)


class LoginThrottle:
    """The per-account throttle of one application (bound by :func:`init_login_throttle`)."""

    def __init__(self, store, prefix: str, enabled: bool, clock: Callable[[], float]):
        self.store = store
        self.prefix = prefix
        self.enabled = enabled
        self.clock = clock

    def _scope(self, email: str, address: str) -> str:
        account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
        known = self.store.get(f"{self.prefix}:known:{account}:{address}")
        # A known address counts on its own; every other address shares the account's count.
        return f"{account}:{address}" if known else account

    def check(self, email: str, address: str) -> None:
        """Raise RateLimited while this account must wait after its latest failures."""
        if not self.enabled:
            return
        try:
            scope = self._scope(email, address)
            failures = self.store.get(f"{self.prefix}:fail:{scope}")
            last = self.store.get(f"{self.prefix}:last:{scope}")
        except Exception:  # storage away: the per-address budget still applies
            log.warning("login throttle storage unavailable; account not throttled")
            return
        if not failures or last is None:
            return
        wait = delay_after(int(failures)) - (self.clock() - last)
        if wait > 0:
            raise RateLimited(
                N_("Too many failed logins for this account; wait a moment and try again."),
                details={"retry_after_s": int(wait) + 1},
            )

    def failed(self, email: str, address: str) -> None:
        if not self.enabled:
            return
        try:
            scope = self._scope(email, address)
            self.store.incr(f"{self.prefix}:fail:{scope}", WINDOW_S)
            self.store.set(f"{self.prefix}:last:{scope}", self.clock(), WINDOW_S)
        except Exception:
            log.warning("login throttle storage unavailable; failure not counted")

    def succeeded(self, email: str, address: str) -> None:
        """Forget the failures of the count this login used; remember the address as known."""
        if not self.enabled:
            return
        try:
            scope = self._scope(email, address)
            self.store.delete(f"{self.prefix}:fail:{scope}")
            self.store.delete(f"{self.prefix}:last:{scope}")
            account = scope.split(":", 1)[0]
            self.store.set(f"{self.prefix}:known:{account}:{address}", 1, KNOWN_ADDRESS_S)
        except Exception:
            log.warning("login throttle storage unavailable; success not recorded")

    def guard(self, email: str, address: str, authenticate: Callable[[], object]):
        """Run ``authenticate()`` under the throttle: check first, then count its outcome."""
        self.check(email, address)
        try:
            result = authenticate()
        except Unauthorized:
            self.failed(email, address)
            raise
        self.succeeded(email, address)
        return result


def init_login_throttle(app, clock: Callable[[], float] = time.time) -> None:
    config = app.config["COMPANION"]
    redis_client = app.extensions.get("companion_redis")
    store = _RedisStore(redis_client) if redis_client is not None else _MemoryStore(clock)
    app.extensions["companion_login_throttle"] = LoginThrottle(
        store, f"{config.queue_channel}:login", config.rate_limits_enabled, clock
    )


def login_throttle() -> LoginThrottle:
    return current_app.extensions["companion_login_throttle"]

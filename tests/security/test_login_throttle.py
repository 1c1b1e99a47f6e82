"""Per-account login throttling: backoff from many addresses, no long lock-out (issue 16, 8)."""

import itertools

import pytest

from companion import create_app
from companion.core.errors import RateLimited
from companion.extensions import db
from companion.participants import service
from companion.security.login_throttle import MAX_DELAY_S, delay_after, init_login_throttle
from tests.conftest import make_config

EMAIL, PASSWORD = "moderatrice@example.org", "correct horse battery"
_addresses = (f"198.51.100.{i}" for i in itertools.count(1))


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def throttled(database_url):
    app = create_app(make_config(database_url, rate_limits_enabled=True))
    clock = Clock()
    init_login_throttle(app, clock=clock)
    with app.app_context():
        service.create_staff(EMAIL, PASSWORD, "moderator", "Modératrice")
        db.session.commit()
        yield app.test_client(), clock
        db.session.remove()
        db.engine.dispose()


def _login(http, password, address=None):
    return http.post(
        "/api/v1/auth/login",
        json={"email": EMAIL, "password": password},
        environ_base={"REMOTE_ADDR": address or next(_addresses)},
    )


def test_the_delay_doubles_and_stays_bounded():
    assert [delay_after(n) for n in range(4, 9)] == [0, 1, 2, 4, 8]
    assert delay_after(1000) == MAX_DELAY_S


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_failures_from_many_addresses_slow_the_account_down(throttled):
    http, clock = throttled
    for _ in range(5):
        assert _login(http, "guess").status_code == 401
    # Sixth try at once, even with the right password from a new address: wait first.
    refused = _login(http, PASSWORD)
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert refused.get_json()["error"]["details"]["retry_after_s"] >= 1
    assert int(refused.headers["Retry-After"]) >= 1
    clock.now += 1
    assert _login(http, "guess").status_code == 401  # 6th failure: now 2 s
    assert _login(http, "guess").status_code == 429
    clock.now += 2
    assert _login(http, "guess").status_code == 401
    # However many failures, the wait never passes MAX_DELAY_S, and refusals do not extend it.
    for _ in range(12):
        clock.now += MAX_DELAY_S
        assert _login(http, "guess").status_code == 401
    for _ in range(5):
        clock.now += 10
        assert _login(http, PASSWORD).status_code == 429
    clock.now += MAX_DELAY_S - 50
    ok = _login(http, PASSWORD)
    assert ok.status_code == 200, ok.get_json()
    assert ok.get_json()["token"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_stranger_cannot_lock_staff_out_of_their_usual_address(throttled):
    http, _clock = throttled
    desk = "192.0.2.10"
    assert _login(http, PASSWORD, desk).status_code == 200
    for _ in range(9):
        _login(http, "guess")
    assert _login(http, "guess").status_code == 429  # strangers wait ...
    answer = _login(http, PASSWORD, desk)  # ... the staff member at their desk does not
    assert answer.status_code == 200, answer.get_json()


def test_processes_share_the_count_through_redis():
    """With a message queue, every process reads the same per-account count from Redis."""
    import uuid

    import redis

    from companion.security.login_throttle import LoginThrottle, _RedisStore
    from tests.e2e.conftest import REDIS_URL

    client = redis.Redis.from_url(REDIS_URL)
    prefix = f"test-throttle-{uuid.uuid4().hex[:8]}"
    clock = Clock()
    one, two = (LoginThrottle(_RedisStore(client), prefix, True, clock) for _ in range(2))
    try:
        for index in range(5):
            (one if index % 2 else two).failed(EMAIL, f"198.51.100.{index}")
        with pytest.raises(RateLimited):
            one.check(EMAIL, "203.0.113.1")
        with pytest.raises(RateLimited):
            two.check(EMAIL, "203.0.113.2")
        clock.now += 1
        two.check(EMAIL, "203.0.113.2")
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()

"""Prometheus metrics of one process, and ``GET /metrics`` to scrape them.

Several processes: each process serves its own figures, every series labelled with
``process`` (host and pid). Prometheus scrapes each process as a target of its own (as it
must anyway for processes on several hosts) and sums across them with ``sum without
(process)``. This needs no shared directory and no clean-up of dead processes' files, which
prometheus_client's multiprocess mode would, and it keeps per-process figures (a stuck
process shows as one).

Another package adds a figure with one line, read at scrape time::

    metrics.register_gauge("companion_outbox_backlog", "Mails waiting to be sent", count_fn)
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator

from flask import Response, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import TimeoutError as SqlTimeout
from sqlalchemy.pool import QueuePool

log = logging.getLogger(__name__)
# The *_created series double the output and no dashboard of ours reads them.
disable_created_metrics()

#: Figures of this process; the exposition adds the ``process`` label to each series.
REGISTRY = CollectorRegistry(auto_describe=True)
PROCESS = os.environ.get("COMPANION_PROCESS_NAME") or f"{socket.gethostname()}:{os.getpid()}"

SOCKET_EVENTS = Counter(
    "companion_socket_events",
    "Client events handled, by event name and outcome (ok or the error code).",
    ["event", "outcome"],
    registry=REGISTRY,
)
ACK_LATENCY = Histogram(
    "companion_ack_latency_seconds",
    "Time from receiving a client event to its acknowledgement.",
    ["event"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
BROADCASTS = Counter(
    "companion_broadcasts",
    "Server-to-client broadcasts emitted to a room, by event name.",
    ["event"],
    registry=REGISTRY,
)
HTTP_REQUESTS = Counter(
    "companion_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_LATENCY = Histogram(
    "companion_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template.",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
DB_POOL_WAITS = Counter(
    "companion_db_pool_waits",
    "Database checkouts that found every pooled connection busy and had to wait.",
    registry=REGISTRY,
)
DB_POOL_WAIT_SECONDS = Histogram(
    "companion_db_pool_wait_seconds",
    "How long those checkouts waited for a connection.",
    buckets=(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30),
    registry=REGISTRY,
)
DB_POOL_TIMEOUTS = Counter(
    "companion_db_pool_timeouts",
    "Checkouts that gave up waiting for a connection.",
    registry=REGISTRY,
)
COALESCER_FLUSH_LAG = Histogram(
    "companion_coalescer_flush_lag_seconds",
    "Delay from a figure's first change to its coalesced broadcast.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
    registry=REGISTRY,
)
GROUP_COMMIT_SIZE = Histogram(
    "companion_group_commit_size",
    "Contributions (votes, upvotes, questions) committed together in one transaction.",
    buckets=(1, 2, 5, 10, 25, 50, 100, 250, 500),
    registry=REGISTRY,
)
GROUP_COMMIT_CAREFUL = Counter(
    "companion_group_commit_careful_total",
    "Group commits run again with a savepoint per contribution (a refusal after a write, a "
    "resend beside its first send, an unexpected error).",
    registry=REGISTRY,
)
ProcessCollector(registry=REGISTRY)

GaugeCallback = Callable[[], float | dict[tuple[str, ...], float] | None]


class _CallbackGauges(Collector):
    """Gauges read at scrape time from callbacks other packages register."""

    def __init__(self) -> None:
        self._gauges: dict[str, tuple[str, tuple[str, ...], GaugeCallback]] = {}
        self._lock = threading.Lock()

    def register(
        self, name: str, documentation: str, callback: GaugeCallback, labels: tuple[str, ...] = ()
    ) -> None:
        with self._lock:
            self._gauges[name] = (documentation, tuple(labels), callback)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            gauges = list(self._gauges.items())
        for name, (documentation, labels, callback) in gauges:
            try:
                value = callback()
            except Exception:  # one broken figure must not hide the others
                log.warning("metric %s could not be read", name, exc_info=True)
                continue
            if value is None:
                continue
            family = GaugeMetricFamily(name, documentation, labels=list(labels))
            if isinstance(value, dict):
                for label_values, number in value.items():
                    family.add_metric(list(label_values), float(number))
            else:
                family.add_metric([], float(value))
            yield family


_callbacks = _CallbackGauges()
REGISTRY.register(_callbacks)


def register_gauge(
    name: str, documentation: str, callback: GaugeCallback, labels: tuple[str, ...] = ()
) -> None:
    """Expose ``callback()`` as the gauge ``name``, read at each scrape (in the app context).

    The callback returns a number, None (nothing to show now), or ``{label values: number}``
    when ``labels`` are given. Registering a name again replaces its callback.
    """
    _callbacks.register(name, documentation, callback, labels)


class _WithProcessLabel(Collector):
    """Every series of REGISTRY, with this process's ``process`` label added."""

    def collect(self):
        for family in REGISTRY.collect():
            family.samples = [
                sample._replace(labels={**sample.labels, "process": PROCESS})
                for sample in family.samples
            ]
            yield family


_EXPOSED = CollectorRegistry(auto_describe=False)
_EXPOSED.register(_WithProcessLabel())


def exposition() -> bytes:
    """This process's figures in the Prometheus text format."""
    return generate_latest(_EXPOSED)


def _is_loopback_client() -> bool:
    """A client on this machine, not a request relayed by a proxy on this machine."""
    if request.headers.get("X-Forwarded-For") or request.headers.get("Forwarded"):
        return False
    try:
        return ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        return False


def metrics_allowed() -> bool:
    """Loopback clients, or a bearer token equal to COMPANION_METRICS_TOKEN."""
    expected = current_app.config["COMPANION"].metrics_token
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    if expected and scheme.lower() == "bearer" and given.strip():
        return hmac.compare_digest(given.strip().encode(), expected.encode())
    return _is_loopback_client()


def metrics_view() -> Response:
    """``GET /metrics``: the figures, or a JSON 403 for anyone else."""
    from .errors import Forbidden
    from .http import error_response
    from .i18n import N_

    if not metrics_allowed():
        return error_response(
            Forbidden(N_("Metrics are open to this machine or to the metrics token only."))
        )
    return Response(exposition(), content_type=CONTENT_TYPE_LATEST)


def init_metrics(app) -> None:
    """Route ``/metrics`` and the figures read from this application's state."""
    from ..extensions import db

    app.add_url_rule("/metrics", endpoint="metrics", view_func=metrics_view, methods=["GET"])

    def pool_in_use() -> float | None:
        pool = db.engine.pool
        return pool.checkedout() if hasattr(pool, "checkedout") else None

    register_gauge(
        "companion_db_pool_in_use", "Database connections checked out of the pool.", pool_in_use
    )


class MeteredQueuePool(QueuePool):
    """A QueuePool that counts the checkouts that had to wait for a busy pool."""

    def _do_get(self):
        limit = self.size() + max(self._max_overflow, 0)
        if self._max_overflow < 0 or self.checkedout() < limit:
            return super()._do_get()
        started = time.perf_counter()
        DB_POOL_WAITS.inc()
        try:
            return super()._do_get()
        except SqlTimeout:
            DB_POOL_TIMEOUTS.inc()
            raise
        finally:
            DB_POOL_WAIT_SECONDS.observe(time.perf_counter() - started)

"""The application's log: one line per request and per socket event, as text or JSON.

Lines at INFO carry what an operator needs (what, outcome, session, duration) and no
personal data: routes are logged by their template (``/join/<code>``, never the code or a
token), socket events by name, never a payload, an e-mail or a question's text.
``COMPANION_LOG_FORMAT=json`` writes one JSON object per line for log shippers.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, request

from . import metrics

#: One line per HTTP request answered.
http_log = logging.getLogger("companion.access")
#: One line per client socket event answered.
event_log = logging.getLogger("companion.events")

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Fields a record may carry (``extra=``) that the JSON line shows as its own keys.
FIELDS = (
    "kind",
    "method",
    "route",
    "status",
    "event",
    "outcome",
    "session_id",
    "duration_ms",
)
# Methods counted by name; any other (a client may send anything) is counted as OTHER.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Quiet at INFO: static files and the health check answer many times a minute.
QUIET_PREFIXES = ("/static/", "/vendor/", "/healthz", "/metrics", "/favicon")


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the known fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(fmt: str = "text", level: int = logging.INFO, stream=None) -> None:
    """Send the log to stderr (or ``stream``) in ``fmt``, replacing earlier handlers."""
    if fmt not in LOG_FORMATS:
        raise ValueError(f"COMPANION_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # Neither format shows them, and each record would look them up: under eventlet the
    # current thread is a wrapper made anew for each handler's greenlet (the logging docs'
    # "Optimization" section).
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    # Engine.IO/Socket.IO and the WSGI server have their own chatter; keep warnings only.
    for noisy in ("engineio", "socketio", "werkzeug", "eventlet.wsgi"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _session_of(view_args: dict | None) -> int | None:
    value = (view_args or {}).get("session_id")
    return value if isinstance(value, int) else None


def install_request_log(app: Flask) -> None:
    """Log and count every HTTP request once it is answered."""

    @app.before_request
    def _start_clock():
        g.companion_started = time.perf_counter()

    @app.after_request
    def _log_request(response):
        started = g.pop("companion_started", None)
        if started is None:
            return response
        duration = time.perf_counter() - started
        route = request.url_rule.rule if request.url_rule is not None else "(unrouted)"
        method = request.method if request.method in METHODS else "OTHER"
        metrics.HTTP_REQUESTS.labels(method, route, str(response.status_code)).inc()
        metrics.HTTP_LATENCY.labels(route).observe(duration)
        quiet = request.path.startswith(QUIET_PREFIXES) and response.status_code < 400
        session_id = _session_of(request.view_args)
        http_log.log(
            logging.DEBUG if quiet else logging.INFO,
            "%s %s %s session=%s %.1fms",
            request.method,
            route,
            response.status_code,
            session_id if session_id is not None else "-",
            duration * 1000,
            extra={
                "kind": "http",
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "session_id": session_id,
                "duration_ms": round(duration * 1000, 1),
            },
        )
        return response


def session_in(data: Any, answer: dict) -> int | None:
    """The session an event was about: in its payload, else in what it answered."""
    for source in (data, answer.get("data")):
        if not isinstance(source, dict):
            continue
        value = source.get("session_id")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        for nested in source.values():
            if isinstance(nested, dict):
                value = nested.get("session_id")
                if isinstance(value, int) and not isinstance(value, bool):
                    return value
    return None


def record_event(name: str, data: Any, answer: dict, duration: float) -> None:
    """Count, time and log one client event's outcome (``name`` is a known event or "(unknown)")."""
    outcome = "ok" if answer.get("ok") else str(answer.get("error", {}).get("code", "invalid"))
    metrics.SOCKET_EVENTS.labels(name, outcome).inc()
    metrics.ACK_LATENCY.labels(name).observe(duration)
    session_id = session_in(data, answer)
    event_log.info(
        "%s %s session=%s %.1fms",
        name,
        outcome,
        session_id if session_id is not None else "-",
        duration * 1000,
        extra={
            "kind": "event",
            "event": name,
            "outcome": outcome,
            "session_id": session_id,
            "duration_ms": round(duration * 1000, 1),
        },
    )

"""One dispatcher for every socket event: parse → authorise → call → commit → acknowledge.

Handlers are registered with :func:`socket_event` and never repeat these steps, so none can
forget one (OpenSlides' payload schemas; Indico's process-args / check-access / process).
Each event declares its permission (core/permissions.py) and the payload field naming its
scope; the dispatcher loads that object once, checks the permission against its session, and
passes it to a handler that asks for ``target``.
"""

from __future__ import annotations

import inspect
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ..core import identity, origin, permissions, scopes
from ..core.actors import Actor, actor_key
from ..core.errors import DomainError, Forbidden, Invalid, Unauthorized, Unavailable
from ..core.i18n import N_
from ..core.logs import record_event
from ..core.schemas import Schema, parse
from ..core.timeutil import utcnow
from ..extensions import db, socketio
from . import hub
from .connections import connections
from .groupcommit import Contribution, group_commit, record_receipt
from .models import ClientReceipt

log = logging.getLogger(__name__)

#: The answer to an event that failed for a reason the server did not expect.
UNEXPECTED = N_("Something went wrong on the server; try again.")

Handler = Callable[..., dict]


@dataclass(frozen=True)
class SocketEvent:
    """A client→server event: its name, payload schema, permission, scope and handler."""

    name: str
    schema: type[Schema]
    permission: str  # one of core.permissions.PERMISSIONS
    scope: str | None  # the payload field naming what the permission is checked against
    handler: Handler
    idempotent: bool  # carries a client_id: a resend answers the first result
    rate_limit: str | None  # bucket name for rate limiting, None: not limited
    wants_target: bool  # the handler takes ``target=``: the object the scope loaded
    grouped: bool  # committed with the others arriving together (groupcommit.py)


EVENTS: dict[str, SocketEvent] = {}
#: Called before a handler with (event, actor); may raise RateLimited. Set by the security layer.
before_handlers: list[Callable[[SocketEvent, Actor], None]] = []


def socket_event(
    name: str,
    schema: type[Schema],
    *,
    permission: str,
    scope: str | None = None,
    idempotent: bool = False,
    rate_limit: str | None = None,
    grouped: bool = False,
):
    """Register ``handler(actor, payload[, target=]) -> dict`` as the socket event ``name``.

    :param scope: the payload field whose object the permission is checked against
        (``"session_id"``, ``"poll_id"`` …; its domain registers the resolver).
    :param grouped: a hot-path contribution (vote, upvote, question): run in a group commit
        with the others arriving together. Its handler must not use the current origin (it
        may run in another event's context) nor depend on the order within a batch.
    """
    if permission not in permissions.PERMISSIONS:
        raise ValueError(f"socket event {name!r}: unknown permission {permission!r}")
    if scope is not None and scope not in schema.model_fields:
        raise ValueError(f"socket event {name!r}: {schema.__name__} has no field {scope!r}")

    def decorator(handler: Handler) -> Handler:
        if name in EVENTS:
            raise RuntimeError(f"socket event {name!r} registered twice")
        wants_target = "target" in inspect.signature(handler).parameters
        EVENTS[name] = SocketEvent(
            name, schema, permission, scope, handler, idempotent, rate_limit, wants_target, grouped
        )
        return handler

    return decorator


def check_events() -> None:
    """Refuse to start if an event's scope has no resolver (import_domains calls it)."""
    missing = {s.scope for s in EVENTS.values() if s.scope} - scopes.known_scopes()
    if missing:
        raise RuntimeError(f"no resolver registered for the scopes {sorted(missing)}")


def bind_events(app: Flask) -> None:
    """Attach every registered event to ``app``'s Socket.IO server (after ``socketio.init_app``).

    On python-socketio's server itself, not through Flask-SocketIO, whose handlers rebuild the
    handshake's request for every event (cookie session decoded, URL routed: a tenth of a
    vote's CPU). An event runs instead in an application context of its own that carries its
    connection's :class:`~companion.core.origin.Origin`, read once at connect.
    """
    for spec in EVENTS.values():
        socketio.server.on(spec.name, _make_entry(app, spec.name), namespace="/")


def _make_entry(app: Flask, name: str):
    def entry(sid: str, data=None, *extra):
        started = time.perf_counter()
        conn = connections.get(sid)
        with app.app_context():
            if conn is not None:
                origin.enter(conn.origin)
            try:
                # Looked up at each call, so a test may stand a spy in for a handler.
                answer = dispatch(EVENTS[name], data, sid, extra)
            except Exception:
                # The handler runs on its connection's reader (``async_handlers=False``): an
                # error escaping here would close the connection instead of answering. The
                # application context's end rolls back what it left.
                log.exception("unexpected error in %s", name)
                answer = failure(Unavailable(UNEXPECTED))
            observe(name, data, answer, time.perf_counter() - started)
        return answer

    entry.__name__ = "on_" + name.replace(".", "_")
    return entry


def current_sid() -> str:
    """The socket id of the connection whose event is being handled."""
    event_origin = origin.current()
    if event_origin is None:
        raise RuntimeError("current_sid() is only known while a socket event is handled")
    return event_origin.sid


def observe(name: str, data: Any, answer: dict, duration: float) -> None:
    """Count and log an answered event; never let that disturb the acknowledgement."""
    try:
        record_event(name, data, answer, duration)
    except Exception:
        log.exception("could not record the outcome of %s", name)


def ok(data: dict) -> dict:
    return {"ok": True, "data": data}


def failure(error: DomainError) -> dict:
    return {"ok": False, "error": error.to_dict()}


def dispatch(spec: SocketEvent, data: Any, sid: str, extra: tuple = ()) -> dict:
    """Run one client event through every step and return its acknowledgement."""
    if spec.grouped:
        return _dispatch_grouped(spec, data, sid, extra)
    return _dispatch(spec, data, sid, extra)


def _dispatch(spec: SocketEvent, data: Any, sid: str, extra: tuple) -> dict:
    """Run the event in a transaction of its own."""
    try:
        answer = _execute(spec, data, _claims(sid), extra, _receipt)
        db.session.commit()
        return answer
    except Exception as exc:
        db.session.rollback()
        return _refusal(spec, data, sid, exc)


def _dispatch_grouped(spec: SocketEvent, data: Any, sid: str, extra: tuple) -> dict:
    """Run the event in the group commit under way; answer once its batch has committed."""
    try:
        claims = _claims(sid)
    except DomainError as error:
        return failure(error)
    # Parsed here, in this connection's context: a refusal's details are worded in its
    # language when raised, and the batch runs in another event's. Raised there, after the
    # role check, so that a wrong role still learns nothing of the payload.
    parsed: Schema | DomainError
    try:
        _check_size(data)
        parsed = parse(spec.schema, data)
    except DomainError as error:
        parsed = error
    config = current_app.config["COMPANION"]
    client_id = getattr(parsed, "client_id", None) if spec.idempotent else None
    scope_id = getattr(parsed, spec.scope, None) if spec.scope else None
    contribution = Contribution(
        lambda receipts: _execute(
            spec,
            data,
            claims,
            extra,
            lambda actor, cid: receipts.get((actor.key, cid)),
            parsed=parsed,
        ),
        receipt_key=(actor_key(claims.kind, claims.subject_id), client_id) if client_id else None,
        lock_order=(spec.scope or "", scope_id or 0),
    )
    group_commit.submit(contribution, tick=config.group_commit_s, max_batch=config.group_commit_max)
    if contribution.alone:
        return _dispatch(spec, data, sid, extra)
    if contribution.error is not None:
        return _refusal(spec, data, sid, contribution.error)
    return contribution.answer


def _execute(
    spec: SocketEvent,
    data: Any,
    claims,
    extra: tuple,
    find_receipt: Callable[[Actor, str], dict | None],
    *,
    parsed: Schema | DomainError | None = None,
) -> dict:
    """Parse → authorise → call, in the caller's transaction; return the acknowledgement.

    ``find_receipt(actor, client_id)`` answers a resend: the database's receipt, or the one a
    group commit read ahead for its whole batch in one query. ``parsed``: the payload, or the
    refusal of it, when the caller parsed it already.

    :raises DomainError: the event is refused; the caller rolls its changes back.
    """
    if extra:
        raise Invalid(N_("Send one payload object per event."))
    actor = identity.actor_for(claims)
    # The role first, before reading the payload: a wrong role learns nothing more.
    if not permissions.may_hold(actor, spec.permission):
        raise Forbidden(N_("%(event)s is not allowed for your role."), params={"event": spec.name})
    if parsed is None:
        _check_size(data)
        payload = parse(spec.schema, data)
    elif isinstance(parsed, DomainError):
        raise parsed
    else:
        payload = parsed
    for hook in before_handlers:
        hook(spec, actor)
    if spec.idempotent:
        # A resend answers what the first send answered, even if its object is gone since.
        previous = find_receipt(actor, payload.client_id)
        if previous is not None:
            return previous
    target = scopes.resolve(spec.scope, getattr(payload, spec.scope)) if spec.scope else None
    permissions.check(actor, spec.permission, target)
    if target is not None:
        # The next contribution of a group commit finds it (a poll with its options) unreloaded.
        hub.hold(target.obj)
    if spec.wants_target:
        result = spec.handler(actor, payload, target=target.obj if target else None)
    else:
        result = spec.handler(actor, payload)
    answer = ok(result if result is not None else {})
    if spec.idempotent:
        record_receipt(
            {
                "actor_key": actor.key,
                "client_id": payload.client_id,
                "event": spec.name,
                "result": answer,
                "created_at": utcnow(),
            }
        )
    return answer


def _refusal(spec: SocketEvent, data: Any, sid: str, exc: BaseException) -> dict:
    """The acknowledgement of an event that failed with ``exc`` (its changes rolled back)."""
    if isinstance(exc, DomainError):
        return failure(exc)
    if isinstance(exc, IntegrityError):
        # Two resends raced: the other one committed; answer what it answered.
        if spec.idempotent and isinstance(data, dict):
            try:
                previous = _receipt(identity.actor_for(_claims(sid)), data.get("client_id"))
            except DomainError as error:
                return failure(error)
            if previous is not None:
                return previous
        log.warning("integrity error in %s", spec.name, exc_info=exc)
        return failure(Invalid(N_("This change conflicts with another one; try again.")))
    if isinstance(exc, (OperationalError, DBAPIError, PoolTimeout)):
        log.warning("database unavailable during %s", spec.name)
        return failure(Unavailable(N_("The database is unavailable; try again in a moment.")))
    log.error("unexpected error in %s", spec.name, exc_info=exc)
    return failure(Unavailable(UNEXPECTED))


def _claims(sid: str):
    conn = connections.get(sid)
    if conn is None:
        raise Unauthorized(N_("This connection is not authenticated; reconnect with a token."))
    return conn.claims


def _check_size(data: Any) -> None:
    limit = current_app.config["COMPANION"].max_payload_bytes
    try:
        size = len(json.dumps(data, ensure_ascii=False, default=str).encode())
    except (TypeError, ValueError, RecursionError):
        raise Invalid(N_("The payload is not valid JSON.")) from None
    if size > limit:
        raise Invalid(
            N_("The payload is too large (%(size)s bytes; at most %(limit)s)."),
            params={"size": size, "limit": limit},
        )


def _receipt(actor: Actor, client_id: str | None) -> dict | None:
    if not client_id:
        return None
    return db.session.scalar(
        select(ClientReceipt.result).where(
            ClientReceipt.actor_key == actor.key, ClientReceipt.client_id == client_id
        )
    )

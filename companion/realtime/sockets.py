"""Connect, disconnect, session.join and session.leave: the doors of the live spine."""

from __future__ import annotations

import logging
import time

from flask import current_app, request
from flask_babel import get_locale
from flask_babel import refresh as refresh_locale
from flask_socketio import ConnectionRefusedError, join_room, leave_room
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ..core import identity
from ..core.actors import Actor, actor_key
from ..core.errors import DomainError, Invalid, NotFound, Unavailable
from ..core.i18n import N_
from ..core.origin import Origin
from ..core.permissions import WATCH
from ..core.schemas import Id, Schema
from ..core.urls import public_base
from ..extensions import db, socketio
from .coalesce import coalescer
from .connections import connections
from .dispatcher import current_sid, failure, observe, socket_event
from .hub import current_seq, visible_to
from .presence import presence
from .replay import replay_tails
from .revocation import listener as revocations
from .rooms import participant_room, session_room, staff_room
from .snapshot import Join, build_snapshot, snapshot_part
from .wirejson import INVALID_PAYLOAD

log = logging.getLogger(__name__)


def _refusal(error: DomainError) -> ConnectionRefusedError:
    """The connect error a client reads: its message, and the error itself as ``data``.

    python-socketio sends a single argument as the text of ``message`` only: the error's
    code was lost, and pages took a refusal for a network failure and retried for ever.
    """
    answer = error.to_dict()
    return ConnectionRefusedError(answer["message"], answer)


@socketio.on("connect")
def on_connect(auth=None):
    """Accept a connection only with a valid participant or staff token."""
    token = auth.get("token") if isinstance(auth, dict) else None
    try:
        claims = identity.signer().verify(token)
        identity.actor_for(claims)
    except DomainError as error:
        raise _refusal(error) from None
    except (OperationalError, DBAPIError, PoolTimeout):
        db.session.rollback()
        raise _refusal(Unavailable(N_("The database is unavailable; try again soon."))) from None
    # What the events will need of this handshake, read once: they run without its request.
    # The language chosen afresh: the application context may be shared (a test's client).
    refresh_locale()
    connections.add(claims, Origin(request.sid, str(get_locale() or "fr"), public_base()))
    app = current_app._get_current_object()
    coalescer.start(app)
    revocations.start(app)
    return True


def on_disconnect(sid: str, _reason=None) -> None:
    """Forget the connection and count it out of its sessions' presence.

    Needs neither a request nor an application, so it is bound on python-socketio's server
    (:func:`bind_disconnect`): Flask-SocketIO's wrapper rebuilt the handshake's request for each
    disconnect, nine tenths of its cost, and after a mass disconnect (a network cut, a proxy
    restarted) every other event, a moderator's included, waited behind those rebuilds.
    """
    conn = connections.remove(sid)
    if conn is None:
        return
    for session_id in conn.sessions:
        presence.left(
            session_id,
            actor_key(conn.claims.kind, conn.claims.subject_id),
            is_staff=conn.claims.kind != "participant",
        )


def bind_disconnect() -> None:
    """Attach :func:`on_disconnect` to the server (after ``socketio.init_app``)."""
    socketio.server.on("disconnect", on_disconnect, namespace="/")


@socketio.on("*")
def on_unknown_event(event, *_args):
    """Answer an event name nobody registered with ``not_found`` (contract), never silence."""
    started = time.perf_counter()
    if event == INVALID_PAYLOAD:
        name = "(invalid)"
        answer = failure(Invalid(N_("The payload is not valid JSON or is nested too deeply.")))
    else:
        # Counted under one name: a client must not be able to mint new metric series.
        name = "(unknown)"
        answer = failure(
            NotFound(
                N_("This server does not know this event."),
                details={"event": str(event)[:100]},
            )
        )
    observe(name, None, answer, time.perf_counter() - started)
    return answer


class JoinIn(Schema):
    session_id: Id
    since_seq: int | None = None


class LeaveIn(Schema):
    session_id: Id


# Speakers watch their session (the speaker view) and do nothing else: WATCH.
@socket_event("session.join", JoinIn, permission=WATCH, scope="session_id")
def join_session(actor: Actor, payload: JoinIn, target) -> dict:
    """Enter a session's rooms; answer a snapshot, or the broadcasts missed since ``since_seq``."""
    session = target
    sid = current_sid()
    join_room(session_room(session.id), sid=sid, namespace="/")
    if actor.is_staff:
        join_room(staff_room(session.id), sid=sid, namespace="/")
    elif actor.participant_id is not None:
        join_room(participant_room(actor.id), sid=sid, namespace="/")
    conn = connections.get(sid)
    if conn is not None and session.id not in conn.sessions:
        conn.sessions.add(session.id)
        presence.joined(session.id, actor.key, is_staff=actor.participant_id is None)
    # Read once in the rooms: every change emitted before is at or below this seq.
    seq = current_seq(session.id)
    since = payload.since_seq
    limit = current_app.config["COMPANION"].replay_limit
    if since is not None and 0 <= since <= seq and seq - since <= limit:
        events = [
            {"event": row.event, "data": row.payload}
            for row in replay_tails().missed(session.id, since, seq, keep=limit)
            if visible_to(row, is_staff=actor.is_staff, participant_id=actor.participant_id)
        ]
        return {"events": events, "seq": seq}
    return {"snapshot": build_snapshot(session, actor, seq), "seq": seq}


@socket_event("session.leave", LeaveIn, permission=WATCH, scope="session_id")
def leave_session(actor: Actor, payload: LeaveIn) -> dict:
    sid = current_sid()
    for room in (session_room(payload.session_id), staff_room(payload.session_id)):
        leave_room(room, sid=sid, namespace="/")
    if actor.participant_id is not None:
        leave_room(participant_room(actor.id), sid=sid, namespace="/")
    conn = connections.get(sid)
    if conn is not None and payload.session_id in conn.sessions:
        conn.sessions.discard(payload.session_id)
        presence.left(payload.session_id, actor.key, is_staff=actor.participant_id is None)
    return {"session_id": payload.session_id}


@snapshot_part("presence")
def _presence_part(join: Join) -> dict:
    """A figure: read at every join (local counts and Redis), never cached."""
    return presence.counts(join.session.id)


@snapshot_part("you")
def _you_part(join: Join) -> dict:
    actor = join.actor
    return {"kind": actor.kind, "id": actor.id, "name": actor.name, "role": actor.role}

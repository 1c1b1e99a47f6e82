"""HTTP API of the programme: events, their programme and calendar, health, OpenAPI."""

from __future__ import annotations

import io
from importlib.metadata import PackageNotFoundError, version

import segno
from flask import Response, current_app, jsonify, request
from sqlalchemy import text

from ..core import identity
from ..core.http import api, api_route, ops
from ..core.openapi import build_openapi
from ..core.permissions import MODERATE
from ..core.urls import external_url, session_link
from ..extensions import db
from . import service
from .calendar import build_calendar


def app_version() -> str:
    try:
        return version("companion")
    except PackageNotFoundError:
        return "0.1.0"


@api.get("/openapi.json")
def openapi_document():
    """Serve the OpenAPI document (registered outside api_route: it describes the others)."""
    return jsonify(build_openapi(app_version()))


@api_route("/events", summary="List the public events", tag="programme")
def list_events(actor, payload):
    return {"events": [service.event_dict(e, with_sessions=False) for e in service.list_events()]}


@api_route(
    "/events/<slug>",
    summary="An event's programme: sessions, agenda items in order, speakers",
    tag="programme",
)
def get_event(actor, payload, slug: str):
    return service.event_dict(service.load_event_tree(slug))


@api_route(
    "/events/<slug>/calendar.ics",
    summary="The event's sessions as an iCalendar file",
    description="With ?t=<personal registration token>: the webconference link of each "
    "session the person registered for, as LOCATION and URL.",
    tag="programme",
    produces=("text/calendar",),
)
def event_calendar(actor, payload, slug: str):
    event = service.load_event_tree(slug)
    allowed = _registered_sessions(event, request.args.get("t"))
    if allowed:
        # A person's own calendar: their sessions, their links, the webconference addresses.
        token = request.args["t"]
        sessions = [session for session in event.sessions if session.id in allowed]
        body = build_calendar(
            event,
            sessions,
            page_url=lambda session: session_link(session.id, token),
            with_webconference=True,
        )
    else:
        # Public: the programme page only, never a webconference address.
        public_page = external_url("pages.event_page", slug=event.slug)
        body = build_calendar(event, event.sessions, page_url=lambda session: public_page)
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{event.slug}.ics"'},
    )


def _registered_sessions(event, token: str | None) -> set[int]:
    """The sessions a personal registration token opens (none without a valid one)."""
    if not token:
        return set()
    return identity.registered_sessions(token, event.id)


@api_route(
    "/sessions/<int:session_id>/qr.svg",
    summary="A QR code (SVG) of the session's join link, for the projector (staff)",
    tag="programme",
    permission=MODERATE,
    scope="session_id",
    produces=("image/svg+xml",),
)
def session_qr(actor, payload, session_id: int, target):
    session = target
    link = join_link(session)
    qr = segno.make(link, error="m")
    # A standalone document (with its xmlns): it shows as an <img> as well as inlined.
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=8, dark="#111", light="#fff", title=link, xmldecl=False)
    return Response(
        out.getvalue(), mimetype="image/svg+xml", headers={"Cache-Control": "private, no-cache"}
    )


def join_link(session) -> str:
    """The address attendees open to join: by code where allowed, else registration."""
    if session.event.code_join_allowed:
        return external_url("pages.join_by_code", code=session.join_code)
    return external_url("pages.register_page", slug=session.event.slug)


@api_route(
    "/healthz",
    summary="Health of the database and the message queue",
    tag="operations",
    blueprint=ops,
)
def healthz(actor, payload):
    """Answer 200 when the database (and the queue, if configured) answer, else 503."""
    checks = {}
    failing = []
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any driver error means "not answering"
        db.session.rollback()
        checks["database"] = f"unavailable: {type(exc).__name__}"
        failing.append("database")
    redis_client = current_app.extensions.get("companion_redis")
    if redis_client is not None:
        try:
            redis_client.ping()
            checks["message_queue"] = "ok"
        except Exception as exc:
            checks["message_queue"] = f"unavailable: {type(exc).__name__}"
            failing.append("message_queue")
    body = {
        "status": "ok" if not failing else "unavailable",
        "checks": checks,
        "version": app_version(),
    }
    if failing:
        body["error"] = {
            "code": "unavailable",
            "message": f"Not answering: {', '.join(failing)}",
        }
        return body, 503
    return body

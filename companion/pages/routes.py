"""Pages: programme, registration, attendee session, staff login, console, projector, speaker."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from sqlalchemy import select
from werkzeug.exceptions import NotFound as HttpNotFound

from ..config import ROOT
from ..core.errors import NotFound
from ..core.redirects import safe_next
from ..extensions import db
from ..programme import service as programme
from ..programme.models import LiveSession

pages = Blueprint("pages", __name__)
VENDOR_FILES = {
    "socket.io.min.js": ROOT / "node_modules" / "socket.io-client" / "dist",
    "socket.io.min.js.map": ROOT / "node_modules" / "socket.io-client" / "dist",
}


def _session_or_404(session_id: int) -> LiveSession:
    try:
        return programme.get_session(session_id)
    except NotFound:
        abort(404)


def _event_or_404(slug: str):
    try:
        return programme.load_event_tree(slug)
    except NotFound:
        abort(404)


@pages.get("/")
def index():
    events = programme.list_events()
    code_join = any(event.code_join_allowed for event in events)
    if len(events) == 1 and not code_join:
        return redirect(url_for("pages.event_page", slug=events[0].slug))
    return render_template("index.html", events=events, code_join=code_join)


def normalise_code(code: str) -> str:
    """Codes are read aloud and typed on phones: ignore case, spaces and dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())[:16]


@pages.get("/join")
def join_with_code():
    """The home page's code field: go to the code's join page."""
    code = normalise_code(request.args.get("code", ""))
    if not code:
        return redirect(url_for("pages.index"))
    return redirect(url_for("pages.join_by_code", code=code))


@pages.get("/events/<slug>")
def event_page(slug: str):
    return render_template("event.html", event=_event_or_404(slug))


@pages.get("/events/<slug>/register")
def register_page(slug: str):
    return render_template("register.html", event=_event_or_404(slug))


@pages.get("/join/<code>")
def join_by_code(code: str):
    """Join with a code and a name (Slido-style), where the session's event allows it."""
    code = normalise_code(code)
    session = db.session.scalar(select(LiveSession).where(LiveSession.join_code == code))
    if session is None:
        return render_template("join_refused.html", code=code, session=None, event=None), 404
    if not session.event.code_join_allowed:
        return (
            render_template("join_refused.html", code=code, session=session, event=session.event),
            403,
        )
    return render_template(
        "join.html", session=session, event=session.event, code=session.join_code
    )


@pages.get("/sessions/<int:session_id>")
def session_page(session_id: int):
    session = _session_or_404(session_id)
    return render_template("session.html", session=session, event=session.event)


@pages.get("/login")
def login_page():
    return render_template("login.html", next=safe_next(request.args.get("next"), ""))


@pages.get("/console/<int:session_id>")
def console_page(session_id: int):
    session = _session_or_404(session_id)
    return render_template("console.html", session=session, event=session.event)


@pages.get("/projector/<int:session_id>")
def projector_page(session_id: int):
    session = _session_or_404(session_id)
    return render_template("projector.html", session=session, event=session.event)


@pages.get("/speaker/<int:session_id>")
def speaker_page(session_id: int):
    """The speaker view; the personal token comes in the address's fragment (#t=...)."""
    session = _session_or_404(session_id)
    return render_template("speaker.html", session=session, event=session.event)


@pages.get("/lang/<code>")
def switch_language(code: str):
    """Remember the chosen language in a cookie and go back where the person was."""
    if code not in ("fr", "en"):
        abort(404)
    response = make_response(redirect(safe_next(request.args.get("next"))))
    response.set_cookie("lang", code, max_age=60 * 60 * 24 * 365, samesite="Lax")
    return response


@pages.get("/vendor/<path:filename>")
def vendor(filename: str):
    """Serve front-end libraries installed from npm (no CDN at run time)."""
    folder = VENDOR_FILES.get(filename)
    if folder is None:
        raise HttpNotFound()
    return send_from_directory(folder, filename, max_age=3600)

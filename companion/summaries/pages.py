"""The facilitator's dashboard page: the event's sessions, their figures, previews, downloads.

The page itself holds only the public programme; figures and documents are fetched from the
API with the facilitator's token (static/js/dashboard.js), like the other staff pages.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from ..core.errors import NotFound
from ..programme import service as programme
from .render import EVENT_FORMATS, SESSION_FORMATS

summaries_pages = Blueprint("summaries_pages", __name__)


@summaries_pages.get("/dashboard/<slug>")
def dashboard(slug: str):
    try:
        event = programme.load_event_tree(slug)
    except NotFound:
        abort(404)
    return render_template(
        "summaries/dashboard.html",
        event=event,
        session_formats=SESSION_FORMATS,
        event_formats=EVENT_FORMATS,
    )

"""HTTP API of summaries: a session's summary and the event's synthesis, in every format.

Facilitators only. ``?lang=fr|en`` picks the language of the readable formats (default: the
event's). The dashboard page (pages.py) is registered along with the API blueprint.
"""

from __future__ import annotations

from flask import Response, request
from werkzeug.wsgi import wrap_file

from ..core.errors import NotFound
from ..core.http import api_route
from ..core.i18n import N_
from ..core.permissions import FACILITATE
from ..programme import service as programme
from .render import EVENT_FORMATS, MIMETYPES, SESSION_FORMATS, Export, export_event, export_session

# The HTML summary is a standalone document with its own stylesheet; nothing in it runs.
DOCUMENT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
)


def _download(export: Export) -> Response:
    size = export.size
    response = Response(
        wrap_file(request.environ, export.body),
        content_type=export.mimetype,  # already carries its charset: mimetype= adds another
        direct_passthrough=True,
    )
    response.content_length = size
    response.headers["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response.headers["Cache-Control"] = "no-store"
    if export.filename.endswith(".html"):
        response.headers["Content-Security-Policy"] = DOCUMENT_CSP
    return response


@api_route(
    "/sessions/<int:session_id>/summary.<fmt>",
    summary="A session's summary (live while it runs, final after) — facilitators",
    tag="summaries",
    permission=FACILITATE,
    scope="session_id",
    produces=tuple(dict.fromkeys(MIMETYPES[f].split(";")[0] for f in SESSION_FORMATS)),
    responses={"formats": list(SESSION_FORMATS)},
    description=(
        "fmt: md, html, pdf, json (schema: docs/summary.schema.json), csv (one row per "
        "contribution, UTF-8 with BOM) or xlsx (one sheet per kind of contribution, plus the "
        "timeline). ?lang=fr|en for the readable formats. Anonymous contributions carry no "
        "name, email or participant id in any format."
    ),
)
def session_summary(actor, payload, session_id: int, fmt: str):
    if fmt not in SESSION_FORMATS:
        raise NotFound(N_("No such summary format."))
    session = programme.get_session(session_id)
    return _download(export_session(session, fmt, lang=request.args.get("lang")))


@api_route(
    "/events/<slug>/synthesis.<fmt>",
    summary="The event's synthesis across its sessions — facilitators",
    tag="summaries",
    permission=FACILITATE,
    scope="slug",
    produces=tuple(dict.fromkeys(MIMETYPES[f].split(";")[0] for f in EVENT_FORMATS)),
    responses={"formats": list(EVENT_FORMATS)},
    description=(
        "fmt: md, html, pdf, json (schema: docs/summary.schema.json) or xlsx. ?lang=fr|en "
        "for the readable formats."
    ),
)
def event_synthesis(actor, payload, slug: str, fmt: str):
    if fmt not in EVENT_FORMATS:
        raise NotFound(N_("No such synthesis format."))
    event = programme.load_event_tree(slug)
    return _download(export_event(event, fmt, lang=request.args.get("lang")))

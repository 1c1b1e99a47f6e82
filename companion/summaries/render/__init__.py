"""Exports: a summary dict (and streamed contribution rows) in each format.

``export_session`` and ``export_event`` build the document once, then hand it to the renderer
of the format asked: Markdown and HTML from Jinja templates, PDF from that HTML (WeasyPrint),
JSON as is, CSV and XLSX from the summary plus the rows streamed from the database. Bodies are
spooled to a temporary file past a few megabytes, so a big export never sits in memory whole.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from flask_babel import force_locale, pgettext

from ...programme.models import Event, LiveSession
from .. import rows, session_summary, synthesis

SESSION_FORMATS = ("md", "html", "pdf", "json", "csv", "xlsx")
EVENT_FORMATS = ("md", "html", "pdf", "json", "xlsx")
LANGUAGES = ("fr", "en")
MIMETYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
SPOOL_BYTES = 8 * 1024 * 1024


@dataclass
class Export:
    """A rendered document: its suggested file name, media type and body (at offset 0)."""

    filename: str
    mimetype: str
    body: IO[bytes]

    @property
    def size(self) -> int:
        position = self.body.tell()
        self.body.seek(0, 2)
        size = self.body.tell()
        self.body.seek(position)
        return size

    def read(self) -> bytes:
        self.body.seek(0)
        data = self.body.read()
        self.body.seek(0)
        return data


def spool() -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+b")


def document_language(event: Event, asked: str | None) -> str:
    """The language asked for, else the event's, else French."""
    if asked in LANGUAGES:
        return asked
    return event.language if event.language in LANGUAGES else "fr"


def _write(data: bytes | str) -> IO[bytes]:
    body = spool()
    body.write(data.encode("utf-8") if isinstance(data, str) else data)
    body.seek(0)
    return body


def _render(
    kind: str,
    fmt: str,
    doc: dict,
    sessions: list[LiveSession],
    lang: str,
) -> IO[bytes]:
    if fmt == "json":
        return _write(json.dumps(doc, ensure_ascii=False, indent=2))
    from . import documents, tables, xlsx

    with force_locale(lang):
        if fmt == "md":
            return _write(documents.markdown(kind, doc, lang))
        if fmt == "html":
            return _write(documents.html(kind, doc, lang))
        if fmt == "pdf":
            return _write(documents.pdf(kind, doc, lang))
        body = spool()
        if fmt == "csv":
            tz = sessions[0].event.timezone if sessions else "UTC"
            tables.write_csv(body, rows.contribution_rows(sessions), tz)
        else:
            xlsx.write_xlsx(body, kind, doc, sessions)
        body.seek(0)
        return body


def export_session(
    session: LiveSession, fmt: str, *, lang: str | None = None, now: datetime | None = None
) -> Export:
    """Render the session's summary in ``fmt`` (one of SESSION_FORMATS)."""
    if fmt not in SESSION_FORMATS:
        raise ValueError(f"unknown session summary format {fmt!r}")
    lang = document_language(session.event, lang)
    # The CSV is the contributions alone: no need to build the summary for it.
    doc = {} if fmt == "csv" else session_summary.build_session_summary(session, now=now)
    body = _render("session", fmt, doc, [session], lang)
    return Export(
        file_name(session.event.slug, session.key, "summary", fmt, lang), MIMETYPES[fmt], body
    )


def export_event(
    event: Event,
    fmt: str,
    *,
    lang: str | None = None,
    now: datetime | None = None,
    progress: Callable[[LiveSession], None] | None = None,
) -> Export:
    """Render the event's synthesis in ``fmt`` (one of EVENT_FORMATS)."""
    if fmt not in EVENT_FORMATS:
        raise ValueError(f"unknown event synthesis format {fmt!r}")
    lang = document_language(event, lang)
    doc = synthesis.build_event_synthesis(event, now=now, progress=progress)
    body = _render("event", fmt, doc, list(event.sessions), lang)
    return Export(file_name(event.slug, None, "synthesis", fmt, lang), MIMETYPES[fmt], body)


def file_name(slug: str, key: str | None, kind: str, fmt: str, lang: str) -> str:
    """``<event>-<session>-compte-rendu.pdf``, ``<event>-synthese.xlsx``: named in the
    document's language, in ASCII (the name travels in a Content-Disposition header)."""
    with force_locale(lang):
        word = (
            pgettext("file name", "summary")
            if kind == "summary"
            else pgettext("file name", "synthesis")
        )
    return "-".join(part for part in (slug, key, word) if part) + "." + fmt

"""Spreadsheets: CSV (one row per contribution) here, XLSX (one sheet per part) in xlsx.py.

Rows come streamed from the database (see ``rows.py``) and go straight to the file: the CSV
through a text wrapper, the XLSX through openpyxl's write-only workbook, which keeps each sheet
in a temporary file. Both speak the export's language: headers, types, states and kinds are
words, not codes; times are the event's local times (XLSX: real dates, CSV: "2020-06-30
10:05:12"); XLSX cells are typed (numbers as numbers), with a frozen bold header and set widths.
Text people typed is defused: a cell starting with ``=``, ``+``, ``-`` or ``@`` is never a
formula (CSV gets a leading apostrophe, XLSX a string type). Every CSV cell goes through
:func:`csv_cell`, the one place to guard it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

from flask_babel import get_locale
from flask_babel import gettext as _

from ...core import csvsafe
from .. import labels, rows

CSV_TIME = "%Y-%m-%d %H:%M:%S"


def safe_csv(value: Any) -> Any:
    """Defuse spreadsheet formulas typed into free text (CSV injection)."""
    return csvsafe.csv_cell(value)


def csv_cell(value: Any) -> Any:
    """A value as a CSV cell: the one place every cell of the summaries' CSV goes through."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return labels.yes_no(value)
    if isinstance(value, datetime):
        return value.strftime(CSV_TIME)
    return safe_csv(value)


def readable(field: str, row: dict[str, Any]) -> Any:
    """A row's field in the export's language, typed (datetimes, numbers stay so)."""
    value = row[field]
    if field == "type":
        return labels.word(labels.ROW_TYPES, value)
    if field == "state":
        return labels.word(labels.STATES, value)
    if field == "poll_kind":
        return labels.word(labels.KINDS, value)
    if field == "detail":
        return labels.detail_text(value)
    if value == "" and field in ("upvotes", "spoken_s"):
        return None
    return value


def write_csv(body: IO[bytes], found: Iterable[dict[str, Any]], tz: str = "UTC") -> int:
    """Write ``found`` rows as CSV, UTF-8 with a BOM (spreadsheets read UTF-8 only so).

    Headers, words and separator (``;`` in French) in the current language, times in ``tz``;
    return how many rows.
    """
    text = io.TextIOWrapper(body, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text, delimiter=csvsafe.delimiter(str(get_locale() or "fr")))
    header = row_labels(tz)
    writer.writerow([csv_cell(header[field]) for field in rows.ROW_FIELDS])
    count = 0
    for row in found:
        writer.writerow([csv_cell(readable(field, row)) for field in rows.ROW_FIELDS])
        count += 1
    text.flush()
    text.detach()  # leave ``body`` open for the caller
    return count


def row_labels(tz: str) -> dict[str, str]:
    return {
        "session_id": _("Session id"),
        "session": _("Session"),
        "type": _("Type"),
        "id": _("Id"),
        "at": _("At (%(timezone)s)", timezone=tz),
        "agenda_item": _("Agenda item"),
        "poll": _("Poll"),
        "poll_kind": _("Kind"),
        "text": _("Text"),
        "state": _("State"),
        "upvotes": _("Upvotes"),
        "reply": _("Reply"),
        "author": _("Author"),
        "anonymous": _("Anonymous"),
        "detail": _("Detail"),
        "spoken_s": _("Spoke (s)"),
    }

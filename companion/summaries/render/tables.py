"""Spreadsheets: CSV (one row per contribution) and XLSX (one sheet per kind, plus the timeline).

Rows come streamed from the database (see ``service.*_rows``) and go straight to the file:
the CSV through a text wrapper, the XLSX through openpyxl's write-only workbook, which keeps
each sheet in a temporary file. Text people typed is defused: a cell starting with ``=``, ``+``,
``-`` or ``@`` is never a formula (CSV gets a leading apostrophe, XLSX a string type).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import IO, Any

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ...core.csvsafe import csv_cell
from ...programme.models import LiveSession
from .. import service

_BOLD = Font(bold=True)


def safe_csv(value: Any) -> Any:
    """Defuse spreadsheet formulas typed into free text (CSV injection)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return csv_cell(value)


def write_csv(body: IO[bytes], rows: Iterable[dict[str, Any]]) -> int:
    """Write ``rows`` as CSV, UTF-8 with a BOM (spreadsheets read UTF-8 only so); return count."""
    text = io.TextIOWrapper(body, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(service.ROW_FIELDS)
    count = 0
    for row in rows:
        writer.writerow([safe_csv(row[field]) for field in service.ROW_FIELDS])
        count += 1
    text.flush()
    text.detach()  # leave ``body`` open for the caller
    return count


# ---------------------------------------------------------------- XLSX


class Sheet:
    """A write-only sheet with a bold header row, set widths and safe cells."""

    def __init__(self, workbook: Workbook, title: str, header: list[str], widths: list[int]):
        self.ws = workbook.create_sheet(_sheet_title(title))
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.ws.freeze_panes = "A2"
        self.ws.append([self._cell(h, bold=True) for h in header])

    def _cell(self, value: Any, *, bold: bool = False) -> WriteOnlyCell:
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with
        if bold:
            cell.font = _BOLD
        return cell

    def append(self, values: list[Any]) -> None:
        self.ws.append([self._cell(v) for v in values])


def _sheet_title(title: str) -> str:
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title[:31]


def _row_labels() -> dict[str, str]:
    return {
        "session_id": _("Session id"),
        "session": _("Session"),
        "type": _("Type"),
        "id": _("Id"),
        "at": _("At"),
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
    }


_CONTRIBUTION_WIDTHS = {
    "session": 30,
    "agenda_item": 30,
    "poll": 34,
    "text": 60,
    "reply": 40,
    "author": 20,
    "at": 22,
    "detail": 24,
}


def _contribution_sheet(
    workbook: Workbook, title: str, rows: Iterator[dict[str, Any]], fields: tuple[str, ...]
) -> None:
    labels = _row_labels()
    sheet = Sheet(
        workbook,
        title,
        [labels[f] for f in fields],
        [_CONTRIBUTION_WIDTHS.get(f, 12) for f in fields],
    )
    for row in rows:
        sheet.append([_yes_no(row[f]) for f in fields])


def _yes_no(value: Any) -> Any:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


QUESTION_FIELDS = (
    "session",
    "id",
    "at",
    "agenda_item",
    "text",
    "state",
    "upvotes",
    "reply",
    "author",
    "anonymous",
    "detail",
)
ANSWER_FIELDS = (
    "session",
    "id",
    "at",
    "agenda_item",
    "poll",
    "poll_kind",
    "text",
    "author",
    "anonymous",
    "detail",
)
FLOOR_FIELDS = ("session", "id", "at", "agenda_item", "poll_kind", "state", "author", "detail")


def _contributions(workbook: Workbook, sessions: list[LiveSession]) -> None:
    _contribution_sheet(workbook, _("Questions"), service.question_rows(sessions), QUESTION_FIELDS)
    _contribution_sheet(workbook, _("Answers"), service.answer_rows(sessions), ANSWER_FIELDS)
    _contribution_sheet(workbook, _("Floor"), service.floor_rows(sessions), FLOOR_FIELDS)


def _timeline(workbook: Workbook, timelines: list[tuple[str, list[dict]]]) -> None:
    labels = {
        "session_started": _("Session started"),
        "session_ended": _("Session ended"),
        "agenda_item": _("Agenda item"),
        "poll_opened": _("Poll opened"),
        "poll_closed": _("Poll closed"),
        "floor_turn": _("Floor given"),
    }
    sheet = Sheet(
        workbook,
        _("Timeline"),
        [_("Session"), _("At"), _("What"), _("Title"), _("Duration (s)")],
        [30, 24, 20, 60, 14],
    )
    for title, entries in timelines:
        for e in entries:
            sheet.append(
                [title, e["at"], labels.get(e["type"], e["type"]), e["title"], e["duration_s"]]
            )


def _figures_sheet(workbook: Workbook, doc: dict) -> None:
    s, p, q = doc["session"], doc["participation"], doc["questions"]["counts"]
    sheet = Sheet(workbook, _("Summary"), [_("Figure"), _("Value")], [42, 60])
    rows = [
        (_("Event"), doc["event"]["title"]),
        (_("Session"), s["title"]),
        (_("Planned start"), s["starts_at"]),
        (_("Planned end"), s["ends_at"]),
        (_("Started"), s["started_at"]),
        (_("Ended"), s["ended_at"]),
        (_("Status"), s["status"]),
        (_("Final"), _yes_no(doc["final"])),
        (_("Moderation"), ", ".join(m["name"] for m in doc["moderators"])),
        (_("Speakers"), ", ".join(sp["name"] for sp in doc["speakers"])),
        (_("registered"), p["registered"]),
        (_("joined"), p["joined"]),
        (_("online at the peak"), p["peak_online"]),
        (_("contributors"), p["contributors"]),
        (_("questions asked"), p["questions"]),
        (_("poll answers"), p["ballots"]),
        (_("upvotes"), p["upvotes"]),
        (_("turns to speak"), p["floor_turns"]),
        (_("answered"), q["answered"]),
        (_("unanswered"), q["unanswered"]),
        (_("carried forward"), q["carried_forward"]),
        (_("moderated out"), q["moderated_out"]),
        (_("merged"), q["merged"]),
        (_("awaiting moderation"), q["pending"]),
        (_("Generated"), doc["generated_at"]),
    ]
    for label, value in rows:
        sheet.append([label, value])


def _agenda_sheet(workbook: Workbook, doc: dict) -> None:
    sheet = Sheet(
        workbook,
        _("Agenda"),
        [
            _("Item"),
            _("Kind"),
            _("Speakers"),
            _("Planned start"),
            _("Planned (s)"),
            _("Started"),
            _("Ended"),
            _("Lasted (s)"),
            _("Overrun (s)"),
            _("Turns"),
        ],
        [50, 12, 30, 24, 12, 24, 24, 12, 12, 8],
    )
    for item in doc["agenda"]["items"]:
        sheet.append(
            [
                item["title"],
                item["kind"],
                ", ".join(item["speakers"]),
                item["planned_start"],
                item["planned_s"],
                item["started_at"],
                item["ended_at"],
                item["actual_s"],
                item["overrun_s"],
                item["turns"],
            ]
        )


def _poll_rows(poll: dict) -> Iterator[tuple[str, Any]]:
    """(label, figure) pairs of a poll's results."""
    results = poll["results"]
    if poll["kind"] in ("single", "multiple", "quiz"):
        for r in results:
            yield (("✓ " if r.get("correct") else "") + r["text"], r["count"])
    elif poll["kind"] == "ranking":
        for r in results:
            yield r["text"], r["score"]
    elif poll["kind"] == "rating":
        yield from results["histogram"].items()
        yield _("mean"), results["mean"]
    elif poll["kind"] == "wordcloud":
        for r in results:
            yield r["word"], r["count"]
    else:
        yield _("approved for the room"), results["approved"]


def _polls_sheet(workbook: Workbook, sessions_polls: list[tuple[str, list[dict]]]) -> None:
    sheet = Sheet(
        workbook,
        _("Polls"),
        [_("Session"), _("Poll"), _("Kind"), _("Answers"), _("Option or value"), _("Count")],
        [30, 50, 12, 10, 50, 10],
    )
    for title, polls in sessions_polls:
        for poll in polls:
            for label, figure in _poll_rows(poll):
                sheet.append([title, poll["question"], poll["kind"], poll["total"], label, figure])


def _themes_sheet(workbook: Workbook, keyphrases: list[dict], recurring: list[dict] | None):
    header = [_("Theme"), _("Language"), _("Score (lower is more relevant)")]
    if recurring is not None:
        header.append(_("Sessions"))
    sheet = Sheet(workbook, _("Themes"), header, [40, 10, 16, 30])
    for k in recurring if recurring is not None else keyphrases:
        row = [k["phrase"], k["lang"], k["score"]]
        if recurring is not None:
            row.append(", ".join(str(s) for s in k["sessions"]))
        sheet.append(row)


def _session_workbook(workbook: Workbook, doc: dict, session: LiveSession) -> None:
    _figures_sheet(workbook, doc)
    _agenda_sheet(workbook, doc)
    _polls_sheet(workbook, [(doc["session"]["title"], doc["polls"])])
    _contributions(workbook, [session])
    _timeline(workbook, [(doc["session"]["title"], doc["timeline"])])
    _themes_sheet(workbook, doc["themes"]["keyphrases"], None)


def _event_workbook(workbook: Workbook, doc: dict, sessions: list[LiveSession]) -> None:
    figures = list(doc["sessions"][0]["figures"]) if doc["sessions"] else []
    sheet = Sheet(
        workbook,
        _("Sessions"),
        [_("Session"), _("Date"), _("Status"), *figures, _("Evaluation (mean)")],
        [40, 24, 10, *[12] * len(figures), 14],
    )
    for s in doc["sessions"]:
        mean = s["evaluation"]["mean"] if s["evaluation"] else None
        sheet.append(
            [s["title"], s["starts_at"], s["status"], *(s["figures"][f] for f in figures), mean]
        )
    a = doc["attendance"]
    sheet = Sheet(
        workbook,
        _("Attendance"),
        [_("Sessions"), _("Registered people who came"), _("Sessions chosen at registration")],
        [12, 28, 30],
    )
    for k, v in a["came_to"].items():
        sheet.append([int(k), v, a["registered_for"].get(k, 0)])
    sheet.append([_("joined without registration"), a["joined_without_registration"], None])
    _themes_sheet(workbook, doc["themes"]["keyphrases"], doc["recurring_themes"])
    polls = [
        (e["session_title"], [{**e, "kind": c["kind"], "question": c["question"]}])
        for c in doc["compared_polls"]
        for e in c["sessions"]
    ]
    _polls_sheet(workbook, polls)
    sheet = Sheet(
        workbook,
        _("Carried questions"),
        [_("Text"), _("From"), _("To"), _("State"), _("Upvotes"), _("Reply"), _("Author")],
        [60, 30, 30, 12, 10, 40, 20],
    )
    for q in doc["carried_questions"]["items"]:
        sheet.append(
            [
                q["text"],
                q["from_title"],
                q["to_title"],
                q["state"],
                q["upvotes"],
                q["reply"],
                q["author"] or "",
            ]
        )
    sheet = Sheet(workbook, _("Follow-up"), [_("Text"), _("Session"), _("Upvotes")], [70, 30, 10])
    titles = {s["id"]: s["title"] for s in doc["sessions"]}
    for q in doc["follow_up"]["questions"]:
        sheet.append([q["text"], titles.get(q["session_id"], ""), q["upvotes"]])
    _contributions(workbook, sessions)
    _timeline(workbook, [(s.title, service.timeline(s)) for s in sessions])


def write_xlsx(body: IO[bytes], kind: str, doc: dict, sessions: list[LiveSession]) -> None:
    """Write the workbook of a session summary or an event synthesis to ``body``."""
    workbook = Workbook(write_only=True)
    if kind == "session":
        _session_workbook(workbook, doc, sessions[0])
    else:
        _event_workbook(workbook, doc, sessions)
    workbook.save(body)

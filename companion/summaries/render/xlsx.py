"""The XLSX workbooks: one sheet per part (figures, speakers, agenda, polls, contributions,
timeline, themes), typed cells (local times as dates to the second, durations as h:mm:ss, an
overrun as signed minutes, numbers as numbers), a frozen bold header and set column widths,
every word in the export's language (see tables.py for the rows).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import IO, Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ...polls.kinds import KINDS
from ...programme.models import LiveSession
from .. import labels, rows, session_summary
from .tables import readable, row_labels

_BOLD = Font(bold=True)
XLSX_TIME = "yyyy-mm-dd hh:mm:ss"
XLSX_DURATION = "[h]:mm:ss"
#: Ahead of plan reads −2 min, behind +3 min: a duration cell cannot hold a negative time.
XLSX_OVERRUN = '+0" min";-0" min";0" min"'


class Minutes(float):
    """A signed number of minutes, shown with its sign and unit (an agenda item's overrun)."""


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
        elif isinstance(value, bool):
            value = labels.yes_no(value)
        elif isinstance(value, datetime):
            # The event's local time already; to the second, as the sheet shows it.
            value = value.replace(tzinfo=None, microsecond=0)
        cell = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever the text starts with
        elif isinstance(value, datetime):
            cell.number_format = XLSX_TIME
        elif isinstance(value, timedelta):
            cell.number_format = XLSX_DURATION
        elif isinstance(value, Minutes):
            cell.number_format = XLSX_OVERRUN
        if bold:
            cell.font = _BOLD
        return cell

    def append(self, values: list[Any]) -> None:
        self.ws.append([self._cell(v) for v in values])


def _sheet_title(title: str) -> str:
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title[:31]


_CONTRIBUTION_WIDTHS = {
    "session": 30,
    "agenda_item": 30,
    "poll": 34,
    "text": 60,
    "reply": 40,
    "author": 20,
    "at": 20,
    "detail": 30,
    "state": 20,
    "poll_kind": 24,
    "type": 14,
}


def _contribution_sheet(
    workbook: Workbook,
    title: str,
    found: Iterator[dict[str, Any]],
    fields: tuple[str, ...],
    tz: str,
) -> None:
    header = row_labels(tz) | {"spoken_s": _("Spoke")}  # a duration here, not seconds
    sheet = Sheet(
        workbook,
        title,
        [header[f] for f in fields],
        [_CONTRIBUTION_WIDTHS.get(f, 12) for f in fields],
    )
    for row in found:
        sheet.append(
            [_duration(readable(f, row)) if f == "spoken_s" else readable(f, row) for f in fields]
        )


def _yes_no(value: Any) -> Any:
    return labels.yes_no(value) if isinstance(value, bool) else value


def _duration(seconds: float | None) -> timedelta | None:
    """Seconds as a duration cell (0:07:32), to the second."""
    return None if seconds is None or seconds == "" else timedelta(seconds=round(seconds))


def _time(value: str | None, tz: str) -> datetime | None:
    """An ISO time of the summary as the event's local datetime (a date cell)."""
    if not value:
        return None
    return datetime.fromisoformat(value).astimezone(ZoneInfo(tz))


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
FLOOR_FIELDS = ("session", "id", "at", "agenda_item", "poll_kind", "state", "author", "spoken_s")


def _contributions(workbook: Workbook, sessions: list[LiveSession], tz: str) -> None:
    _contribution_sheet(workbook, _("Questions"), rows.question_rows(sessions), QUESTION_FIELDS, tz)
    _contribution_sheet(workbook, _("Answers"), rows.answer_rows(sessions), ANSWER_FIELDS, tz)
    _contribution_sheet(
        workbook, pgettext("sheet", "Floor"), rows.floor_rows(sessions), FLOOR_FIELDS, tz
    )


def _timeline(workbook: Workbook, timelines: list[tuple[str, list[dict]]], tz: str) -> None:
    names = {
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
        [
            _("Session"),
            _("At (%(timezone)s)", timezone=tz),
            _("What"),
            _("Title"),
            _("Duration"),
        ],
        [30, 20, 20, 60, 14],
    )
    for title, entries in timelines:
        for e in entries:
            sheet.append(
                [
                    title,
                    _time(e["at"], tz),
                    names.get(e["type"], e["type"]),
                    e["title"],
                    _duration(e["duration_s"]),
                ]
            )


def _figures_sheet(workbook: Workbook, doc: dict, tz: str) -> None:
    s, p, q = doc["session"], doc["participation"], doc["questions"]["counts"]
    sheet = Sheet(workbook, _("Summary"), [_("Figure"), _("Value")], [42, 60])
    found = [
        (_("Event"), doc["event"]["title"]),
        (_("Session"), s["title"]),
        (_("Planned start"), _time(s["starts_at"], tz)),
        (_("Planned end"), _time(s["ends_at"], tz)),
        (_("Started"), _time(s["started_at"], tz)),
        (_("Ended"), _time(s["ended_at"], tz)),
        (_("Status"), labels.word(labels.STATES, s["status"])),
        (_("Final"), _yes_no(doc["final"])),
        (_("Moderation"), ", ".join(m["name"] for m in doc["moderators"])),
        (_("Speakers who had the floor"), ", ".join(sp["name"] for sp in doc["speakers"])),
        (
            _("Speakers planned who did not take the floor"),
            ", ".join(sp["name"] for sp in doc["absent_speakers"]),
        ),
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
        (_("Generated"), _time(doc["generated_at"], tz)),
    ]
    for label, value in found:
        sheet.append([label, value])


def _speakers_sheet(workbook: Workbook, doc: dict) -> None:
    sheet = Sheet(
        workbook,
        _("Speakers"),
        [
            _("Speaker"),
            _("Organisation"),
            _("Took the floor"),
            _("Turns"),
            _("Planned"),
            _("Spoke"),
        ],
        [34, 34, 14, 8, 12, 12],
    )
    for sp in doc["speakers"]:
        sheet.append(
            [
                sp["name"],
                sp["organisation"],
                True,
                sp["turns"],
                _duration(sp["planned_s"]),
                _duration(sp["spoken_s"]),
            ]
        )
    for sp in doc["absent_speakers"]:
        sheet.append([sp["name"], sp["organisation"], False, 0, _duration(sp["planned_s"]), None])


def _agenda_sheet(workbook: Workbook, doc: dict, tz: str) -> None:
    sheet = Sheet(
        workbook,
        _("Agenda"),
        [
            _("Item"),
            _("Kind"),
            _("Speakers"),
            _("Planned start"),
            _("Planned"),
            _("Started"),
            _("Ended"),
            _("Lasted"),
            _("Overrun"),
            _("Turns"),
        ],
        [50, 14, 30, 20, 12, 20, 20, 12, 12, 8],
    )
    for item in doc["agenda"]["items"]:
        sheet.append(
            [
                item["title"],
                labels.word(labels.KINDS, item["kind"]),
                ", ".join(item["speakers"]),
                _time(item["planned_start"], tz),
                _duration(item["planned_s"]),
                _time(item["started_at"], tz),
                _time(item["ended_at"], tz),
                _duration(item["actual_s"]),
                None if item["overrun_s"] is None else Minutes(round(item["overrun_s"] / 60)),
                item["turns"],
            ]
        )


def _poll_rows(poll: dict) -> Iterator[tuple[str, Any]]:
    """(label, figure) pairs of a poll's results."""
    results, shape = poll["results"], KINDS[poll["kind"]].results_shape
    if shape == "counts":
        for r in results:
            yield (("✓ " if r.get("correct") else "") + r["text"], r["count"])
    elif shape == "points":
        for r in results:
            yield r["text"], r["score"]
    elif shape == "histogram":
        yield from results["histogram"].items()
        yield _("mean"), results["mean"]
    elif shape == "words":
        for r in results:
            yield r["word"], r["count"]
    else:
        yield _("approved for the room"), results["approved"]


def _polls_sheet(workbook: Workbook, sessions_polls: list[tuple[str, list[dict]]]) -> None:
    sheet = Sheet(
        workbook,
        _("Polls"),
        [_("Session"), _("Poll"), _("Kind"), _("Answers"), _("Option or value"), _("Count")],
        [30, 50, 16, 10, 50, 10],
    )
    for title, polls in sessions_polls:
        for poll in polls:
            for label, figure in _poll_rows(poll):
                kind = labels.word(labels.KINDS, poll["kind"])
                sheet.append([title, poll["question"], kind, poll["total"], label, figure])


def _themes_sheet(workbook: Workbook, keyphrases: list[dict], sessions: list[dict] | None):
    """Themes with their counts and examples; for the event, the count in each session."""
    header = [_("Theme"), _("Language"), _("Contributions"), _("Examples")]
    widths = [36, 10, 14, 80]
    if sessions is not None:
        header += [s["title"] for s in sessions]
        widths += [16] * len(sessions)
    sheet = Sheet(workbook, _("Themes"), header, widths)
    for k in keyphrases:
        row = [k["phrase"], k["lang"], k["count"], " | ".join(k["examples"])]
        if sessions is not None:
            per = {p["session_id"]: p["count"] for p in k["per_session"]}
            row += [per.get(s["id"], 0) for s in sessions]
        sheet.append(row)


def _session_workbook(workbook: Workbook, doc: dict, session: LiveSession) -> None:
    tz = doc["event"]["timezone"]
    _figures_sheet(workbook, doc, tz)
    _speakers_sheet(workbook, doc)
    _agenda_sheet(workbook, doc, tz)
    _polls_sheet(workbook, [(doc["session"]["title"], doc["polls"])])
    _contributions(workbook, [session], tz)
    _timeline(workbook, [(doc["session"]["title"], doc["timeline"])], tz)
    _themes_sheet(workbook, doc["themes"]["keyphrases"], None)


def _figure_labels() -> dict[str, str]:
    return {
        "registered": _("registered"),
        "joined": _("joined"),
        "peak_online": _("online at the peak"),
        "contributors": _("contributors"),
        "questions": _("questions asked"),
        "answered": _("answered"),
        "unanswered": _("unanswered"),
        "carried_forward": _("carried forward"),
        "moderated_out": _("moderated out"),
        "polls": _("polls"),
        "ballots": _("poll answers"),
        "floor_turns": _("turns to speak"),
        "agenda_overruns": _("agenda items overrun"),
    }


def _event_workbook(workbook: Workbook, doc: dict, sessions: list[LiveSession]) -> None:
    tz = doc["event"]["timezone"]
    figures = list(doc["sessions"][0]["figures"]) if doc["sessions"] else []
    names = _figure_labels()
    sheet = Sheet(
        workbook,
        _("Sessions"),
        [
            _("Session"),
            _("Date"),
            _("Status"),
            *(names.get(f, f) for f in figures),
            _("Evaluation (mean)"),
        ],
        [40, 20, 12, *[14] * len(figures), 14],
    )
    for s in doc["sessions"]:
        mean = s["evaluation"]["mean"] if s["evaluation"] else None
        status = labels.word(labels.STATES, s["status"])
        sheet.append(
            [s["title"], _time(s["starts_at"], tz), status]
            + [s["figures"][f] for f in figures]
            + [mean]
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
    _themes_sheet(workbook, doc["themes"]["keyphrases"], doc["sessions"])
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
                labels.word(labels.STATES, q["state"]),
                q["upvotes"],
                q["reply"],
                q["author"] or "",
            ]
        )
    sheet = Sheet(workbook, _("Follow-up"), [_("Text"), _("Session"), _("Upvotes")], [70, 30, 10])
    titles = {s["id"]: s["title"] for s in doc["sessions"]}
    for q in doc["follow_up"]["questions"]:
        sheet.append([q["text"], titles.get(q["session_id"], ""), q["upvotes"]])
    _contributions(workbook, sessions, tz)
    _timeline(workbook, [(s.title, session_summary.timeline(s)) for s in sessions], tz)


def write_xlsx(body: IO[bytes], kind: str, doc: dict, sessions: list[LiveSession]) -> None:
    """Write the workbook of a session summary or an event synthesis to ``body``."""
    workbook = Workbook(write_only=True)
    if kind == "session":
        _session_workbook(workbook, doc, sessions[0])
    else:
        _event_workbook(workbook, doc, sessions)
    workbook.save(body)

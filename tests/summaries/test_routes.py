"""Summary downloads over HTTP: who may, what comes back in each format, and privacy."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from companion.extensions import db
from companion.participants.models import Participant
from companion.programme.models import LiveSession
from companion.questions.models import Question
from companion.summaries.render import EVENT_FORMATS, MIMETYPES, SESSION_FORMATS

from .conftest import ANONYMOUS_QUESTION, OPEN_ANSWER_SECRET, SECRET_NAME, SIGNED_QUESTION


def auth(token: str | None) -> dict:
    return {"Authorization": f"Bearer {token}"} if token else {}


def session_url(session_id: int, fmt: str) -> str:
    return f"/api/v1/sessions/{session_id}/summary.{fmt}"


def event_url(slug: str, fmt: str) -> str:
    return f"/api/v1/events/{slug}/synthesis.{fmt}"


def every_document(http, token, scripted, lang="fr") -> dict[str, bytes]:
    """Every format of the session's summary and of the event's synthesis."""
    found = {}
    for fmt in SESSION_FORMATS:
        response = http.get(
            f"{session_url(scripted.session.id, fmt)}?lang={lang}", headers=auth(token)
        )
        assert response.status_code == 200, (fmt, response.data[:300])
        found[f"session.{fmt}"] = response.data
    for fmt in EVENT_FORMATS:
        slug = scripted.session.event.slug
        response = http.get(f"{event_url(slug, fmt)}?lang={lang}", headers=auth(token))
        assert response.status_code == 200, (fmt, response.data[:300])
        found[f"event.{fmt}"] = response.data
    return found


def readable_text(name: str, data: bytes) -> str:
    """What a person (or a program) reads in a document, whatever its format."""
    if name.endswith(".pdf"):
        pdf = pdfium.PdfDocument(data)
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    if name.endswith(".xlsx"):
        workbook = load_workbook(io.BytesIO(data), read_only=True)
        cells = [
            str(cell)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        ]
        workbook.close()
        return "\n".join(cells)
    return data.decode("utf-8-sig")


def test_only_facilitators_may_download(
    http, event, first_session, people, moderator_token, facilitator_token
):
    attendee = people.join(first_session.id, name="Camille")["token"]
    cases = [session_url(first_session.id, f) for f in SESSION_FORMATS]
    cases += [event_url(event.slug, f) for f in EVENT_FORMATS]
    for url in cases:
        assert http.get(url).status_code == 401, url
        for token in (attendee, moderator_token):
            response = http.get(url, headers=auth(token))
            assert response.status_code == 403, url
            assert response.get_json()["error"]["code"] == "forbidden"
        response = http.get(url, headers=auth(facilitator_token))
        assert response.status_code == 200, url
        fmt = url.rsplit(".", 1)[1]
        assert response.mimetype == MIMETYPES[fmt].split(";")[0]
        assert response.headers["Content-Disposition"].startswith("attachment; filename=")
        assert response.headers["Cache-Control"] == "no-store"


def test_unknown_formats_and_objects_answer_json_404(http, event, first_session, facilitator_token):
    for url in (
        session_url(first_session.id, "docx"),
        event_url(event.slug, "csv"),
        session_url(999999, "json"),
        event_url("no-such-event", "json"),
    ):
        response = http.get(url, headers=auth(facilitator_token))
        assert response.status_code == 404, url
        assert response.get_json()["error"]["code"] == "not_found"


def test_every_format_renders_the_scripted_session(scripted, http, facilitator_token):
    docs = every_document(http, facilitator_token, scripted, lang="en")

    # CSV: UTF-8 with a BOM, one row per contribution, parsed by the csv module.
    data = docs["session.csv"]
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    # Headers and values in the export's language, times local to the event.
    assert list(rows[0])[:5] == ["Session id", "Session", "Type", "Id", "At (Europe/Paris)"]
    assert {r["Type"] for r in rows} == {"Question", "Poll answer", "Floor"}
    assert sum(r["Type"] == "Poll answer" for r in rows) == 21
    assert sum(r["Type"] == "Question" for r in rows) == 10
    assert "participant_id" not in rows[0]
    signed = next(r for r in rows if r["Text"] == SIGNED_QUESTION)
    assert signed["Author"] == "Léa Dupont" and signed["Anonymous"] == "no"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", signed["At (Europe/Paris)"])
    anonymous = next(r for r in rows if r["Text"] == ANONYMOUS_QUESTION)
    assert anonymous["Author"] == "" and anonymous["Anonymous"] == "yes"
    assert {r["State"] for r in rows if r["Type"] == "Question"} <= {
        "answered",
        "unanswered",
        "moderated out",
        "archived",
        "awaiting moderation",
    }
    spoke = [r for r in rows if r["Type"] == "Floor" and r["Spoke (s)"]]
    assert spoke and all(float(r["Spoke (s)"]) >= 0 for r in spoke)

    # XLSX: opens with openpyxl, one sheet per kind of contribution plus the timeline.
    workbook = load_workbook(io.BytesIO(docs["session.xlsx"]))
    assert workbook.sheetnames == [
        "Summary",
        "Speakers",
        "Agenda",
        "Polls",
        "Questions",
        "Answers",
        "Floor",
        "Timeline",
        "Themes",
    ]
    questions = list(workbook["Questions"].iter_rows(values_only=True))
    assert len(questions) == 1 + 10
    assert any(ANONYMOUS_QUESTION in row for row in questions)
    timeline = [row[2] for row in workbook["Timeline"].iter_rows(min_row=2, values_only=True)]
    assert timeline[0] == "Session started" and timeline[-1] == "Session ended"
    # Typed cells: local times as dates, numbers as numbers, a frozen header, set widths.
    sheet = workbook["Questions"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert sheet.column_dimensions["E"].width == 60
    at = sheet["C2"]
    assert at.is_date and isinstance(at.value, datetime)
    # Paris time, not UTC: the local time of one of the session's questions, whatever the hour
    # the suite runs at (Paris is one or two hours ahead of UTC all year).
    asked = db.session.scalars(
        select(Question.created_at).where(Question.session_id == scripted.session.id)
    ).all()
    paris = [a.astimezone(ZoneInfo("Europe/Paris")).replace(tzinfo=None) for a in asked]
    assert min(abs(at.value - local) for local in paris) < timedelta(seconds=1)
    assert min(abs(at.value - a.replace(tzinfo=None)) for a in asked) >= timedelta(minutes=59)
    assert isinstance(sheet["G2"].value, int)  # upvotes
    assert {row[5] for row in sheet.iter_rows(min_row=2, values_only=True)} <= {
        "answered",
        "unanswered",
        "moderated out",
        "archived",
        "awaiting moderation",
    }
    assert at.value.microsecond == 0 and at.number_format == "yyyy-mm-dd hh:mm:ss"
    # Durations read as durations (0:07:32), not seconds; an overrun as signed minutes.
    floor = workbook["Floor"]
    assert floor["H1"].value == "Spoke"
    spoken = [c for (c,) in floor.iter_rows(min_row=2, min_col=8, max_col=8) if c.value is not None]
    assert spoken and all(c.number_format == "[h]:mm:ss" for c in spoken)
    assert all(isinstance(c.value, timedelta) for c in spoken)
    agenda = workbook["Agenda"]
    assert [agenda.cell(1, col).value for col in (5, 8, 9)] == ["Planned", "Lasted", "Overrun"]
    planned = db.session.get(LiveSession, scripted.session.id).agenda[0].planned_minutes
    assert agenda["E2"].value == timedelta(minutes=planned)
    assert agenda["E2"].number_format == "[h]:mm:ss"
    overruns = [
        c for (c,) in agenda.iter_rows(min_row=2, min_col=9, max_col=9) if c.value is not None
    ]
    assert overruns and all(c.number_format == '+0" min";-0" min";0" min"' for c in overruns)
    assert workbook["Timeline"]["E1"].value == "Duration"
    kinds = {row[2] for row in workbook["Polls"].iter_rows(min_row=2, values_only=True)}
    assert "Single choice" in kinds and "single" not in kinds
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True)}
    assert isinstance(summary["Started"], datetime) and summary["Status"] == "Ended"
    event_book = load_workbook(io.BytesIO(docs["event.xlsx"]))
    assert {"Sessions", "Attendance", "Themes", "Questions", "Answers", "Floor", "Timeline"} <= set(
        event_book.sheetnames
    )
    # The event's themes, with their counts and examples, followed session by session.
    header = next(event_book["Themes"].iter_rows(max_row=1, values_only=True))
    assert header[:4] == ("Theme", "Language", "Contributions", "Examples")
    assert scripted.session.title in header and scripted.next_session.title in header
    themes = list(event_book["Themes"].iter_rows(min_row=2, values_only=True))
    assert themes and all(isinstance(row[2], int) and row[2] >= 2 for row in themes)
    assert all(sum(row[4:]) >= 1 for row in themes)

    # PDF: its pages turned into images are not blank, and its text holds the questions.
    pdf = pdfium.PdfDocument(docs["session.pdf"])
    assert len(pdf) >= 2
    for index in range(len(pdf)):
        image = pdf[index].render(scale=0.5).to_pil().convert("L")
        low, high = image.getextrema()
        assert high - low > 100, f"page {index + 1} is blank"
    text = readable_text("x.pdf", docs["session.pdf"])
    flat = " ".join(text.split())
    assert "Plusieurs fondations" in flat
    assert ANONYMOUS_QUESTION[:40] in flat
    assert "Quelle place donner aux habitants" in flat

    # HTML and Markdown: the same content, people's text escaped; the JSON parses.
    html = docs["session.html"].decode()
    assert html.startswith("<!doctype html>") and "<svg" in html
    assert "Quelle place donner aux habitants dans la gouvernance de l&#39;expérimentation" in html
    markdown = docs["session.md"].decode()
    assert markdown.startswith("# L’expérimentation")
    assert "## Polls" in markdown and ANONYMOUS_QUESTION in markdown
    assert json.loads(docs["session.json"])["kind"] == "session"
    assert json.loads(docs["event.json"])["kind"] == "event"


def test_documents_come_in_french_by_default(scripted, http, facilitator_token):
    url = session_url(scripted.session.id, "md")
    french = http.get(url, headers=auth(facilitator_token)).data.decode()
    assert "## Participation" in french and "## Sondages" in french
    english_response = http.get(url + "?lang=en", headers=auth(facilitator_token))
    assert english_response.headers["Content-Disposition"].endswith('-summary.md"')
    english = english_response.data.decode()
    assert "## Polls" in english
    workbook = load_workbook(
        io.BytesIO(
            http.get(session_url(scripted.session.id, "xlsx"), headers=auth(facilitator_token)).data
        )
    )
    assert "Questions" in workbook.sheetnames and "Chronologie" in workbook.sheetnames
    # The spreadsheets speak French too: headers, types and one question's state agreed.
    # Separated by semicolons, as French spreadsheets split rows (the comma is their decimal mark).
    data = http.get(session_url(scripted.session.id, "csv"), headers=auth(facilitator_token))
    assert data.data.decode("utf-8-sig").startswith("N° de session;Session;Type;")
    assert data.headers["Content-Disposition"].endswith('-compte-rendu.csv"')
    rows = list(csv.reader(io.StringIO(data.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["N° de session", "Session", "Type", "N°", "Heure (Europe/Paris)"]
    states = {r[9] for r in rows[1:] if r[2] == "Question"}
    assert "répondue" in states and "répondues" not in states and "answered" not in states
    assert {r[13] for r in rows[1:]} <= {"oui", "non"}
    sheet = workbook["Questions"]
    assert sheet["C1"].value == "Heure (Europe/Paris)" and sheet["C2"].is_date


def test_no_name_or_email_of_an_anonymous_contribution_appears_in_any_format(
    scripted, http, facilitator_token
):
    secret_email = scripted.emails[SECRET_NAME]
    db.session.expire_all()
    secret_id = db.session.scalar(
        select(Participant.id).where(Participant.display_name == SECRET_NAME)
    )
    for lang in ("fr", "en"):
        docs = every_document(http, facilitator_token, scripted, lang=lang)
        for name, data in docs.items():
            text = readable_text(name, data)
            # Her contributions are there...
            if name.startswith("session.") and not name.endswith("json"):
                assert "Comment financer une expérimentation" in " ".join(text.split()), name
            # ... her name and email are not.
            assert SECRET_NAME not in text, name
            assert "Incognito" not in text, name
            assert secret_email not in text, name
            assert "@example.org" not in text, name
        for name in ("session.json", "event.json"):
            assert '"participant_id"' not in docs[name].decode(), name
    # The last documents are English: columns by position (text, author).
    csv_rows = list(csv.reader(io.StringIO(docs["session.csv"].decode("utf-8-sig"))))[1:]
    mine = [r for r in csv_rows if r[8] in (ANONYMOUS_QUESTION, OPEN_ANSWER_SECRET)]
    assert len(mine) == 2 and all(r[12] == "" for r in mine)
    assert all(str(secret_id) != r[12] for r in csv_rows)


def test_text_people_typed_cannot_become_markup_or_formulas(
    http, first_session, people, connect, moderator_token, facilitator_token
):
    sid = first_session.id
    moderator = connect(moderator_token)
    moderator.ok("session.join", {"session_id": sid})
    moderator.ok("session.start", {"session_id": sid})
    attendee = connect(people.join(sid, name='=HYPERLINK("http://x")')["token"])
    attendee.ok("session.join", {"session_id": sid})
    nasty = "<script>alert(1)</script> [clic](javascript:alert(1)) =1+1 **gras**"
    attendee.ok("question.submit", {"session_id": sid, "client_id": "nasty", "text": nasty})
    headers = auth(facilitator_token)
    html = http.get(session_url(sid, "html"), headers=headers)
    assert b"<script>" not in html.data and b"&lt;script&gt;" in html.data
    assert "script-src" not in html.headers["Content-Security-Policy"]
    assert html.headers["Content-Security-Policy"].startswith("default-src 'none'")
    markdown = http.get(session_url(sid, "md"), headers=headers).data.decode()
    assert "\\<script\\>" in markdown and "\\[clic\\]" in markdown and "\\*\\*gras" in markdown
    french = http.get(session_url(sid, "csv"), headers=headers).data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(french), delimiter=";"))
    assert rows[0][12] == "Auteur·e"  # the event's language by default
    authors = [r[12] for r in rows[1:]]
    assert authors == ['\'=HYPERLINK("http://x")']
    workbook = load_workbook(io.BytesIO(http.get(session_url(sid, "xlsx"), headers=headers).data))
    cell = workbook["Questions"]["I2"]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


@pytest.mark.parametrize("fmt", ["json", "md"])
def test_a_live_session_gives_a_provisional_summary(
    fmt, http, first_session, connect, moderator_token, facilitator_token
):
    moderator = connect(moderator_token)
    moderator.ok("session.join", {"session_id": first_session.id})
    moderator.ok("session.start", {"session_id": first_session.id})
    response = http.get(
        session_url(first_session.id, fmt) + "?lang=en", headers=auth(facilitator_token)
    )
    if fmt == "json":
        doc = response.get_json()
        assert doc["final"] is False and doc["session"]["status"] == "live"
        assert doc["session"]["actual_s"] is not None
    else:
        assert "Provisional summary: the session is live." in response.data.decode()

"""Readable documents from a summary dict: Markdown and HTML (Jinja), PDF (WeasyPrint).

The templates (templates/summaries/) receive the dict as ``doc`` and a few helpers: ``when``
(an ISO time in the event's timezone and the document's language), ``duration``, ``md``
(escape people's text for Markdown), ``chart`` (a poll's SVG) and ``limit`` (the longest list a
readable document shows: the CSV, XLSX and JSON exports hold every entry).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from babel import dates, numbers
from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import ngettext

from ...core.i18n import formatting_locale
from ...core.text import one_line
from . import charts

LIST_LIMIT = 50
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~&])")
# At the start of a line these would begin a list or a quote.
_MD_LEADING = re.compile(r"^(\d+)([.)])|^([-+=>])")


def when(value: str | None, form: str = "datetime", *, tz: str, lang: str) -> str:
    """Show an ISO 8601 time in ``tz`` and ``lang``: datetime, date, short_date or time."""
    if not value:
        return "—"
    local = datetime.fromisoformat(value).astimezone(ZoneInfo(tz))
    lang = formatting_locale(lang)
    if form == "date":
        return dates.format_date(local.date(), format="full", locale=lang)
    if form == "short_date":
        return dates.format_date(local.date(), format="medium", locale=lang)
    if form == "time":
        return dates.format_time(local.time(), format="short", locale=lang)
    return dates.format_datetime(local, format="medium", tzinfo=local.tzinfo, locale=lang)


def _capital(text: str) -> str:
    """``text`` begun with a capital: it begins a line, and French dates are lower case."""
    return text[:1].upper() + text[1:]


def held_another_day(session: dict, tz: str) -> bool:
    """Whether ``session`` started on another day than planned, in the event's timezone."""
    if not session["started_at"]:
        return False
    zone = ZoneInfo(tz)
    planned, held = (
        datetime.fromisoformat(session[key]).astimezone(zone).date()
        for key in ("starts_at", "started_at")
    )
    return planned != held


def schedule_line(session: dict, *, tz: str, lang: str) -> str:
    """When ``session`` was planned and held. A session held on another day than planned says
    both days: dated from the plan alone, it gave the day planned with the hours held."""

    def local(value, form):
        return when(value, form, tz=tz, lang=lang)

    planned = local(session["starts_at"], "date")
    date = _capital(planned)
    hours = f"{local(session['starts_at'], 'time')}–{local(session['ends_at'], 'time')}"
    if not session["started_at"]:
        return f"{date}, {hours}"
    start = local(session["started_at"], "time")
    end = local(session["ended_at"], "time") if session["ended_at"] else _("now")
    if not held_another_day(session, tz):
        return f"{date}, {hours} · " + _("held from %(start)s to %(end)s", start=start, end=end)
    held = local(session["started_at"], "date")
    return " · ".join(
        (
            _("Planned for %(date)s, %(hours)s", date=planned, hours=hours),
            _("held on %(date)s from %(start)s to %(end)s", date=held, start=start, end=end),
        )
    )


def held_on(session: dict, *, tz: str, lang: str) -> str:
    """The day ``session`` was held (or is planned), and the planned one if it was moved; it
    begins a line."""
    if not held_another_day(session, tz):
        return _capital(when(session["starts_at"], "date", tz=tz, lang=lang))
    return _(
        "Held on %(date)s (planned for %(planned)s)",
        date=when(session["started_at"], "date", tz=tz, lang=lang),
        planned=when(session["starts_at"], "date", tz=tz, lang=lang),
    )


def duration(seconds: float | None) -> str:
    """A duration as people say it: 45 s, 12 min 30 s, 1 h 05 min."""
    if seconds is None:
        return "—"
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s" if secs else f"{minutes} min"
    return f"{secs} s"


def md(text: str | None) -> str:
    """Escape people's text for Markdown, on one line: nothing they typed becomes markup."""
    if text is None:
        return ""
    escaped = _MD_SPECIAL.sub(r"\\\1", one_line(str(text)))
    return _MD_LEADING.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", escaped)


def percent(part: float, whole: float) -> str:
    return f"{round(100 * part / whole)} %" if whole else "—"


def theme_sources(sources: dict) -> str:
    """Where the themes come from, with each count's plural right."""
    return _(
        "Read in %(questions)s, %(answers)s and %(words)s seen by the room.",
        questions=ngettext("%(num)d question", "%(num)d questions", sources["questions"]),
        answers=ngettext("%(num)d open answer", "%(num)d open answers", sources["open_answers"]),
        words=ngettext("%(num)d word-cloud word", "%(num)d word-cloud words", sources["words"]),
    )


def agenda_line(agenda: dict) -> str:
    """The agenda as planned and as run, in a sentence whose plural follows the items run."""
    return ngettext(
        "Planned: %(planned)s. Run: %(actual)s over %(num)d item; items that overran: %(over)s.",
        "Planned: %(planned)s. Run: %(actual)s over %(num)d items; items that overran: %(over)s.",
        agenda["items_run"],
        planned=duration(agenda["planned_s"]),
        actual=duration(agenda["actual_s"]),
        over=agenda["overruns"],
    )


def attendance_line(attendance: dict) -> str:
    """Who took part in the event, each count with its plural right."""
    return _(
        "%(people)s took part: %(registrations)s and %(unlinked)s (these cannot be linked "
        "across sessions).",
        people=ngettext("%(num)d person", "%(num)d people", attendance["people"]),
        # Those who came: "14 took part: 14 registrations and 1 join" did not add up when some
        # registrants never came.
        registrations=ngettext(
            "%(num)d registered person",
            "%(num)d registered people",
            attendance["registered_people"],
        ),
        unlinked=ngettext(
            "%(num)d join without registration",
            "%(num)d joins without registration",
            attendance["joined_without_registration"],
        ),
    )


def funnel_rows(funnel: list[dict], labels: dict[str, str]) -> list[tuple[str, int]]:
    return [(labels[step["step"]], step["count"]) for step in funnel]


def sessions_label(n: int) -> str:
    return ngettext("%(num)d session", "%(num)d sessions", n)


def _context(doc: dict, lang: str, *, printed: bool = False) -> dict:
    """What the summary templates use; ``printed``: for the PDF, which only has the A4 width,
    so each chart is drawn wide only (the page's narrow drawing would be hidden, never laid out).
    """
    tz = doc["event"]["timezone"]

    def drawn(chart):
        return chart.__wrapped__ if printed else chart  # charts.for_every_screen's single drawing

    def local(value, form="datetime"):
        return when(value, form, tz=tz, lang=lang)

    def number(value) -> str:
        return "—" if value is None else numbers.format_decimal(value, locale=lang)

    return {
        "doc": doc,
        "lang": lang,
        "when": local,
        "number": number,
        "duration": duration,
        "md": md,
        "percent": percent,
        "chart": drawn(charts.poll_chart),
        "attendance_chart": drawn(charts.attendance_bars),
        "funnel_chart": drawn(charts.funnel_bars),
        "funnel_rows": funnel_rows,
        "theme_sources": theme_sources,
        "agenda_line": agenda_line,
        "attendance_line": attendance_line,
        "sessions_label": sessions_label,
        "mean_chart": drawn(charts.mean_chart),
        "schedule_line": lambda session: schedule_line(session, tz=tz, lang=lang),
        "held_on": lambda session: held_on(session, tz=tz, lang=lang),
        "limit": LIST_LIMIT,
    }


def markdown(kind: str, doc: dict, lang: str) -> str:
    context = _context(doc, lang)
    current_app.update_template_context(context)
    text = _markdown_env().get_template(f"summaries/{kind}.md").render(context)
    # Templates keep blank lines generous for readability; collapse runs of them.
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _markdown_env():
    """The app's templates without HTML escaping: Markdown is escaped by ``md`` alone.

    With Flask's environment, the label macros imported from ``_labels.html`` were
    HTML-escaped on top of ``md``: "Motion d'ordre" came out as "Motion d&#39;ordre".
    """
    env = current_app.extensions.get("companion_markdown_env")
    if env is None:
        env = current_app.jinja_env.overlay(autoescape=False)
        current_app.extensions["companion_markdown_env"] = env
    return env


def html(kind: str, doc: dict, lang: str, *, printed: bool = False) -> str:
    """The standalone HTML document (its @page and print rules also serve the PDF)."""
    return render_template(f"summaries/{kind}.html", **_context(doc, lang, printed=printed))


def pdf(kind: str, doc: dict, lang: str) -> bytes:
    """Typeset the HTML document as PDF (A4, page numbers); charts stay vectors."""
    # WeasyPrint reports its steps and every CSS property it ignores (some at import); those
    # are not errors.
    for name in ("weasyprint", "weasyprint.progress", "fontTools"):
        logging.getLogger(name).setLevel(logging.ERROR)
    from weasyprint import HTML

    return HTML(string=html(kind, doc, lang, printed=True)).write_pdf()

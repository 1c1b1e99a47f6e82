"""iCalendar files of an event's sessions: the public one, and a person's own."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone
from icalendar import Event as IcsEvent

from ..core.timeutil import utcnow
from .models import Event, LiveSession


def session_uid(event: Event, session: LiveSession) -> str:
    """A UID that stays the same across downloads, so calendars update instead of duplicating."""
    return f"session-{session.id}-{event.slug}@companion"


def build_calendar(
    event: Event,
    sessions: Iterable[LiveSession],
    *,
    page_url: Callable[[LiveSession], str],
    with_webconference: bool = False,
) -> bytes:
    """Return an .ics of ``sessions`` in the event's timezone (with its VTIMEZONE).

    ``page_url`` gives each session's link (the public programme, or a personal link);
    ``with_webconference`` adds the webconference address, for people registered only.
    """
    tz = ZoneInfo(event.timezone)
    sessions = list(sessions)
    calendar = Calendar()
    calendar.add("prodid", "-//Companion//companion//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", event.title)
    calendar.add("x-wr-timezone", event.timezone)
    for session in sessions:
        entry = IcsEvent()
        link = page_url(session)
        entry.add("uid", session_uid(event, session))
        entry.add("summary", session.title)
        entry.add("dtstart", session.starts_at.astimezone(tz))
        entry.add("dtend", session.ends_at.astimezone(tz))
        entry.add("dtstamp", utcnow())
        lines = [session.description, "", *(item.title for item in session.agenda), "", link]
        webconference = session.webconference_url if with_webconference else ""
        if webconference:
            lines.append(webconference)
            entry.add("location", webconference)
        entry.add("description", "\n".join(lines).strip())
        entry.add("url", link)
        calendar.add_component(entry)
    if sessions:
        # The VTIMEZONE covers the sessions' years only (the default, 1970-2038, is slow
        # to build and bloats every file).
        first = min(s.starts_at for s in sessions).astimezone(tz).date()
        last = max(s.ends_at for s in sessions).astimezone(tz).date()
        calendar.add_component(_vtimezone(event.timezone, first.year, last.year))
    return calendar.to_ical()


@cache
def _vtimezone(name: str, first_year: int, last_year: int) -> Timezone:
    return Timezone.from_tzinfo(
        ZoneInfo(name),
        tzid=name,
        first_date=date(first_year, 1, 1),
        last_date=date(last_year + 1, 1, 1),
    )

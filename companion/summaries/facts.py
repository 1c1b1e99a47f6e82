"""Facts from what happened, beside what was planned: who had the floor, the funnel of
participation, and the themes followed from session to session.

Speakers are the programme speakers who were given the floor, with their speaking time set
against the time the agenda planned for them; those planned who never had the floor are listed
apart. Counts only for people in the funnel: nobody is identified.
"""

from __future__ import annotations

from typing import Any

from ..floor import report as floor
from ..programme.models import LiveSession
from .themes import Analyser, detect_language


def speakers(session: LiveSession, floor_part: dict[str, Any]) -> tuple[list[dict], list[dict]]:
    """Return (programme speakers who had the floor, planned speakers who never had it).

    Both in agenda order, each with ``planned_s``; those who spoke with ``turns`` and
    ``spoken_s`` (pauses excluded) too.
    """
    planned = floor.planned_seconds(session)
    spoke = {e["speaker_id"]: e for e in floor_part["speaking_times"] if not e["attendee"]}
    seen: set[int] = set()
    heard, absent = [], []
    ordered = [sp for item in session.agenda for sp in item.speakers]
    # A speaker given the floor without being on the agenda is still heard.
    ordered += [sp for sp in session.event.speakers if sp.id in spoke]
    for speaker in ordered:
        if speaker.id in seen:
            continue
        seen.add(speaker.id)
        entry = {
            "id": speaker.id,
            "name": speaker.name,
            "role": speaker.role,
            "organisation": speaker.organisation,
            "planned_s": planned.get(speaker.id, 0.0),
        }
        if speaker.id in spoke:
            entry["turns"] = spoke[speaker.id]["turns"]
            entry["spoken_s"] = spoke[speaker.id]["spoken_s"]
            heard.append(entry)
        else:
            absent.append(entry)
    return heard, absent


def funnel(participation: dict[str, Any]) -> list[dict[str, Any]]:
    """Registered → present → contributed, each step with its share of the first."""
    steps = [
        ("registered", participation["registered"]),
        ("present", participation["joined"]),
        ("contributed", participation["contributors"]),
    ]
    base = max(participation["registered"], participation["joined"]) or 0
    return [
        {"step": step, "count": count, "percent": round(100 * count / base) if base else None}
        for step, count in steps
    ]


def follow_themes(
    themes: list[dict[str, Any]],
    texts_by_session: list[tuple[int, list[str]]],
    default: str = "fr",
) -> list[dict[str, Any]]:
    """Each theme with how many contributions of each session carry it (sessions in order)."""
    analysers = {lang: Analyser(lang) for lang in {t["lang"] for t in themes}}
    wanted = {(t["lang"], tuple(t["key"].split(" "))) for t in themes}
    counts: dict[tuple[str, tuple[str, ...]], dict[int, int]] = {key: {} for key in wanted}
    for session_id, texts in texts_by_session:
        for text in texts:
            lang = detect_language(text, default)
            analyser = analysers.get(lang)
            if analyser is None:
                continue
            for key in analyser.candidates(text):
                if (lang, key) in counts:
                    per = counts[(lang, key)]
                    per[session_id] = per.get(session_id, 0) + 1
    followed = []
    for theme in themes:
        per = counts[(theme["lang"], tuple(theme["key"].split(" ")))]
        followed.append(
            {
                **theme,
                "sessions": [sid for sid, _ in texts_by_session if per.get(sid)],
                "per_session": [
                    {"session_id": sid, "count": per.get(sid, 0)} for sid, _ in texts_by_session
                ],
            }
        )
    return followed

"""Importing and exporting programme files."""

import pytest
from sqlalchemy import func, select

from companion.core.errors import Conflict, Invalid
from companion.extensions import db
from companion.programme import service
from companion.programme.models import AgendaItem, Event, LiveSession, Speaker
from tests.conftest import DEMO_PROGRAMME


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Event, LiveSession, AgendaItem, Speaker)
    )


def test_export_then_import_round_trips(app, event):
    text = service.export_programme(service.load_event_tree(event.slug))
    copy = text.replace(f"slug: {event.slug}", "slug: copie")
    imported = service.import_programme(copy)
    db.session.commit()
    assert service.export_programme(imported) == copy
    assert [s.starts_at for s in imported.sessions] == [s.starts_at for s in event.sessions]


def test_same_slug_twice_is_a_conflict_and_changes_nothing(app, event):
    before = _counts()
    with pytest.raises(Conflict):
        service.import_programme(DEMO_PROGRAMME.read_text(encoding="utf-8"))
    db.session.rollback()
    assert _counts() == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("event: [unclosed", "line 1"),
        ("- just a list", "must be a mapping"),
        (
            "event:\n  slug: ok-slug\n  title: T\nsessions:\n  - key: a\n    title: A\n"
            "    starts_at: 2020-06-30T10:00:00\n    ends_at: 2020-06-30T12:00:00\n"
            "    agenda:\n      - title: X\n        planned_minutes: lots\n",
            "line 11, sessions.0.agenda.0.planned_minutes",
        ),
        (
            "event:\n  slug: ok-slug\n  title: T\nsessions:\n  - key: a\n    title: A\n"
            "    starts_at: 2020-06-30T12:00:00\n    ends_at: 2020-06-30T10:00:00\n",
            "ends_at must come after starts_at",
        ),
        (
            "event:\n  slug: ok-slug\n  title: T\n  colour: blue\nsessions: []\n",
            "event.colour",
        ),
        (
            "event:\n  slug: ok-slug\n  title: T\nsessions:\n  - key: a\n    title: A\n"
            "    starts_at: 2020-06-30T10:00:00\n    ends_at: 2020-06-30T12:00:00\n"
            "    agenda:\n      - title: X\n        speakers: [nobody]\n",
            "unknown speaker 'nobody'",
        ),
    ],
)
def test_bad_programme_files_name_the_problem_and_import_nothing(app, text, expected):
    with pytest.raises(Invalid) as excinfo:
        service.import_programme(text)
    db.session.rollback()
    assert expected in excinfo.value.message
    assert _counts() == (0, 0, 0, 0)

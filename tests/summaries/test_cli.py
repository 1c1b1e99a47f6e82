"""``python -m companion export`` and ``purge``, run against the test database."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from companion.cli import main
from companion.extensions import db
from companion.participants.models import Registration
from companion.summaries.retention import PURGED_NAME

from ..conftest import SECRET


@pytest.fixture
def run(database_url, monkeypatch):
    """Run a command of ``python -m companion`` on the test's database."""
    monkeypatch.setenv("COMPANION_DATABASE_URL", database_url)
    monkeypatch.setenv("COMPANION_SECRET_KEY", SECRET)

    def _run(*args, input=None):
        return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)

    return _run


def test_export_writes_a_session_summary_and_the_event_synthesis(scripted, run, tmp_path):
    db.session.commit()
    target = tmp_path / "summary.json"
    result = run(
        "export", "--session", str(scripted.session.id), "--format", "json", "-o", str(target)
    )
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text("utf-8"))["participation"]["joined"] == 5
    assert "Wrote" in result.output

    target = tmp_path / "synthesis.md"
    slug = scripted.session.event.slug
    result = run("export", "--event", slug, "--format", "md", "--lang", "en", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert "Sessions: 100%" in result.output  # the progress bar, one step per session
    assert target.read_text("utf-8").startswith("# L’innovation sociale")

    result = run("export", "--event", slug, "--format", "csv")
    assert result.exit_code != 0 and "per session" in result.output
    result = run("export", "--format", "json")
    assert result.exit_code != 0 and "--session ID or --event SLUG" in result.output
    result = run("export", "--session", "999999", "--format", "json")
    assert result.exit_code != 0 and "No session 999999" in result.output


def test_purge_asks_then_erases(scripted, run):
    event = scripted.session.event
    slug = event.slug
    event.retention_days = None  # kept: a purge needs --force
    db.session.commit()
    result = run("purge", "--event", slug, input="n\n")
    assert result.exit_code != 0 and "purge due never" in result.output
    result = run("purge", "--event", slug, "--yes")
    assert result.exit_code != 0 and "no retention delay" in result.output
    db.session.expire_all()
    assert PURGED_NAME not in db.session.scalars(select(Registration.name)).all()

    result = run("purge", "--event", slug, "--yes", "--force")
    assert result.exit_code == 0, result.output
    assert "Purged: 6 registrations, 5 participants" in result.output
    db.session.expire_all()
    assert set(db.session.scalars(select(Registration.name))) == {PURGED_NAME}

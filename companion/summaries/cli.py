"""Commands ``export`` (a session's summary or the event's synthesis) and ``purge``."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import click
from tqdm import tqdm

from ..cli import _app, main
from .render import EVENT_FORMATS, LANGUAGES, SESSION_FORMATS


@main.command("export")
@click.option("--session", "session_id", type=int, default=None, help="A session's id.")
@click.option("--event", "slug", default=None, help="An event's slug (the synthesis).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(dict.fromkeys(SESSION_FORMATS + EVENT_FORMATS))),
    required=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Default: the document's name in the current directory; '-' for stdout.",
)
@click.option("--lang", type=click.Choice(list(LANGUAGES)), default=None, help="Default: event's.")
def export(
    session_id: int | None, slug: str | None, fmt: str, output: Path | None, lang: str | None
) -> None:
    """Write a session's summary or an event's synthesis (md, html, pdf, json, csv, xlsx)."""
    from ..core.errors import DomainError
    from ..programme import service as programme
    from .render import export_event, export_session

    if (session_id is None) == (slug is None):
        raise click.UsageError("Give either --session ID or --event SLUG.")
    started = time.perf_counter()
    app = _app()
    with app.app_context():
        try:
            if session_id is not None:
                document = export_session(programme.get_session(session_id), fmt, lang=lang)
            else:
                if fmt not in EVENT_FORMATS:
                    raise click.UsageError(
                        f"The synthesis comes as {', '.join(EVENT_FORMATS)}; the CSV is per "
                        "session (--session ID)."
                    )
                event = programme.load_event_tree(slug)
                with tqdm(
                    total=len(event.sessions), desc="Sessions", unit="session", file=sys.stderr
                ) as bar:
                    document = export_event(
                        event, fmt, lang=lang, progress=lambda _session: bar.update(1)
                    )
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        if output is not None and str(output) == "-":
            stream = click.get_binary_stream("stdout")
            shutil.copyfileobj(document.body, stream)
            stream.flush()
            return
        target = output or Path(document.filename)
        size = document.size
        with target.open("wb") as handle:
            shutil.copyfileobj(document.body, handle)
    elapsed = time.perf_counter() - started
    click.echo(f"Wrote {target} ({size:,} bytes) in {elapsed:.1f} s.", err=True)


@main.command("purge")
@click.option("--event", "slug", required=True, help="The event's slug.")
@click.option("--force", is_flag=True, help="Purge before the retention delay has passed.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def purge(slug: str, force: bool, yes: bool) -> None:
    """Erase an event's personal data after its retention delay; the figures stay the same."""
    from ..core.errors import DomainError
    from ..extensions import db
    from ..programme import service as programme
    from .retention import purge_event, retention_status

    app = _app()
    with app.app_context():
        try:
            event = programme.load_event_tree(slug)
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        status = retention_status(event)
        click.echo(
            f"{event.title}: retention {status['retention_days']} days, "
            f"purge due {status['purge_due_at'] or 'never'}"
            + (f", last purged {status['purged_at']}" if status["purged_at"] else "")
        )
        if not yes:
            click.confirm(
                "Erase the names, emails and organisations of every registration and "
                "participant of this event?",
                abort=True,
            )
        try:
            done = purge_event(event, force=force)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            hint = "" if force or exc.code != "conflict" else " (command line: --force)"
            raise click.ClickException(exc.message + hint) from None
        click.echo(
            f"Purged: {done.registrations} registrations, {done.participants} participants, "
            f"{done.questions} signed questions, {done.question_edits} edit records, "
            f"{done.receipts} receipts, {done.broadcasts} logged broadcasts."
        )

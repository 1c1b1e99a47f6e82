"""``python -m companion bench``: loaded by the main command group when asked for."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .runner import SCENARIOS, Options


def _scenarios(_ctx, _param, value: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in value.split(",") if n.strip())
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        raise click.BadParameter(f"unknown {unknown}; choose among {', '.join(SCENARIOS)}")
    # Joining comes first: every other scenario needs attendees in the session.
    return ("join", *(n for n in SCENARIOS if n in names and n != "join"))


@click.command()
@click.option("--attendees", type=click.IntRange(1, 20000), default=200, show_default=True)
@click.option(
    "--processes",
    type=click.IntRange(1, 16),
    default=1,
    show_default=True,
    help="Companion serve processes; more than one shares a Redis message queue.",
)
@click.option(
    "--database",
    default="sqlite",
    show_default=True,
    help="'sqlite' (a fresh file) or a PostgreSQL URL whose server gets a fresh database.",
)
@click.option(
    "--async-mode", type=click.Choice(["eventlet", "gevent"]), default="eventlet", show_default=True
)
@click.option(
    "--scenarios",
    default=",".join(SCENARIOS),
    show_default=True,
    callback=_scenarios,
    help="Comma-separated: join always runs first.",
)
@click.option(
    "--generators",
    type=click.IntRange(1, 16),
    default=2,
    show_default=True,
    help="Load-generator processes.",
)
@click.option(
    "--redis",
    default="redis://127.0.0.1:6379/14",
    show_default=True,
    help="Message queue for --processes > 1 (a unique channel per run).",
)
@click.option("--question-share", type=click.FloatRange(0.001, 1.0), default=0.1, show_default=True)
@click.option("--handovers", type=click.IntRange(1, 200), default=10, show_default=True)
@click.option(
    "--join-concurrency",
    type=click.IntRange(0, 20000),
    default=24,
    show_default=True,
    help="Joins under way at once per load generator (0: every attendee at once).",
)
@click.option("--no-baseline", is_flag=True, help="Skip the raw relay comparison.")
@click.option(
    "--log-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep the servers' logs there (default: a temporary folder, kept on failure only).",
)
@click.option(
    "--profile",
    "profile_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Sample the servers with py-spy during each scenario; write summaries there.",
)
@click.option(
    "--soak-minutes",
    type=click.FloatRange(0, 240),
    default=0,
    show_default=True,
    help="After the scenarios, repeat votes, questions and handovers this long; report memory.",
)
@click.option("--json", "as_json", is_flag=True, help="Also print one JSON line with every figure.")
def bench(
    attendees: int,
    processes: int,
    database: str,
    async_mode: str,
    scenarios: tuple[str, ...],
    generators: int,
    redis: str,
    question_share: float,
    handovers: int,
    join_concurrency: int,
    no_baseline: bool,
    log_dir: Path | None,
    profile_dir: Path | None,
    soak_minutes: float,
    as_json: bool,
) -> None:
    """Measure Companion under N simulated attendees on loopback; exit 1 if anything is lost."""
    from . import report
    from .runner import run_bench

    if database != "sqlite" and not database.startswith(("postgresql://", "postgres://")):
        raise click.BadParameter("'sqlite' or a postgresql:// URL", param_hint="--database")
    for folder in (log_dir, profile_dir):
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
    import asyncio

    try:
        run = run_bench(
            Options(
                attendees=attendees,
                processes=processes,
                database=database,
                async_mode=async_mode,
                scenarios=scenarios,
                generators=generators,
                redis=redis,
                question_share=question_share,
                handovers=handovers,
                join_concurrency=join_concurrency,
                baseline=not no_baseline,
                log_dir=log_dir,
                profile_dir=profile_dir,
                soak_minutes=soak_minutes,
            )
        )
    except asyncio.CancelledError:
        click.echo("bench interrupted; servers stopped.", err=True)
        sys.exit(130)
    click.echo(report.as_table(run))
    if as_json:
        click.echo(report.as_json(run))
    sys.exit(1 if run.lost or run.errors else 0)

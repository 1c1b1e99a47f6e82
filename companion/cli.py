"""Commands of ``python -m companion`` (``--help`` lists them)."""

from __future__ import annotations

import gc
import importlib
import logging
import sys
from pathlib import Path

import click

from .config import DEFAULT_SECRET, ROOT, Config, ConfigError

DEMO_PROGRAMME = ROOT / "data" / "programme-innovation-sociale-2020.yaml"
DEMO_STAFF = (
    ("moderateur@demo.companion", "moderator", "Modératrice démo", "demo-moderateur"),
    ("animateur@demo.companion", "facilitator", "Animateur démo", "demo-animateur"),
)
DEMO_ATTENDEE = (
    "Camille Martin",
    "camille.martin@demo.companion",
    "Cap Rural",
    "agent_developpement",
)


def _app(*, serving: bool = False, **overrides):
    """Build the application; only ``serve`` runs the async server, other commands use threads."""
    from . import create_app

    try:
        config = Config.from_env()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if not serving:
        config.async_mode = "threading"
    for key, value in overrides.items():
        setattr(config, key, value)
    return create_app(config)


#: What to do when the bench cannot be loaded: it is a development tool beside the package.
BENCH_MISSING = (
    "The bench is not installed here ({error}). It lives in bench/ of Companion's source "
    "checkout and needs the development requirements: run `make setup` "
    "(or `pip install -r requirements-dev.txt`) in the checkout, then run this command there."
)


class Commands(click.Group):
    """The command group; ``bench`` is loaded from outside the package only when asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), "bench"})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name == "bench" and name not in self.commands:
            return bench_command()
        return super().get_command(ctx, name)


def bench_command() -> click.Command:
    """The bench's own command, or one that says how to install the bench."""
    if (ROOT / "bench").is_dir() and str(ROOT) not in sys.path:
        sys.path.append(str(ROOT))
    try:
        from bench.cli import bench
    except ImportError as exc:
        error = exc

        @click.command(
            "bench", context_settings={"ignore_unknown_options": True}, add_help_option=False
        )
        @click.argument("args", nargs=-1, type=click.UNPROCESSED)
        def bench(args: tuple[str, ...]) -> None:
            """Load benchmark (a development tool: not installed here)."""
            raise click.ClickException(BENCH_MISSING.format(error=error))

    return bench


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Companion: live polls, Q&A and speaker handovers for webconference programmes."""
    import os

    from .core.logs import configure_logging

    try:
        configure_logging(os.environ.get("COMPANION_LOG_FORMAT") or "text")
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


def upgrade_database(app) -> None:
    """Create or upgrade the database schema with the migrations."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="Default: COMPANION_PORT or 5000.")
@click.option(
    "--async-mode",
    type=click.Choice(["eventlet", "gevent"]),
    default=None,
    help="Default: COMPANION_ASYNC_MODE or eventlet.",
)
def serve(host: str, port: int | None, async_mode: str | None) -> None:
    """Serve the web pages, the API and Socket.IO."""
    from .extensions import socketio
    from .mail.sender import start_background_sender, transport

    app = _app(serving=True)
    config = app.config["COMPANION"]
    if config.is_sqlite:
        upgrade_database(app)
    port = port or config.port
    warning = exposed_secret_warning(config, host)
    if warning:
        logging.getLogger("companion.serve").warning(warning)
        click.secho(warning, err=True, fg="red", bold=True)
    click.echo(
        f"Companion on http://{host}:{port}/ ({config.async_mode}, "
        f"{'SQLite' if config.is_sqlite else 'PostgreSQL'}"
        f"{', message queue ' + config.message_queue if config.message_queue else ''})"
    )
    with app.app_context():
        mail = transport().describe()
    if config.smtp_url:
        click.echo(f"Mail: sent through {mail}, from {config.mail_from}")
    else:
        click.echo(f"Mail: no COMPANION_SMTP_URL, so mails are written as {mail}")
    # Links made outside any request (reminders, the mail queue's retries) point here.
    app.config["COMPANION_SERVING_URL"] = serving_url(host, port)
    if not config.public_url:
        click.echo(
            "Links in mails: COMPANION_PUBLIC_URL is not set; using the request's host, and "
            f"{app.config['COMPANION_SERVING_URL']} for reminders (set it for mails read elsewhere)"
        )
    start_background_sender(app)
    tune_garbage_collector()
    options = {}
    if config.async_mode == "eventlet":
        # eventlet.wsgi serves at most 1,024 connections by default; attendees stay connected.
        options["max_size"] = 20_000
    socketio.run(
        app, host=host, port=port, log_output=False, use_reloader=False, debug=False, **options
    )


def serving_url(host: str, port: int) -> str:
    """The address this server answers on, as a link: a wildcard host is reached on loopback."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def tune_garbage_collector() -> None:
    """Keep the cyclic garbage collector off the hot path of a long-running server.

    With thousands of connections, CPython's default (a young collection every 700
    allocations, older ones scanning every live object) ran inside votes and joins. Objects
    made at start-up (modules, the app, the mapped classes) live as long as the process, so
    they are frozen out of every scan; young collections come every 50,000 allocations. The
    bench, 1,000 attendees, three pairs of runs: vote CPU 1.02–1.14 ms against 1.22–1.62,
    join 2.85–3.24 ms against 3.10–3.65 (docs/capacity.md).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def exposed_secret_warning(config: Config, host: str) -> str | None:
    """A loud warning when the known development secret serves beyond this machine."""
    if config.secret_key != DEFAULT_SECRET or is_loopback(host):
        return None
    return (
        f"WARNING: serving on {host} with the public development secret key: anyone can forge "
        "staff tokens. Set COMPANION_SECRET_KEY to a long random value "
        "(COMPANION_ENV=production refuses to start without one)."
    )


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or name to bind) stays on this machine."""
    import ipaddress

    if host.strip().lower() in ("localhost", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@main.command("db-upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema (run once before starting several processes)."""
    upgrade_database(_app())
    click.echo("Database is up to date.")


@main.command("db-revision")
@click.option("-m", "--message", default="schema", show_default=True)
@click.option("--rev-id", default=None, help="Revision id (default: random).")
def db_revision(message: str, rev_id: str | None) -> None:
    """Write a migration for the changes made to the models since the last one."""
    from flask_migrate import migrate as alembic_migrate

    app = _app()
    upgrade_database(app)
    with app.app_context():
        alembic_migrate(directory=str(ROOT / "migrations"), message=message, rev_id=rev_id)


@main.command("import-programme")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_programme(file: Path) -> None:
    """Import an event from a programme file (YAML); all or nothing."""
    from .core.errors import DomainError
    from .extensions import db
    from .programme import service

    app = _app()
    with app.app_context():
        try:
            event = service.import_programme(file.read_text(encoding="utf-8"))
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            details = getattr(exc, "details", None) or []
            lines = [exc.message] + [
                f"  - line {d.get('line') or '?'}: {d['field']}: {d['problem']}"
                for d in details[1:6]
            ]
            raise click.ClickException("\n".join(lines)) from None
        click.echo(f"Imported {event.slug!r}: {len(event.sessions)} sessions.")


@main.command("export-programme")
@click.option("--event", "slug", default=None, help="The event's slug (default: the only one).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_programme(slug: str | None, output: Path | None) -> None:
    """Write an event's programme as YAML (stdout by default)."""
    from .programme import service

    app = _app()
    with app.app_context():
        events = service.list_events()
        if slug is None:
            if len(events) != 1:
                raise click.ClickException(
                    "Name the event with --event SLUG: " + ", ".join(e.slug for e in events)
                )
            slug = events[0].slug
        try:
            text = service.export_programme(service.load_event_tree(slug))
        except Exception as exc:
            raise click.ClickException(str(exc)) from None
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}")
    else:
        sys.stdout.write(text)


@main.command("create-staff")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", type=click.Choice(["moderator", "facilitator"]), required=True)
@click.option("--name", default="")
def create_staff(email: str, password: str, role: str, name: str) -> None:
    """Create a moderator or facilitator account (or reset its password)."""
    from .core.errors import DomainError
    from .extensions import db
    from .participants import service

    app = _app()
    with app.app_context():
        try:
            staff = service.create_staff(email, password, role, name)
            db.session.commit()
        except DomainError as exc:
            raise click.ClickException(exc.message) from None
        click.echo(f"{staff.role} {staff.email} ready.")


@main.command("init-demo")
@click.option(
    "--base-url",
    default=None,
    help="Default: COMPANION_PUBLIC_URL, else http://127.0.0.1:COMPANION_PORT",
)
def init_demo(base_url: str | None) -> None:
    """Migrate, load the demo programme into an empty database, print logins and addresses."""
    from sqlalchemy import select

    from .extensions import db
    from .participants import service as people
    from .participants.models import Registration
    from .participants.schemas import RegistrationIn
    from .participants.tokens import registration_token
    from .programme import service
    from .programme.models import Event

    app = _app()
    config = app.config["COMPANION"]
    if config.env == "production":
        raise click.ClickException("init-demo creates known passwords: not in production.")
    upgrade_database(app)
    base = (base_url or config.public_url or f"http://127.0.0.1:{config.port}").rstrip("/")
    with app.app_context():
        event = db.session.scalar(select(Event).order_by(Event.id))
        if event is None:
            event = service.import_programme(DEMO_PROGRAMME.read_text(encoding="utf-8"))
            click.echo(f"Loaded the demo programme {event.slug!r}.")
        for email, role, name, password in DEMO_STAFF:
            people.create_staff(email, password, role, name)
        name, email, organisation, profile = DEMO_ATTENDEE
        registration = db.session.scalar(
            select(Registration).where(
                Registration.event_id == event.id, Registration.email == email
            )
        )
        if registration is None:
            registration = people.register(
                event,
                RegistrationIn(
                    name=name,
                    email=email,
                    organisation=organisation,
                    profile=profile,
                    session_ids=[s.id for s in event.sessions],
                ),
            )
        db.session.commit()
        token = registration_token(registration)
        first = event.sessions[0]
        click.echo("")
        click.echo("Companion demo — open these addresses:")
        click.echo(f"  Programme            {base}/events/{event.slug}")
        click.echo(f"  Registration         {base}/events/{event.slug}/register")
        click.echo(f"  Attendee (Camille)   {base}/sessions/{first.id}?t={token}")
        click.echo(f"  Staff login          {base}/login")
        click.echo(f"  Moderator console    {base}/console/{first.id}")
        click.echo(f"  Projector view       {base}/projector/{first.id}")
        click.echo(f"  Organiser workspace  {base}/manage")
        click.echo(f"  Facilitator          {base}/dashboard/{event.slug}")
        click.echo("Logins:")
        for email, role, _name, password in DEMO_STAFF:
            click.echo(f"  {role:<12} {email} / {password}")
        click.echo("")


# Commands that live with their domain (summaries export) register themselves here.
for _module in ("summaries/cli",):
    if (ROOT / "companion" / f"{_module}.py").exists():
        importlib.import_module("companion." + _module.replace("/", "."))

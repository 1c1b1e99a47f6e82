"""The application factory: extensions bound, domains registered, pages and API mounted."""

from __future__ import annotations

import logging
import re

from flask import Flask, has_request_context, request
from markupsafe import Markup, escape
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine
from werkzeug.routing import IntegerConverter

from .config import ROOT, Config
from .core import origin
from .extensions import babel, db, migrate, socketio

log = logging.getLogger(__name__)
LANGUAGES = ("fr", "en")
MAX_HTTP_BODY = 1024 * 1024


def import_domains() -> None:
    """Import every module that registers models, socket events, routes or snapshot parts.

    Runs before the first ``socketio.init_app`` so handlers registered by decorators are kept
    for every application built later (tests build one per test).
    """
    import importlib

    from .realtime import dispatcher

    package = ROOT / "companion"
    for name in DOMAIN_MODULES:
        # A domain holds only the files it needs (routes.py, sockets.py ...).
        if (package / (name.replace(".", "/") + ".py")).exists():
            importlib.import_module(f"companion.{name}")
    dispatcher.check_events()


DOMAIN_MODULES = [
    "programme.models",
    "participants.models",
    "mail.models",
    "realtime.models",
    "realtime.sockets",
    "programme.sockets",
    "programme.scopes",
    "programme.routes",
    "programme.workspace",
    "programme.lifecycle",
    "participants.routes",
    "participants.workspace",
    "participants.speaker_links",
    "participants.sockets",
    "mail.routes",
    "mail.sender",
    "polls.models",
    "polls.sockets",
    "polls.routes",
    "polls.closing",
    "polls.programme_file",
    "questions.models",
    "questions.sockets",
    "floor.models",
    "floor.lifecycle",
    "floor.sockets",
    "floor.closing",
    "projector.sockets",
    "summaries.models",
    "summaries.routes",
    "summaries.actions",
    "security.ratelimit",
    "pages.routes",
    "pages.workspace",
]


def create_app(config: Config | None = None) -> Flask:
    """Build an application for ``config`` (default: read from the environment)."""
    config = config or Config.from_env()
    config.validate()
    app = Flask(
        "companion",
        root_path=str(ROOT / "companion"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.update(
        SECRET_KEY=config.secret_key,
        COMPANION=config,
        SQLALCHEMY_DATABASE_URI=config.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(config),
        MAX_CONTENT_LENGTH=MAX_HTTP_BODY,
        BABEL_DEFAULT_LOCALE="fr",
        BABEL_DEFAULT_TIMEZONE="Europe/Paris",
        BABEL_TRANSLATION_DIRECTORIES=translation_directories(),
        JSON_SORT_KEYS=False,
        TESTING=config.testing,
    )
    if config.is_sqlite:
        (ROOT / "instance").mkdir(exist_ok=True)
    if config.proxy_count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = config.proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)

    app.url_map.converters["int"] = BoundedIntConverter
    import_domains()

    from .core.http import api, ops, register_error_handlers
    from .core.logs import install_request_log
    from .core.metrics import init_metrics
    from .core.models import render_migration_item
    from .core.passwords import use_profile
    from .core.tokens import TokenSigner
    from .pages.routes import pages
    from .participants import tokens as participant_tokens
    from .realtime import dispatcher, hub, managers, wirejson
    from .realtime import sockets as realtime_sockets
    from .realtime.coalesce import coalescer
    from .realtime.presence import presence
    from .security.headers import install_security_headers
    from .security.login_throttle import init_login_throttle
    from .security.ratelimit import init_rate_limits
    from .summaries.pages import summaries_pages

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        render_item=render_migration_item,
    )
    babel.init_app(app, locale_selector=select_locale)
    app.before_request(_fresh_locale)
    redis_client = None
    if config.message_queue:
        import redis

        redis_client = redis.Redis.from_url(
            config.message_queue, socket_timeout=2, socket_connect_timeout=2
        )
    app.extensions["companion_redis"] = redis_client
    presence.configure(redis_client, prefix=config.queue_channel)
    coalescer.reset()
    use_profile(config.password_hashing)
    socketio.init_app(
        app,
        async_mode=config.async_mode,
        # Rooms indexed per connection, broadcasts published together (realtime/managers.py).
        client_manager=managers.client_manager(
            config.message_queue, config.queue_channel, sliced_events=hub.FIGURE_EVENTS
        ),
        cors_allowed_origins=config.allowed_origins,
        max_http_buffer_size=config.max_payload_bytes * 4,
        ping_interval=config.ping_interval_s,
        ping_timeout=config.ping_timeout_s,
        logger=False,
        engineio_logger=False,
        # A connection's events run on its reader, one after the other: acks come back in the
        # order sent, and no green thread is spawned per event (realtime/dispatcher.py).
        async_handlers=False,
        json=wirejson,
        # Sockets authenticate by token and never read the cookie session: no per-event copy.
        manage_session=False,
    )
    dispatcher.bind_events(app)
    realtime_sockets.bind_disconnect()
    participant_tokens.init_app(app)
    app.extensions["companion_tokens"] = TokenSigner(
        config.secret_key,
        {
            "participant": config.participant_token_max_age_s,
            "registration": config.participant_token_max_age_s,
            "staff": config.staff_token_max_age_s,
            "password": config.password_token_max_age_s,
            "speaker": config.participant_token_max_age_s,
        },
    )
    app.register_blueprint(api)
    app.register_blueprint(ops)
    app.register_blueprint(pages)
    app.register_blueprint(summaries_pages)
    register_error_handlers(app)
    install_request_log(app)
    init_metrics(app)
    install_security_headers(app)
    init_rate_limits(app)
    init_login_throttle(app)
    _register_template_filters(app)
    return app


def _register_template_filters(app: Flask) -> None:
    from zoneinfo import ZoneInfo

    from babel import dates
    from flask_babel import get_locale, gettext

    from .core.i18n import formatting_locale
    from .participants.models import PROFILE_LABELS
    from .polls.kinds import template_globals as poll_template_globals

    app.jinja_env.globals["get_locale"] = get_locale
    # The registration form's choices and the summaries' words for them: one list.
    app.jinja_env.globals["profile_labels"] = PROFILE_LABELS
    app.jinja_env.globals.update(poll_template_globals())

    @app.template_filter("localdatetime")
    def localdatetime(value, tz: str, form: str = "medium"):
        """Show an aware datetime in the event's timezone and the page's language."""
        local = value.astimezone(ZoneInfo(tz))
        locale = formatting_locale(str(get_locale() or "fr"))
        if form == "full_date":
            return dates.format_date(local.date(), format="full", locale=locale)
        if form == "time":
            return dates.format_time(local.time(), format="short", locale=locale)
        return dates.format_datetime(local, format=form, locale=locale)

    @app.template_filter("zone")
    def zone(tz: str) -> str:
        """The time zone as people say it: « heure de Paris », "Paris time" (mails are read
        anywhere; a time without its zone is a guess)."""
        locale = formatting_locale(str(get_locale() or "fr"))
        return gettext("%(city)s time", city=dates.get_timezone_location(tz, locale, True))

    @app.template_filter("paragraphs")
    def paragraphs(text: str, *, links: bool = False):
        """Escape plain text and keep its paragraphs and line breaks (``links``: addresses and
        phone numbers as links, for a contact)."""
        blocks = [b.strip() for b in (text or "").split("\n\n") if b.strip()]
        shown = contact_links if links else escape
        return Markup("".join("<p>" + str(shown(b)).replace("\n", "<br>") + "</p>" for b in blocks))


#: An address or a phone number in an organiser's contact text, made a link.
_CONTACT_LINKS = re.compile(
    r"(?P<email>[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<phone>(?<![\w+])(?:\+\d{1,3}[ .]?)?\(?0?\d\)?(?:[ .]?\d{2}){4}(?!\w))"
)


def contact_links(text: str) -> Markup:
    """Escape ``text`` and make its e-mail addresses mailto: and its phone numbers tel: links."""

    def link(match: re.Match) -> str:
        shown = match.group(0)
        if match.group("email"):
            return f'<a href="mailto:{shown}">{shown}</a>'
        return f'<a href="tel:{re.sub(r"[^+0-9]", "", shown)}">{shown}</a>'

    return Markup(_CONTACT_LINKS.sub(link, str(escape(text))))


class BoundedIntConverter(IntegerConverter):
    """``<int:...>`` ids up to 2**53 (JSON-safe, as ``core.schemas.Id``): larger ones are 404s.

    Unbounded, 4032039884534111010816 reached the database and overflowed its integer.
    """

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(map, fixed_digits, min, 2**53 if max is None else max, signed)


def translation_directories() -> str:
    """The shared catalogue first, then each domain's own (Flask-Babel merges them)."""
    package = ROOT / "companion"
    found = [package / "translations", *sorted(package.glob("*/translations"))]
    return ";".join(str(path) for path in found)


def _fresh_locale() -> None:
    """Choose each request's language afresh (Flask-Babel caches it in ``g``, which several
    requests share when an application context is already pushed, as in tests)."""
    from flask_babel import refresh

    refresh()


def select_locale() -> str:
    """Choose French or English: ?lang=, then the cookie, then the browser; French by default.

    A socket event has no request: its connection's language was chosen so at connect.
    """
    if not has_request_context():
        event_origin = origin.current()
        return event_origin.language if event_origin is not None else "fr"
    asked = request.args.get("lang") or request.cookies.get("lang")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES) or "fr"


def _engine_options(config: Config) -> dict:
    if config.is_sqlite:
        # One connection: the process is single-threaded under eventlet/gevent and SQLite
        # writes one at a time anyway; queueing on the pool (a green lock) never blocks the hub
        # the way SQLite's busy-wait would.
        return {
            "poolclass": _pool_class(),
            "pool_size": config.sqlite_pool_size,
            "max_overflow": 0,
            "pool_timeout": 30,
            "connect_args": {"timeout": 15, "check_same_thread": False},
        }
    # A vote burst queues greenlets on the pool: waiting is cheap, failing a vote is not.
    return {
        "poolclass": _pool_class(),
        "pool_size": config.db_pool_size,
        "max_overflow": config.db_pool_size,
        "pool_pre_ping": True,
        "pool_timeout": 30,
    }


def _pool_class():
    """A QueuePool that counts waits for a connection (companion_db_pool_waits)."""
    from .core.metrics import MeteredQueuePool

    return MeteredQueuePool


@sa_event.listens_for(Engine, "connect")
def _tune_sqlite(dbapi_connection, _record) -> None:
    """WAL, a busy timeout and enforced foreign keys on every SQLite connection."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()

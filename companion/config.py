"""Configuration read from the environment (``COMPANION_*``)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "dev-insecure-change-me"
ASYNC_MODES = ("eventlet", "gevent", "threading")


class ConfigError(RuntimeError):
    """The environment describes a configuration that must not start."""


@dataclass
class Config:
    """Everything the application factory needs; tests build one directly."""

    database_url: str = ""
    message_queue: str | None = None
    # Prefix of the Redis channel and keys: deployments sharing one Redis must differ.
    queue_channel: str = "companion"
    secret_key: str = DEFAULT_SECRET
    async_mode: str = "eventlet"
    env: str = "development"
    port: int = 5000
    # Tokens: participants keep theirs for the event's duration, staff for a working day.
    participant_token_max_age_s: int = 60 * 60 * 24 * 120
    staff_token_max_age_s: int = 60 * 60 * 12
    # Set-password links (invitations and resets) expire after three days.
    password_token_max_age_s: int = 60 * 60 * 24 * 3
    max_payload_bytes: int = 64 * 1024
    # None: the Socket.IO server accepts browsers from its own origin only.
    allowed_origins: list[str] | str | None = None
    # How often coalesced broadcasts (poll results, presence, vote counts) may go out.
    coalesce_interval_s: float = 0.3
    # Group commit: how long the first contribution of a burst waits for the others to arrive,
    # and the most committed together (realtime/groupcommit.py).
    group_commit_s: float = 0.002
    group_commit_max: int = 256
    # Engine.IO keepalive: a PING every interval, and a connection whose PONG is later than
    # the timeout is closed. The PING waits in the same queue as the broadcasts, so the
    # timeout must outlast the longest backlog a burst leaves (docs/capacity.md).
    ping_interval_s: int = 20
    ping_timeout_s: int = 60
    # Past this many missed broadcasts, session.join answers a fresh snapshot instead.
    replay_limit: int = 500
    rate_limits_enabled: bool = True
    # Reverse proxies in front (nginx): trust that many X-Forwarded-* hops for client addresses.
    proxy_count: int = 0
    # PostgreSQL connections per process (and as many again in overflow under bursts).
    db_pool_size: int = 10
    # Argon2 parameters: "standard", or "fast" for test suites.
    password_hashing: str = "standard"
    # One SQLite connection per process by default (see app._engine_options).
    sqlite_pool_size: int = 1
    testing: bool = False
    # Bearer token that opens GET /metrics to non-loopback scrapers (unset: loopback only).
    metrics_token: str | None = None
    # Application log: "text" lines, or "json" objects for log shippers.
    log_format: str = "text"
    # Base of every absolute link (mails, QR codes, .ics); empty: the request's own host.
    public_url: str = ""
    # smtp://user:pass@host:port, smtps://..., smtp+starttls://...; empty: .eml files instead.
    smtp_url: str = ""
    mail_from: str = "Companion <companion@localhost>"
    # Where .eml files go when no SMTP server is configured (default: instance/outbox).
    outbox_dir: str = ""
    # Reminders before each session a person registered for, in seconds before its start.
    reminders_s: tuple[int, ...] = (24 * 3600, 15 * 60)
    # How often the background sender looks for mails to send and reminders to queue.
    mail_interval_s: float = 5.0
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Config:
        """Build the configuration from ``COMPANION_*`` variables, refusing unsafe production."""
        env = os.environ if environ is None else environ
        instance = ROOT / "instance"
        config = cls(
            database_url=normalise_database_url(
                env.get("COMPANION_DATABASE_URL") or f"sqlite:///{instance / 'companion.sqlite3'}"
            ),
            message_queue=env.get("COMPANION_MESSAGE_QUEUE") or None,
            queue_channel=env.get("COMPANION_QUEUE_CHANNEL", "companion"),
            secret_key=env.get("COMPANION_SECRET_KEY") or DEFAULT_SECRET,
            async_mode=env.get("COMPANION_ASYNC_MODE", "eventlet"),
            env=env.get("COMPANION_ENV", "development"),
            port=int(env.get("COMPANION_PORT", "5000")),
            allowed_origins=_origins(env.get("COMPANION_ALLOWED_ORIGINS")),
            rate_limits_enabled=env.get("COMPANION_RATE_LIMITS", "on") != "off",
            proxy_count=int(env.get("COMPANION_PROXY_COUNT", "0")),
            db_pool_size=int(env.get("COMPANION_DB_POOL_SIZE", "10")),
            metrics_token=env.get("COMPANION_METRICS_TOKEN") or None,
            log_format=env.get("COMPANION_LOG_FORMAT", "text"),
            public_url=(env.get("COMPANION_PUBLIC_URL") or "").strip().rstrip("/"),
            smtp_url=(env.get("COMPANION_SMTP_URL") or "").strip(),
            mail_from=env.get("COMPANION_MAIL_FROM") or "Companion <companion@localhost>",
            outbox_dir=env.get("COMPANION_OUTBOX_DIR") or "",
            reminders_s=parse_reminders(env.get("COMPANION_REMINDERS", "24h,15m")),
            mail_interval_s=float(env.get("COMPANION_MAIL_INTERVAL", "5")),
            group_commit_s=float(env.get("COMPANION_GROUP_COMMIT_MS", "2")) / 1000,
            ping_timeout_s=int(env.get("COMPANION_PING_TIMEOUT", "60")),
        )
        config.validate()
        return config

    def validate(self) -> None:
        """Raise ConfigError when the configuration is unusable or unsafe."""
        if self.async_mode not in ASYNC_MODES:
            raise ConfigError(
                f"COMPANION_ASYNC_MODE must be one of {', '.join(ASYNC_MODES)}, "
                f"not {self.async_mode!r}"
            )
        if self.log_format not in ("text", "json"):
            raise ConfigError("COMPANION_LOG_FORMAT must be 'text' or 'json'")
        if not 0 <= self.group_commit_s <= 0.1:
            raise ConfigError("COMPANION_GROUP_COMMIT_MS must be between 0 and 100")
        if not 5 <= self.ping_timeout_s <= 300:
            raise ConfigError("COMPANION_PING_TIMEOUT must be between 5 and 300 seconds")
        if self.env not in ("development", "production"):
            raise ConfigError("COMPANION_ENV must be 'development' or 'production'")
        if self.public_url and not self.public_url.startswith(("http://", "https://")):
            raise ConfigError("COMPANION_PUBLIC_URL must start with http:// or https://")
        if self.message_queue and not self.message_queue.startswith(("redis://", "rediss://")):
            # Presence, rate limits (limits' Redis storage) and revocations share it with
            # Socket.IO: a Redis URL that each of them reads.
            raise ConfigError("COMPANION_MESSAGE_QUEUE must be a Redis URL (redis:// or rediss://)")
        if self.smtp_url and not self.smtp_url.startswith(
            ("smtp://", "smtps://", "smtp+starttls://")
        ):
            raise ConfigError(
                "COMPANION_SMTP_URL must start with smtp://, smtps:// or smtp+starttls://"
            )
        if self.env == "production" and (
            not self.secret_key or self.secret_key == DEFAULT_SECRET or len(self.secret_key) < 16
        ):
            raise ConfigError(
                "COMPANION_ENV=production needs COMPANION_SECRET_KEY set to a long random value "
                f"(for example: {secrets.token_urlsafe(32)})"
            )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def normalise_database_url(url: str) -> str:
    """Use psycopg2 (made cooperative by psycogreen) for plain ``postgresql://`` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_reminders(value: str) -> tuple[int, ...]:
    """Parse COMPANION_REMINDERS ('24h,15m'; 'off' or empty: none) into seconds, longest first."""
    value = (value or "").strip().lower()
    if value in ("", "off", "none"):
        return ()
    found = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        unit = _UNITS.get(part[-1])
        number = part[:-1] if unit else part
        if not number.isdigit() or int(number) <= 0:
            raise ConfigError(
                f"COMPANION_REMINDERS: {part!r} is not a delay such as 24h, 90m or 2d"
            )
        found.append(int(number) * (unit or 60))
    return tuple(sorted(set(found), reverse=True))


def _origins(value: str | None) -> list[str] | str | None:
    """Parse COMPANION_ALLOWED_ORIGINS: unset (same origin only), '*' or a comma-separated list."""
    if not value:
        return None
    if value.strip() == "*":
        return "*"
    return [origin.strip() for origin in value.split(",") if origin.strip()]

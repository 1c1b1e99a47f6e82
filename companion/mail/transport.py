"""Where mails go: an SMTP server (smtp://, smtps://, STARTTLS), or .eml files for development."""

from __future__ import annotations

import re
import smtplib
import ssl
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from ..config import ROOT

SMTP_TIMEOUT_S = 20


class TemporaryFailure(Exception):
    """The server could not take the message now; try again later."""


class PermanentFailure(Exception):
    """The server refused the message for good (an unknown recipient ...)."""


class SmtpTransport:
    """Send over SMTP; ``smtp://`` upgrades with STARTTLS when offered, ``smtps://`` is TLS."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.scheme = parts.scheme
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (
            465 if self.scheme == "smtps" else 587 if "starttls" in self.scheme else 25
        )
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        options = parse_qs(parts.query)
        starttls = (options.get("starttls") or ["auto"])[0]
        self.starttls = "required" if self.scheme == "smtp+starttls" else starttls

    def describe(self) -> str:
        return f"SMTP {self.scheme}://{self.host}:{self.port}"

    def send(self, sender: str, recipient: str, message: str) -> None:
        """Deliver one message, or raise TemporaryFailure / PermanentFailure."""
        context = ssl.create_default_context()
        try:
            if self.scheme == "smtps":
                client = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=SMTP_TIMEOUT_S, context=context
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_S)
            with client:
                client.ehlo()
                if self.scheme != "smtps" and self.starttls not in ("off", "no", "0"):
                    if client.has_extn("starttls"):
                        client.starttls(context=context)
                        client.ehlo()
                    elif self.starttls == "required":
                        raise TemporaryFailure("the server does not offer STARTTLS")
                if self.username:
                    client.login(self.username, self.password or "")
                # SMTP lines end with CRLF; smtplib fixes str messages only, not bytes.
                data = re.sub(r"\r?\n", "\r\n", message).encode("utf-8")
                client.sendmail(sender, [recipient], data)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                raise PermanentFailure(f"recipient refused: {exc.recipients}") from exc
            raise TemporaryFailure(f"recipient deferred: {exc.recipients}") from exc
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600 and exc.smtp_code not in (530, 534, 535):
                raise PermanentFailure(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
            raise TemporaryFailure(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc


class FileTransport:
    """Write each message as ``<id>-<kind>.eml`` (no SMTP configured: ``make run``)."""

    def __init__(self, folder: str | Path | None = None):
        self.folder = Path(folder) if folder else ROOT / "instance" / "outbox"

    def describe(self) -> str:
        return f".eml files in {self.folder}"

    def send(self, sender: str, recipient: str, message: str, *, name: str = "") -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self.folder / (name or "message.eml")
            partial = target.with_suffix(".part")
            partial.write_text(message, encoding="utf-8")
            partial.replace(target)
        except OSError as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc


def transport_for(config) -> SmtpTransport | FileTransport:
    """Return the transport the configuration asks for."""
    if config.smtp_url:
        return SmtpTransport(config.smtp_url)
    return FileTransport(config.outbox_dir or None)

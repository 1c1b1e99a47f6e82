"""SMTP URLs and the mail configuration, against real aiosmtpd servers where it matters."""

from __future__ import annotations

import pytest
from aiosmtpd.smtp import AuthResult

from companion.config import Config, ConfigError, parse_reminders
from companion.mail.transport import SmtpTransport, TemporaryFailure
from tests.mail.smtp import SmtpServer

MESSAGE = "From: a@example.org\nTo: b@example.org\nSubject: hi\n\nbody\n"


def test_smtp_urls_are_understood():
    plain = SmtpTransport("smtp://user%40x:p%3Ass@mail.example.org:2525")
    assert (plain.host, plain.port, plain.username, plain.password) == (
        "mail.example.org",
        2525,
        "user@x",
        "p:ss",
    )
    assert plain.starttls == "auto"
    assert SmtpTransport("smtps://mail.example.org").port == 465
    required = SmtpTransport("smtp+starttls://mail.example.org")
    assert (required.port, required.starttls) == (587, "required")
    assert SmtpTransport("smtp://h?starttls=off").starttls == "off"


def test_login_with_the_urls_credentials():
    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        ok = auth_data.login == b"companion" and auth_data.password == b"s3cret"
        return AuthResult(success=ok)

    server = SmtpServer(authenticator=authenticator, auth_require_tls=False).start()
    try:
        SmtpTransport(f"smtp://companion:s3cret@127.0.0.1:{server.port}").send(
            "a@example.org", "b@example.org", MESSAGE
        )
        assert len(server.inbox.to("b@example.org")) == 1
        assert seen[0] == (b"companion", b"s3cret")
    finally:
        server.stop()


def test_required_starttls_is_not_skipped():
    server = SmtpServer().start()  # offers no STARTTLS
    try:
        with pytest.raises(TemporaryFailure, match="STARTTLS"):
            SmtpTransport(f"smtp+starttls://127.0.0.1:{server.port}").send(
                "a@example.org", "b@example.org", MESSAGE
            )
        assert server.inbox.messages == []
    finally:
        server.stop()


def test_mail_configuration_from_the_environment():
    config = Config.from_env(
        {
            "COMPANION_PUBLIC_URL": "https://companion.example.org/",
            "COMPANION_SMTP_URL": "smtps://u:p@mail.example.org",
            "COMPANION_MAIL_FROM": "Cap Rural <noreply@caprural.org>",
            "COMPANION_REMINDERS": "2d, 1h,15m",
        }
    )
    assert config.public_url == "https://companion.example.org"
    assert config.reminders_s == (2 * 86400, 3600, 900)
    assert parse_reminders("off") == ()
    for bad in (
        {"COMPANION_PUBLIC_URL": "companion.example.org"},
        {"COMPANION_SMTP_URL": "mail:25"},
    ):
        with pytest.raises(ConfigError):
            Config.from_env(bad)
    with pytest.raises(ConfigError, match="COMPANION_REMINDERS"):
        parse_reminders("24x")

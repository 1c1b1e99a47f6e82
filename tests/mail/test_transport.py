"""SMTP URLs and the mail configuration, against real aiosmtpd servers where it matters."""

from __future__ import annotations

import ssl

import pytest
import trustme
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


# -- TLS, against aiosmtpd with a certificate from a throw-away authority (trustme) ------------


@pytest.fixture
def authority(tmp_path, monkeypatch):
    """A certificate authority the client trusts (through SSL_CERT_FILE, as an operator would
    for a private relay), and a server context holding its certificate for 127.0.0.1."""
    ca = trustme.CA()
    trusted = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(trusted))
    monkeypatch.setenv("SSL_CERT_FILE", str(trusted))
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    return server_context


def _checking_login(seen: list):
    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append(auth_data.login)
        return AuthResult(success=auth_data.password == b"s3cret")

    return authenticator


@pytest.mark.parametrize("url", ["smtp+starttls", "smtp"])
def test_starttls_then_login_then_delivery(authority, url):
    """STARTTLS, required or offered: the password only goes over TLS (aiosmtpd refuses AUTH
    before it), and the message arrives."""
    seen: list = []
    server = SmtpServer(
        tls_context=authority, require_starttls=True, authenticator=_checking_login(seen)
    ).start()
    try:
        SmtpTransport(f"{url}://companion:s3cret@127.0.0.1:{server.port}").send(
            "a@example.org", "b@example.org", MESSAGE
        )
        assert [m["Subject"] for m in server.inbox.to("b@example.org")] == ["hi"]
        assert seen == [b"companion"]
    finally:
        server.stop()


def test_smtps_delivers_over_tls(authority):
    seen: list = []
    # TLS from the first byte: aiosmtpd's SMTP layer does not see it, so it must be told that
    # AUTH is fine here.
    server = SmtpServer(
        ssl_context=authority, auth_require_tls=False, authenticator=_checking_login(seen)
    ).start()
    try:
        SmtpTransport(f"smtps://companion:s3cret@127.0.0.1:{server.port}").send(
            "a@example.org", "b@example.org", MESSAGE
        )
        assert len(server.inbox.to("b@example.org")) == 1
        assert seen == [b"companion"]
    finally:
        server.stop()


def test_a_certificate_nobody_vouches_for_stops_the_mail_before_the_password(
    authority, monkeypatch
):
    """No downgrade to plain text: an unverifiable server gets neither password nor message,
    and the failure is temporary (the outbox keeps the mail until the operator fixes it)."""
    monkeypatch.delenv("SSL_CERT_FILE")  # the system's authorities only: they know not this one
    seen: list = []
    server = SmtpServer(
        tls_context=authority, require_starttls=True, authenticator=_checking_login(seen)
    ).start()
    try:
        with pytest.raises(TemporaryFailure, match="CERTIFICATE_VERIFY_FAILED"):
            SmtpTransport(f"smtp://companion:s3cret@127.0.0.1:{server.port}").send(
                "a@example.org", "b@example.org", MESSAGE
            )
        assert seen == []
        assert server.inbox.messages == []
    finally:
        server.stop()

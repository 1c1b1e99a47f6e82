import pytest

from tests.mail.smtp import SmtpServer


@pytest.fixture
def smtp():
    """A real SMTP server on a free loopback port, for the length of a test."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def config(database_url, smtp):
    from tests.conftest import make_config

    return make_config(
        database_url,
        smtp_url=smtp.url,
        public_url="https://companion.example.org",
        mail_from="Companion <noreply@companion.example.org>",
    )

"""Queue mails: build the message now, in the recipient's language, and add it to the outbox.

Every ``queue_*``/``enqueue`` function only adds a row to the caller's transaction: the mail
exists if and only if the change that causes it is committed. :mod:`companion.mail.sender`
delivers it later.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid, parseaddr

from flask import current_app, render_template
from flask_babel import force_locale

from ..core.text import one_line
from ..core.timeutil import utcnow
from ..extensions import db
from .models import OutboxMessage

LANGUAGES = ("fr", "en")
# RFC 5322's hard line limit. At the default 78, the standard library folds a long subject
# between encoded words and readers then lose the space there ("expérimenter,coopérer").
POLICY = default_policy.clone(max_line_length=998)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str
    params: tuple[tuple[str, str], ...] = ()


def mail_language(language: str | None) -> str:
    """Return a language mails are written in: French unless English was asked."""
    return language if language in LANGUAGES else "fr"


def contact_address(contact: str) -> str | None:
    """Return the first email address in an event's free-text contact, if any."""
    found = _EMAIL.search(contact or "")
    return found.group(0) if found else None


def build_message(
    *,
    to: str,
    subject: str,
    text: str,
    html: str,
    language: str,
    reply_to: str | None = None,
    attachments: tuple[Attachment, ...] | list[Attachment] = (),
) -> EmailMessage:
    """Return a multipart message: plain text and HTML alternatives, then the attachments."""
    config = current_app.config["COMPANION"]
    message = EmailMessage(policy=POLICY)
    sender = parseaddr(config.mail_from)
    message["From"] = Address(sender[0], addr_spec=sender[1]) if sender[1] else config.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    domain = sender[1].rpartition("@")[2] or "companion.localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    if reply_to:
        message["Reply-To"] = reply_to
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for item in attachments:
        if item.maintype == "text":
            message.add_attachment(
                item.content.decode("utf-8"),
                subtype=item.subtype,
                filename=item.filename,
                params=dict(item.params),
            )
        else:
            message.add_attachment(
                item.content, maintype=item.maintype, subtype=item.subtype, filename=item.filename
            )
    # After the parts: making a message multipart moves Content-* headers into its first part.
    message["Content-Language"] = language
    return message


def enqueue(
    kind: str,
    message: EmailMessage,
    *,
    registration_id: int | None = None,
    dedupe_key: str | None = None,
    expires_at: datetime | None = None,
) -> OutboxMessage:
    """Add ``message`` to the outbox in the current transaction (the caller commits)."""
    row = OutboxMessage(
        kind=kind,
        recipient=str(message["To"]),
        subject=str(message["Subject"])[:500],
        message=message.as_string(),
        dedupe_key=dedupe_key,
        registration_id=registration_id,
        expires_at=expires_at,
        next_attempt_at=utcnow(),
    )
    db.session.add(row)
    return row


def render_mail(template: str, language: str, **context) -> tuple[str, str, str]:
    """Render ``templates/mail/<template>.{subject.txt,txt,html}`` in ``language``."""
    with force_locale(mail_language(language)):
        context.setdefault("language", mail_language(language))
        subject = render_template(f"mail/{template}.subject.txt", **context)
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    return one_line(subject), text, html


def queue_mail(
    kind: str,
    template: str,
    *,
    to: str,
    language: str,
    reply_to: str | None = None,
    attachments: tuple[Attachment, ...] | list[Attachment] = (),
    registration_id: int | None = None,
    dedupe_key: str | None = None,
    expires_at: datetime | None = None,
    **context,
) -> OutboxMessage:
    """Render a mail template in ``language`` and add it to the outbox.

    The general entry point for other domains (a summary sent to the registrants, ...).
    """
    subject, text, html = render_mail(template, language, **context)
    message = build_message(
        to=to,
        subject=subject,
        text=text,
        html=html,
        language=mail_language(language),
        reply_to=reply_to,
        attachments=attachments,
    )
    return enqueue(
        kind,
        message,
        registration_id=registration_id,
        dedupe_key=dedupe_key,
        expires_at=expires_at,
    )

"""Reading mails as a person would: their parts, links and calendar attachment."""

from __future__ import annotations

import re
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

from icalendar import Calendar
from sqlalchemy import func, select

from companion.extensions import db
from companion.mail.models import OutboxMessage

LINK = re.compile(r"https?://\S+")


def outbox_count(**where) -> int:
    query = select(func.count()).select_from(OutboxMessage)
    for name, value in where.items():
        query = query.where(getattr(OutboxMessage, name) == value)
    return db.session.scalar(query)


def text_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def html_part(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def links(message: EmailMessage) -> list[str]:
    return LINK.findall(text_part(message))


def calendar(message: EmailMessage) -> Calendar:
    [attachment] = [
        part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"
    ]
    return Calendar.from_ical(attachment.get_content())


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def token_of(url: str) -> str:
    query = parse_qs(urlsplit(url).query)
    return (query.get("t") or query.get("token"))[0]

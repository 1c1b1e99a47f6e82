"""Sending a session's summary to its registrants: who gets it, what it says, and the record.

The message (subject, text and HTML, in the event's language or the one asked) is built here
from the final summary; :func:`enqueue` hands the messages to the mail outbox in the same
transaction as the record of the mailing, so a rollback sends nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..core.actors import Actor
from ..core.errors import Conflict
from ..core.i18n import N_
from ..core.timeutil import iso, utcnow
from ..extensions import db
from ..mail import service as mail
from ..participants.models import Registration, RegistrationSession, StaffUser
from ..programme.models import LiveSession, SessionStatus
from .models import SummaryMailing
from .render import document_language
from .render.documents import held_another_day, when
from .session_summary import build_session_summary

log = logging.getLogger(__name__)
TOP_THEMES = 5
TOP_QUESTIONS = 3


@dataclass(frozen=True)
class SummaryMessage:
    """One mail: to whom, in which language, and its content."""

    to: str
    name: str
    language: str
    subject: str
    text: str
    html: str


def recipients(session: LiveSession) -> list[tuple[str, str]]:
    """(name, email) of every registration that chose the session, purged ones left out."""
    rows = db.session.execute(
        select(Registration.name, Registration.email)
        .join(RegistrationSession, RegistrationSession.registration_id == Registration.id)
        .where(RegistrationSession.session_id == session.id, Registration.purged_at.is_(None))
        .order_by(Registration.id)
    ).all()
    return [(name, email) for name, email in rows]


def _opening(doc: dict[str, Any], lang: str) -> str:
    """The mail's first sentence: the day the session was held, the planned one too if it was
    moved; the event's title quoted, as a title that begins with a capital reads mid-sentence."""
    s, tz = doc["session"], doc["event"]["timezone"]
    if held_another_day(s, tz):
        return _(
            "Here is the summary of “%(title)s”, planned for %(planned)s and held on %(date)s "
            "as part of “%(event)s”.",
            title=s["title"],
            planned=when(s["starts_at"], "date", tz=tz, lang=lang),
            date=when(s["started_at"], "date", tz=tz, lang=lang),
            event=doc["event"]["title"],
        )
    return _(
        "Here is the summary of “%(title)s”, held on %(date)s as part of “%(event)s”.",
        title=s["title"],
        date=when(s["started_at"] or s["starts_at"], "date", tz=tz, lang=lang),
        event=doc["event"]["title"],
    )


def _content(doc: dict[str, Any], lang: str) -> dict[str, Any]:
    return {
        "doc": doc,
        "lang": lang,
        "opening": _opening(doc, lang),
        "themes": doc["themes"]["keyphrases"][:TOP_THEMES],
        "top_questions": doc["questions"]["most_upvoted"][:TOP_QUESTIONS],
    }


def compose(session: LiveSession, name: str, lang: str, doc: dict | None = None) -> SummaryMessage:
    """Return the summary mail for ``name`` (no address yet) in ``lang``."""
    doc = doc or build_session_summary(session)
    with force_locale(lang):
        context = {**_content(doc, lang), "name": name}
        subject = _("Summary of “%(title)s”", title=session.title)
        text = render_template("summaries/mail_summary.txt", **context)
        html = render_template("summaries/mail_summary.html", subject=subject, **context)
    return SummaryMessage("", name, lang, subject, text.strip() + "\n", html)


def mailings(session: LiveSession) -> list[dict[str, Any]]:
    """The summary's earlier mailings, latest first."""
    rows = db.session.execute(
        select(SummaryMailing, StaffUser.name)
        .outerjoin(StaffUser, StaffUser.id == SummaryMailing.staff_id)
        .where(SummaryMailing.session_id == session.id)
        .order_by(SummaryMailing.sent_at.desc(), SummaryMailing.id.desc())
    ).all()
    tz = session.event.timezone
    return [
        {
            "sent_at": iso(m.sent_at, tz),
            "by": name,
            "recipients": m.recipients,
            "language": m.language,
        }
        for m, name in rows
    ]


def preview(session: LiveSession, lang: str | None = None) -> dict[str, Any]:
    """What sending would do: how many registrants, the subject and text, earlier mailings."""
    lang = document_language(session.event, lang)
    sample = compose(session, _placeholder_name(lang), lang)
    return {
        "session_id": session.id,
        "final": session.status == SessionStatus.ENDED,
        "recipients": len(recipients(session)),
        "language": lang,
        "subject": sample.subject,
        "text": sample.text,
        "mailings": mailings(session),
    }


def _placeholder_name(lang: str) -> str:
    with force_locale(lang):
        return _("(registrant's name)")


def enqueue(messages: list[SummaryMessage], *, reply_to: str | None = None) -> None:
    """Hand ``messages`` to the mail outbox, in the caller's transaction."""
    for message in messages:
        mail.enqueue(
            "session_summary",
            mail.build_message(
                to=message.to,
                subject=message.subject,
                text=message.text,
                html=message.html,
                language=message.language,
                reply_to=reply_to,
            ),
        )


def send_summary(
    session: LiveSession, *, actor: Actor, lang: str | None = None, now: datetime | None = None
) -> SummaryMailing:
    """Queue the final summary for every registrant of ``session`` and record the mailing.

    :raises Conflict: the session has not ended, or nobody registered for it.
    """
    if session.status != SessionStatus.ENDED:
        raise Conflict(N_("The session has not ended: send its summary once it is final."))
    people = recipients(session)
    if not people:
        raise Conflict(N_("Nobody registered for this session: there is no one to send it to."))
    lang = document_language(session.event, lang)
    doc = build_session_summary(session, now=now)
    messages = []
    for name, email in people:
        message = compose(session, name, lang, doc)
        messages.append(
            SummaryMessage(email, name, lang, message.subject, message.text, message.html)
        )
    enqueue(messages, reply_to=mail.contact_address(session.event.contact))
    mailing = SummaryMailing(
        session_id=session.id,
        staff_id=actor.id if actor.is_staff else None,
        sent_at=now or utcnow(),
        recipients=len(messages),
        language=lang,
    )
    db.session.add(mailing)
    db.session.flush()
    log.info(
        "summary of session %s queued for %d registrants by staff %s",
        session.id,
        len(messages),
        actor.id,
    )
    return mailing

"""The facilitator's actions from the dashboard: the retention delay, the purge, and sending
a session's summary to its registrants. Each is confirmed on the page first, then done,
logged at INFO and kept on record (the purge and mailing tables) for the dashboard to show.
"""

from __future__ import annotations

import logging
from typing import Literal

from flask import request
from pydantic import Field
from sqlalchemy import func, select

from ..core.errors import Invalid
from ..core.http import api_route
from ..core.i18n import N_
from ..core.permissions import FACILITATE
from ..core.schemas import Schema
from ..extensions import db
from ..participants.models import Registration
from ..programme import service as programme
from . import mailing
from .retention import purge_event, purge_history, retention_status

log = logging.getLogger(__name__)
MAX_RETENTION_DAYS = 3650


class RetentionIn(Schema):
    retention_days: int | None = Field(ge=0, le=MAX_RETENTION_DAYS)


class PurgeIn(Schema):
    confirm: str = Field(max_length=200, description="The event's slug, typed to confirm.")
    force: bool = False


class SummaryMailIn(Schema):
    confirm: Literal[True]
    lang: Literal["fr", "en"] | None = None


def _retention(event) -> dict:
    kept = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event.id, Registration.purged_at.is_(None)
        )
    )
    return {
        "retention": retention_status(event),
        "registrations_kept": int(kept or 0),
        "purges": purge_history(event),
    }


@api_route(
    "/events/<slug>/retention",
    summary="The event's retention delay, its personal data still kept, and its purges",
    tag="summaries",
    permission=FACILITATE,
    scope="slug",
)
def get_retention(actor, payload, slug: str, target):
    return _retention(target)


@api_route(
    "/events/<slug>/retention",
    "PUT",
    summary="Set how many days after the last session personal data is kept (null: kept)",
    tag="summaries",
    permission=FACILITATE,
    scope="slug",
    body=RetentionIn,
)
def set_retention(actor, payload: RetentionIn, slug: str, target):
    event = target
    before = event.retention_days
    event.retention_days = payload.retention_days
    db.session.flush()
    log.info(
        "retention of event %s set from %s to %s days by staff %s",
        event.slug,
        before,
        payload.retention_days,
        actor.id,
    )
    return _retention(event)


@api_route(
    "/events/<slug>/purge",
    "POST",
    summary="Erase the event's personal data (names, emails); the figures stay the same",
    tag="summaries",
    permission=FACILITATE,
    scope="slug",
    body=PurgeIn,
    description=(
        "confirm: the event's slug. force: purge before the retention delay has passed (or "
        "when the event has none). 409 while a session is live or, without force, before "
        "the delay."
    ),
)
def purge(actor, payload: PurgeIn, slug: str):
    event = programme.load_event_tree(slug)
    if payload.confirm != event.slug:
        raise Invalid(N_("Type the event's short name to confirm the purge."))
    done = purge_event(event, force=payload.force, staff_id=actor.id)
    log.info(
        "event %s purged by staff %s%s: %d registrations, %d participants, %d signed questions",
        event.slug,
        actor.id,
        " (forced)" if done.forced else "",
        done.registrations,
        done.participants,
        done.questions,
    )
    return _retention(event)


@api_route(
    "/sessions/<int:session_id>/summary-mail",
    summary="What sending the session's summary to its registrants would do (preview)",
    tag="summaries",
    permission=FACILITATE,
    scope="session_id",
    description="?lang=fr|en (default: the event's). Answers the number of recipients, the "
    "subject and text, and the earlier mailings.",
)
def summary_mail_preview(actor, payload, session_id: int, target):
    return mailing.preview(target, request.args.get("lang"))


@api_route(
    "/sessions/<int:session_id>/summary-mail",
    "POST",
    summary="Send the final summary of the session to every registrant (through the outbox)",
    tag="summaries",
    permission=FACILITATE,
    scope="session_id",
    body=SummaryMailIn,
    description="confirm: true. 409 before the session has ended or when nobody registered.",
)
def summary_mail_send(actor, payload: SummaryMailIn, session_id: int, target):
    session = target
    mailing.send_summary(session, actor=actor, lang=payload.lang)
    return mailing.preview(session, payload.lang), 201

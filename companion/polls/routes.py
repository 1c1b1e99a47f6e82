"""HTTP API of polls: the ready-made templates, and a session's polls with their results."""

from __future__ import annotations

from ..core.http import api_route
from ..core.permissions import MODERATE
from . import presenters
from .templates import poll_templates


@api_route(
    "/polls/templates",
    summary="Ready-made polls (where do you stand, in one word, evaluation, ...)",
    tag="polls",
    description="Texts come in the request's language (?lang=fr|en, cookie, Accept-Language).",
)
def list_templates(actor, payload):
    return {"templates": poll_templates()}


@api_route(
    "/sessions/<int:session_id>/polls",
    summary="A session's opened polls with their results (staff)",
    tag="polls",
    permission=MODERATE,
    scope="session_id",
    description="Anonymous polls carry no participant id or name; open texts are listed sorted.",
)
def session_polls(actor, payload, session_id: int, target):
    session = target
    return {"polls": presenters.session_results(session)}

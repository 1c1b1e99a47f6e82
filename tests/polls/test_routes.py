"""HTTP API of polls: ready-made templates in both languages, a session's results for staff."""

from __future__ import annotations

import pytest

from companion.polls.schemas import PollFile

from .conftest import fingerprint


@pytest.mark.parametrize(
    ("lang", "title", "question"),
    [
        ("fr", "Où en êtes-vous\u00a0?", "Où en êtes-vous avec l’expérimentation\u00a0?"),
        ("en", "Where do you stand?", "Where do you stand with experimentation?"),
    ],
)
def test_templates_come_in_the_asked_language_and_are_valid_polls(http, lang, title, question):
    response = http.get(f"/api/v1/polls/templates?lang={lang}")
    assert response.status_code == 200
    templates = response.get_json()["templates"]
    assert [t["key"] for t in templates] == [
        "where_do_you_stand",
        "one_word",
        "evaluation",
        "priorities",
    ]
    assert templates[0]["title"] == title
    assert templates[0]["polls"][0]["question"] == question
    evaluation = next(t for t in templates if t["key"] == "evaluation")
    assert [p["kind"] for p in evaluation["polls"]] == ["rating", "open"]
    # Every template is a poll definition the composer can send as it is.
    for template in templates:
        for poll in template["polls"]:
            PollFile.model_validate(poll)


def test_session_polls_need_staff_and_carry_results(
    http, make_poll, join, first_session, moderator_token, connect
):
    poll = make_poll("rating")
    attendee = join(first_session.id)
    client = connect(attendee.token)
    client.ok("poll.vote", {"poll_id": poll.id, "client_id": "h-1", "answer": {"value": 5}})
    before = fingerprint()
    assert http.get(f"/api/v1/sessions/{first_session.id}/polls").status_code == 401
    refused = http.get(
        f"/api/v1/sessions/{first_session.id}/polls",
        headers={"Authorization": f"Bearer {attendee.token}"},
    )
    assert refused.status_code == 403
    assert fingerprint() == before
    response = http.get(
        f"/api/v1/sessions/{first_session.id}/polls",
        headers={"Authorization": f"Bearer {moderator_token}"},
    )
    assert response.status_code == 200
    polls = response.get_json()["polls"]
    assert [(p["id"], p["total"], p["results"]["mean"]) for p in polls] == [(poll.id, 1, 5.0)]
    assert (
        http.get(
            "/api/v1/sessions/999999/polls", headers={"Authorization": f"Bearer {moderator_token}"}
        ).status_code
        == 404
    )


def test_the_openapi_document_lists_the_poll_routes(http):
    paths = http.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/polls/templates" in paths
    assert "/api/v1/sessions/{session_id}/polls" in paths

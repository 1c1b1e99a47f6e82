"""Every event and route × every role: what each may do is decided on the server."""

import re

import pytest

from companion.app import import_domains
from companion.config import Config, ConfigError
from companion.core.http import ROUTES
from companion.core.permissions import ATTEND, FACILITATE, MODERATE, WATCH
from companion.realtime.dispatcher import EVENTS

import_domains()

STAFF_ONLY = sorted(
    name for name, spec in EVENTS.items() if spec.permission in (MODERATE, FACILITATE)
)
PROTECTED_ROUTES = sorted(
    {(r.method, r.path, r.permission) for r in ROUTES if r.permission is not None}
)
#: Who holds each permission on the session the attendee below joined.
HOLDERS = {
    FACILITATE: {"facilitator"},
    MODERATE: {"moderator", "facilitator"},
    ATTEND: {"attendee", "moderator", "facilitator"},
    WATCH: {"attendee", "moderator", "facilitator"},
}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("name", STAFF_ONLY)
def test_attendees_are_refused_every_moderator_event(connect, people, first_session, name):
    attendee = connect(people.join(first_session.id)["token"])
    answer = attendee.call(name, {"session_id": first_session.id})
    assert answer["ok"] is False
    assert answer["error"]["code"] == "forbidden", answer


def test_there_are_moderator_events_to_check():
    assert {"session.start", "agenda.advance", "participant.remove"} <= set(STAFF_ONLY)


def _fill(path: str, session_id: int, slug: str, speaker_id: int = 1) -> str:
    path = re.sub(r"<int:session_id>", str(session_id), path)
    path = re.sub(r"<int:speaker_id>", str(speaker_id), path)
    path = path.replace("<slug>", slug)
    path = re.sub(r"<int:\w+>", "1", path)  # other ids: the first row (agenda item, speaker ...)
    return re.sub(r"<fmt>", "json", path)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("method", "path", "permission"), PROTECTED_ROUTES)
def test_protected_routes_by_role(
    http, people, event, moderator_token, facilitator_token, method, path, permission
):
    session = event.sessions[0]
    speaker = next(s for item in session.agenda for s in item.speakers)
    url = _fill(path, session.id, event.slug, speaker.id)
    attendee = people.join(session.id)["token"]
    tokens = {
        "nobody": None,
        "attendee": attendee,
        "moderator": moderator_token,
        "facilitator": facilitator_token,
    }
    for who, token in tokens.items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = http.open(
            url, method=method, headers=headers, json={} if method == "POST" else None
        )
        allowed = who in HOLDERS[permission]
        if who == "nobody":
            assert response.status_code == 401, (who, url, response.status_code)
        elif not allowed:
            assert response.status_code == 403, (who, url, response.status_code)
        else:
            assert response.status_code not in (401, 403), (who, url, response.get_json())


def test_bad_tokens_on_http_are_401(http, event):
    for header in ("Bearer nonsense", "Basic abc", "Bearer ", "x" * 600):
        response = http.get(
            f"/api/v1/events/{event.slug}/registrations.csv", headers={"Authorization": header}
        )
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"


def test_production_refuses_a_missing_or_default_secret():
    with pytest.raises(ConfigError, match="COMPANION_SECRET_KEY"):
        Config.from_env({"COMPANION_ENV": "production"})
    with pytest.raises(ConfigError):
        Config.from_env({"COMPANION_ENV": "production", "COMPANION_SECRET_KEY": "short"})
    config = Config.from_env({"COMPANION_ENV": "production", "COMPANION_SECRET_KEY": "k" * 40})
    assert config.env == "production"


def test_unknown_async_mode_is_refused():
    with pytest.raises(ConfigError, match="COMPANION_ASYNC_MODE"):
        Config.from_env({"COMPANION_ASYNC_MODE": "twisted"})

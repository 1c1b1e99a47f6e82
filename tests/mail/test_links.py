"""Absolute links come from COMPANION_PUBLIC_URL, else the proxy-aware host (16.7); the QR
route is for staff and encodes the join address (16.1)."""

from __future__ import annotations

import re

import pytest

from companion import create_app
from companion.core.urls import external_url
from companion.extensions import db
from tests.conftest import make_config

PUBLIC = "https://companion.example.org"


def _title(svg: bytes) -> str:
    return re.search(rb"<title>([^<]*)</title>", svg).group(1).decode()


def test_join_links_use_the_public_url(http, event):
    response = http.post(
        f"/api/v1/events/{event.slug}/registrations",
        json={"name": "Ana", "email": "ana@example.org", "session_ids": [event.sessions[0].id]},
        base_url="http://10.0.0.7:5000",  # an internal address must not leak into links
    )
    [link] = response.get_json()["join_links"].values()
    assert link.startswith(f"{PUBLIC}/sessions/{event.sessions[0].id}?t=")


def test_external_url_works_outside_a_request(app):
    # The background sender builds reminder links with no request at all.
    assert external_url("pages.event_page", slug="x") == f"{PUBLIC}/events/x"


@pytest.fixture
def proxied(database_url):
    """An application behind one reverse proxy, without COMPANION_PUBLIC_URL."""
    app = create_app(make_config(database_url, proxy_count=1))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def test_without_public_url_links_follow_the_proxy(proxied):
    from companion.programme import service
    from tests.conftest import DEMO_PROGRAMME

    event = service.import_programme(DEMO_PROGRAMME.read_text(encoding="utf-8"))
    db.session.commit()
    response = proxied.test_client().post(
        f"/api/v1/events/{event.slug}/registrations",
        json={"name": "Ana", "email": "ana@example.org", "session_ids": [event.sessions[0].id]},
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "visio.commune.fr"},
    )
    [link] = response.get_json()["join_links"].values()
    assert link.startswith("https://visio.commune.fr/sessions/")


def test_the_qr_route_is_for_staff(http, event, moderator_token, join):
    session = event.sessions[0]
    url = f"/api/v1/sessions/{session.id}/qr.svg"
    anonymous = http.get(url)
    assert anonymous.status_code == 401
    assert session.join_code.encode() not in anonymous.data
    attendee = join(session.id)
    refused = http.get(url, headers={"Authorization": f"Bearer {attendee.token}"})
    assert refused.status_code == 403
    assert session.join_code.encode() not in refused.data
    staff = http.get(url, headers={"Authorization": f"Bearer {moderator_token}"})
    assert staff.status_code == 200
    assert staff.mimetype == "image/svg+xml"
    # Code join off (the seed): the QR leads to registration, not to a refused code.
    assert _title(staff.data) == f"{PUBLIC}/events/{event.slug}/register"


def test_the_qr_encodes_the_join_address_from_the_public_url(http, event, moderator_token):
    event.code_join_allowed = True
    db.session.commit()
    session = event.sessions[2]
    staff = http.get(
        f"/api/v1/sessions/{session.id}/qr.svg",
        headers={"Authorization": f"Bearer {moderator_token}"},
    )
    assert _title(staff.data) == f"{PUBLIC}/join/{session.join_code}"

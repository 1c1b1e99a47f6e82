"""Getting in by code: the home page's field, /join/CODE, clear refusals; the console's code."""

from __future__ import annotations

from sqlalchemy import func, select

from companion.extensions import db
from companion.participants.models import Participant


def _allow_code_join(event):
    event.code_join_allowed = True
    event.registration_required = False
    db.session.commit()


def test_the_home_page_offers_a_code_field_when_an_event_allows_it(http, event):
    assert http.get("/").status_code == 302  # the seed: registration only, straight to it
    _allow_code_join(event)
    page = http.get("/", headers={"Accept-Language": "fr"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'name="code"' in text and "Vous avez un code" in text


def test_a_typed_code_leads_to_its_join_page(http, event):
    _allow_code_join(event)
    session = event.sessions[1]
    typed = f" {session.join_code[:3].lower()}-{session.join_code[3:].lower()} "
    response = http.get("/join", query_string={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/join/{session.join_code}")
    page = http.get(f"/join/{session.join_code.lower()}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert session.title in page.get_data(as_text=True)
    assert 'id="join-form"' in page.get_data(as_text=True)


def test_an_unknown_code_is_answered_clearly_in_french(http, event):
    _allow_code_join(event)
    page = http.get("/join/ZZZZ99", headers={"Accept-Language": "fr"})
    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert "Aucune session n’a ce code" in text
    assert 'value="ZZZZ99"' in text  # the field keeps what was typed


def test_code_join_off_is_refused_with_the_way_in(http, event):
    session = event.sessions[0]
    page = http.get(f"/join/{session.join_code}", headers={"Accept-Language": "en"})
    assert page.status_code == 403
    text = page.get_data(as_text=True)
    assert "open to registered people only" in text
    assert f"/events/{event.slug}/register" in text
    assert "Lost your link?" in text
    # And the API refuses the code the same way; nobody joined.
    joined = http.post(
        f"/api/v1/sessions/{session.id}/join", json={"name": "Zoé", "code": session.join_code}
    )
    assert joined.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 0


def test_the_console_shows_the_code_only_when_it_leads_somewhere(http, event):
    session = event.sessions[0]
    assert session.join_code not in http.get(f"/console/{session.id}").get_data(as_text=True)
    _allow_code_join(event)
    assert session.join_code in http.get(f"/console/{session.id}").get_data(as_text=True)


def test_lost_link_form_on_the_programme_and_session_pages(http, event):
    for path in (f"/events/{event.slug}", f"/sessions/{event.sessions[0].id}"):
        text = http.get(path, headers={"Accept-Language": "fr"}).get_data(as_text=True)
        assert "Vous avez perdu votre lien\u00a0?" in text, path
        assert 'class="recover-form"' in text

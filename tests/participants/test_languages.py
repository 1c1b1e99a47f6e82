"""Every message a person sees is in their language: registration errors in French on French
pages (Accept-Language or the ``lang`` cookie), each naming the field at fault."""

from sqlalchemy import func, select

from companion.extensions import db
from companion.participants.models import Registration


def _count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Registration))


def _register(http, event, headers=None, **body):
    payload = {"name": "Élise", "email": "elise@example.org", "session_ids": [event.sessions[0].id]}
    payload.update(body)
    return http.post(
        f"/api/v1/events/{event.slug}/registrations", json=payload, headers=headers or {}
    )


def test_validation_errors_are_french_and_name_each_field(http, event):
    before = _count()
    response = _register(
        http, event, {"Accept-Language": "fr-FR,fr;q=0.9"}, name="", email="pas-une-adresse"
    )
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid"
    assert error["message"].startswith("Données invalides — ")
    problems = {d["field"]: d["problem"] for d in error["details"]}
    assert problems == {
        "name": "Ce champ est obligatoire.",
        "email": "Cette adresse électronique n’est pas valide.",
    }
    assert _count() == before


def test_the_same_errors_in_english_for_an_english_browser(http, event):
    response = _register(http, event, {"Accept-Language": "en-GB,en;q=0.9"}, name="")
    error = response.get_json()["error"]
    assert error["message"] == "Invalid payload — name: This field is required."
    assert error["details"][0]["field"] == "name"


def test_the_lang_cookie_wins_over_the_browser(http, event):
    http.set_cookie("lang", "fr")
    response = _register(http, event, {"Accept-Language": "en"}, session_ids=[])
    detail = response.get_json()["error"]["details"][0]
    assert detail == {
        "field": "session_ids",
        "problem": "Au moins 1 élément(s).",
        "type": "too_short",
    }


def test_already_registered_is_french_and_points_at_the_email(http, event):
    assert _register(http, event).status_code == 201
    before = _count()
    response = _register(http, event, {"Accept-Language": "fr"}, email="ELISE@example.org")
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "conflict"
    assert error["message"].startswith("Cette adresse est déjà inscrite à cet événement")
    assert error["details"] == [
        {"field": "email", "problem": "Cette adresse est déjà inscrite à cet événement."}
    ]
    assert _count() == before


def test_a_session_of_another_event_is_refused_in_french(http, event):
    response = _register(http, event, {"Accept-Language": "fr"}, session_ids=[999_999])
    error = response.get_json()["error"]
    assert error["message"] == "Ces sessions ne font pas partie de cet événement\u00a0: 999999"
    assert error["details"][0]["field"] == "session_ids"


def test_not_found_messages_follow_the_language(http):
    fr = http.post(
        "/api/v1/sessions/424242/join", json={"name": "Léa"}, headers={"Accept-Language": "fr"}
    )
    en = http.post(
        "/api/v1/sessions/424242/join", json={"name": "Léa"}, headers={"Accept-Language": "en"}
    )
    assert fr.status_code == en.status_code == 404
    assert fr.get_json()["error"]["message"] == "Aucune session 424242."
    assert en.get_json()["error"]["message"] == "No session 424242."


def test_http_errors_of_the_framework_follow_the_language_too(http):
    fr = http.get("/api/v1/nowhere", headers={"Accept-Language": "fr"})
    assert fr.status_code == 404
    assert fr.get_json()["error"] == {
        "code": "not_found",
        "message": "Rien ici\u00a0: vérifiez l’adresse.",
    }
    en = http.delete("/api/v1/events", headers={"Accept-Language": "en"})
    assert en.status_code == 405
    assert en.get_json()["error"]["message"] == "DELETE is not allowed on /api/v1/events."
    page = http.get("/nowhere?lang=fr")
    html = page.get_data(as_text=True)
    assert page.status_code == 404 and "Rien ici\u00a0: vérifiez l’adresse." in html
    # The page says what happened in words; the code is there for whoever reports it.
    assert "<h1>Page introuvable</h1>" in html and "Erreur 404" in html
    assert "<title>Page introuvable — Companion</title>" in html
    english = http.get("/nowhere?lang=en").get_data(as_text=True)
    assert "<h1>Page not found</h1>" in english and "Error 404" in english

"""The public programme over HTTP: events, sessions with offsets, calendar, OpenAPI."""

from icalendar import Calendar


def test_events_list_the_seed(http, event):
    body = http.get("/api/v1/events").get_json()
    assert [e["slug"] for e in body["events"]] == [event.slug]
    assert body["events"][0]["session_count"] == 4


def test_programme_has_the_seed_dates_with_paris_offset(http, event):
    body = http.get(f"/api/v1/events/{event.slug}").get_json()
    starts = [(s["starts_at"], s["ends_at"]) for s in body["sessions"]]
    assert starts == [
        ("2020-06-30T10:00:00+02:00", "2020-06-30T12:00:00+02:00"),
        ("2020-06-30T14:00:00+02:00", "2020-06-30T16:00:00+02:00"),
        ("2020-07-08T10:00:00+02:00", "2020-07-08T12:00:00+02:00"),
        ("2020-07-08T14:00:00+02:00", "2020-07-08T16:00:00+02:00"),
    ]
    testimonies = [
        item for s in body["sessions"] for item in s["agenda"] if item["kind"] == "testimony"
    ]
    assert len(testimonies) == 6
    speakers = {sp["name"]: sp["organisation"] for t in testimonies for sp in t["speakers"]}
    assert speakers == {
        "Véronique Sybelin": "ARCHE Agglo",
        "Sophie Roy": "PNR de Chartreuse",
        "Maryline Chasles": "8 Fablab",
        "Joël Soler": "ECORAVIE",
        "Claire Galland": "ECORAVIE",
        "Sabine Girard": "INRAE",
        "Daniel Helle": "Eau du Bassin Rennais Collectivité",
    }
    first = body["sessions"][0]
    assert set(first) >= {
        "id",
        "event_slug",
        "title",
        "starts_at",
        "ends_at",
        "status",
        "current_agenda_item_id",
        "agenda",
    }
    assert first["status"] == "scheduled"
    assert [i["position"] for i in first["agenda"]] == list(range(len(first["agenda"])))


def test_unknown_event_is_a_json_404(http, event):
    response = http.get("/api/v1/events/nope")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_calendar_lists_the_four_sessions(http, event):
    response = http.get(f"/api/v1/events/{event.slug}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    sessions = [c for c in calendar.walk("VEVENT")]
    assert len(sessions) == 4
    start = sessions[0].decoded("dtstart")
    assert start.isoformat() == "2020-06-30T10:00:00+02:00"  # the event's timezone
    assert sessions[0]["dtstart"].params["TZID"] == "Europe/Paris"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    # The public calendar never gives a webconference address away.
    assert b"LOCATION" not in response.data


def test_openapi_describes_every_api_route(app, http):
    doc = http.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi_document":
            continue
        path = rule.rule.replace("<int:", "<").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (path, method)
    registration = doc["paths"]["/api/v1/events/{slug}/registrations"]["post"]
    ref = registration["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) >= {"name", "email", "session_ids"}


def test_healthz_reports_the_database(http, app):
    response = http.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"
    assert response.get_json()["checks"]["database"] == "ok"


def test_unknown_api_path_and_method_are_json(http, app):
    response = http.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    response = http.delete("/api/v1/events")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "invalid"


def test_security_headers(http, event):
    response = http.get(f"/events/{event.slug}")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    projector = http.get(f"/projector/{event.sessions[0].id}")
    assert "frame-ancestors *" in projector.headers["Content-Security-Policy"]


def test_the_events_contact_gives_its_address_and_phone_as_links(http, event):
    """The demo's contact: "… tél. 06 77 83 45 03, valorisations.innovations@caprural.org"."""
    page = http.get(f"/events/{event.slug}").get_data(as_text=True)
    assert '<a href="tel:0677834503">06 77 83 45 03</a>' in page
    assert (
        '<a href="mailto:valorisations.innovations@caprural.org">'
        "valorisations.innovations@caprural.org</a>"
    ) in page


def test_contact_links_escape_everything_else():
    from companion.app import contact_links

    shown = str(contact_links("<script>x</script> écrire à a.b@c.fr ou au +33 4 76 00 00 00, 2020"))
    assert shown == (
        "&lt;script&gt;x&lt;/script&gt; écrire à "
        '<a href="mailto:a.b@c.fr">a.b@c.fr</a> ou au '
        '<a href="tel:+33476000000">+33 4 76 00 00 00</a>, 2020'
    )


def test_english_pages_write_dates_and_times_the_british_way(http, event):
    """The pages say "programme" and "organisation": their dates are British too, not US."""
    page = http.get(f"/events/{event.slug}?lang=en").get_data(as_text=True)
    assert "Tuesday, 30 June 2020" in page and "10:00" in page
    assert "June 30" not in page and " AM" not in page
    french = http.get(f"/events/{event.slug}?lang=fr").get_data(as_text=True)
    assert "mardi 30 juin 2020" in french

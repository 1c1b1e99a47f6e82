"""The facilitator's dashboard page, and the French catalogue of the summaries."""

from __future__ import annotations

import json
import re

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from companion.config import ROOT

CATALOGUE = ROOT / "companion" / "summaries" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


def test_the_dashboard_lists_the_sessions_and_loads_its_script(http, event):
    response = http.get(f"/dashboard/{event.slug}?lang=en")
    assert response.status_code == 200
    page = response.data.decode()
    assert 'id="dashboard"' in page and f'data-event-slug="{event.slug}"' in page
    assert "/static/js/dashboard.js" in page
    for session in event.sessions:
        assert f'data-session-id="{session.id}"' in page
    assert page.count('data-download="session"') == 6 * len(event.sessions)
    assert page.count('data-download="event"') == 5
    assert "<script>" not in page  # the CSP forbids inline scripts: only JSON data blocks
    assert "Facilitator dashboard" in page
    assert http.get("/dashboard/no-such-event").status_code == 404


def test_the_dashboard_speaks_french_by_default(http, event):
    page = http.get(f"/dashboard/{event.slug}").data.decode()
    assert "<h1>" in page and "Tableau de bord de l’animation" in page
    # The script's strings come translated too, in the page's JSON data block.
    blocks = re.findall(r'<script type="application/json" class="i18n">(.*?)</script>', page, re.S)
    strings = {k: v for block in blocks for k, v in json.loads(block).items()}
    assert strings["forbidden"].startswith("Seule l’équipe d’animation")
    assert strings["preview"] == "Aperçu"


def test_every_message_of_the_summaries_has_its_french_translation():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    method_map = [("**.py", "python"), ("**.html", "jinja2"), ("**.md", "jinja2")]
    missing = []
    for folder in (ROOT / "companion" / "summaries", ROOT / "templates" / "summaries"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            folder,
            method_map,
            keywords={"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)},
        ):
            msgid = message[0] if isinstance(message, tuple) else message
            entry = catalogue.get(msgid)
            if entry is None or not entry.string or entry.fuzzy:
                missing.append(msgid)
    assert missing == []

"""The console's box of ready-made polls says its title once, then what adding one does."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("lang", "title", "hint"),
    [
        (
            "fr",
            "Sondages prêts à l’emploi",
            "Chacun s’ajoute en brouillon, à modifier avant de l’ouvrir.",
        ),
        ("en", "Ready-made polls", "Each one is added as a draft, to edit before you open it."),
    ],
)
def test_the_ready_made_polls_box_names_itself_once(http, first_session, lang, title, hint):
    html = http.get(f"/console/{first_session.id}?lang={lang}").get_data(as_text=True)
    box = html.split("data-poll-templates>")[1].split("</details>")[0]
    assert f'<summary id="poll-templates-title">{title}</summary>' in box
    assert box.count(title) == 1
    assert f'<p class="hint" id="poll-templates-hint">{hint}</p>' in box
    assert 'aria-labelledby="poll-templates-title"' in box


@pytest.mark.parametrize(("lang", "label"), [("fr", "Code d’accès\u00a0:"), ("en", "Join code:")])
def test_the_join_code_label_keeps_the_languages_punctuation(http, first_session, lang, label):
    from companion.extensions import db

    first_session.event.code_join_allowed = True
    db.session.commit()
    html = http.get(f"/console/{first_session.id}?lang={lang}").get_data(as_text=True)
    assert f'{label} <strong class="join-code">{first_session.join_code}</strong>' in html

"""The projector read from the back of a room, at 1280×720 and 1920×1080, in Chromium.

It never scrolls and never cuts a panel off; its text never shrinks under a floor (2.5 % of the
screen's height: 18 px at 720p, 27 px at 1080p); a full panel shows less instead (fewer next
questions, the agenda items around the current one with "+ N more"). The bars of a poll line up,
and a word cloud draws equal counts at equal sizes and leaves no word out without saying so.
"""

from __future__ import annotations

import itertools
import os

import pytest
from playwright.sync_api import expect

from .conftest import staff_login_in_browser
from .test_polls_browser import registration_link

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
SHOTS = os.environ.get("COMPANION_TEST_SCREENSHOTS")
SIZES = ((1280, 720), (1920, 1080))
FLOOR = 0.025  # of the screen's height: the smallest text a projector may show

PINNED = (
    "Comment évaluer une expérimentation quand les indicateurs habituels ne s'appliquent pas, "
    "par exemple pour des projets de mobilité rurale partagée ?"
)
OTHERS = [
    "How do you fund an experiment before its results are known?",
    "Pascale, quels indicateurs conseillez-vous pour une première expérimentation ?",
    "Qui décide qu'une expérimentation est terminée, et sur quels critères ?",
]
CHOICE = "Où en êtes-vous avec l’expérimentation ?"
OPTIONS = [
    "Je découvre la notion",
    "J’y réfléchis pour un projet",
    "J’en mène une en ce moment",
    "J’en ai déjà mené une",
]
CLOUD = "En un mot, l’expérimentation c’est…"
WORDS = (["tâtonner", "essayer", "apprendre"], ["trial", "risk", "learning"])


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"))


# What a person sees, measured in the page.
VISIBLE_TEXT = """() => {
  const out = [];
  for (const node of document.querySelectorAll('#projector *')) {
    const own = [...node.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim());
    if (!own || !node.checkVisibility({ visibilityProperty: true, opacityProperty: true })) continue;
    const r = node.getBoundingClientRect();
    if (r.width < 2 || r.height < 2 || r.bottom <= 0 || r.top >= innerHeight) continue;
    if (node.closest('.visually-hidden')) continue;
    const size = parseFloat(getComputedStyle(node).fontSize) * (node.currentCSSZoom || 1);
    out.push({ text: node.textContent.trim().slice(0, 60), size, cls: String(node.className) });
  }
  return out;
}"""

CUT_OFF = """() => [...document.querySelectorAll(
    '#projector .projector-panel > .card, #projector .projector-panel.card, #projector .poll-stage-results')]
  .filter((box) => box.checkVisibility() && box.scrollHeight > box.clientHeight + 1)
  .map((box) => `${box.className}: ${box.scrollHeight} > ${box.clientHeight}`)"""

TRACKS = """() => [...document.querySelectorAll('.poll-stage .poll-bar')]
  .filter((bar) => bar.checkVisibility())
  .map((bar) => {
    const r = bar.querySelector('.poll-bar-track').getBoundingClientRect();
    return { left: r.left, width: r.width, share: bar.dataset.share };
  })"""

# The words of the cloud as drawn: size, box, and the note for those left out.
CLOUD_DRAWN = """(scope) => {
  const box = document.querySelector(scope + ' .poll-cloud');
  if (!box || !box.dataset.shown) return null;
  const frame = box.getBoundingClientRect();
  const words = [...box.querySelectorAll('.cloud-word')].map((w) => {
    const r = w.getBoundingClientRect();
    return { word: w.textContent, count: Number(w.dataset.count),
             size: parseFloat(getComputedStyle(w).fontSize),
             x: r.left - frame.left, y: r.top - frame.top, w: r.width, h: r.height };
  });
  const note = box.querySelector('.cloud-more');
  return { words, width: frame.width, height: frame.height, shown: Number(box.dataset.shown),
           more: Number(box.dataset.more), note: note ? note.textContent : null,
           all: [...box.parentElement.querySelectorAll('.visually-hidden li')].map((li) => li.textContent) };
}"""


# How many times the panels are fitted again in a second and a half of a page left alone.
SETTLED = """() => new Promise((done) => {
  let refits = 0;
  const seen = new MutationObserver((records) => { refits += records.length; });
  setTimeout(() => {
    seen.observe(document.getElementById('projector'), { subtree: true, attributes: true,
      attributeFilter: ['data-fit'] });
    setTimeout(() => { seen.disconnect(); done(refits); }, 1500);
  }, 300);
})"""


def _frames(page) -> None:
    """Let two frames pass: the fit and the cloud's layout run on the next one."""
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def _legible(page, height: int, where: str) -> None:
    """No text on screen under the floor; the page does not scroll; no panel is cut off."""
    _frames(page)
    assert page.evaluate("document.documentElement.scrollHeight") <= height, where
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    small = [t for t in page.evaluate(VISIBLE_TEXT) if t["size"] < FLOOR * height - 0.05]
    assert small == [], (where, small[:5])
    assert page.evaluate(CUT_OFF) == [], where


def _check_cloud(drawn: dict, where: str) -> None:
    """Equal counts, equal sizes; every word drawn, or counted in the "+ N" note; no overlap."""
    assert drawn is not None, where
    words = drawn["words"]
    sizes: dict[int, set[float]] = {}
    for w in words:
        sizes.setdefault(w["count"], set()).add(round(w["size"], 2))
    assert all(len(s) == 1 for s in sizes.values()), (where, sizes)
    # A higher count is never drawn smaller.
    ordered = sorted((count, s.pop()) for count, s in sizes.items())
    assert [size for _, size in ordered] == sorted(size for _, size in ordered), (where, ordered)
    total = len(drawn["all"])
    assert drawn["shown"] == len(words), where
    assert len(words) + drawn["more"] == total, (where, len(words), drawn["more"], total)
    if drawn["more"]:
        assert drawn["note"] and str(drawn["more"]) in drawn["note"], (where, drawn["note"])
    else:
        assert drawn["note"] is None, where
    for i, a in enumerate(words):
        assert a["x"] >= -1 and a["y"] >= -1, (where, a)
        assert a["x"] + a["w"] <= drawn["width"] + 1 and a["y"] + a["h"] <= drawn["height"] + 1, (
            where,
            a,
        )
        for b in words[i + 1 :]:
            # The glyph boxes of two words do not cross (a pixel or two of line box aside).
            overlap_x = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
            overlap_y = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
            assert overlap_x <= 2 or overlap_y <= 2, (where, a, b)


@pytest.fixture
def busy_session(server, make_client):
    """A live session as the reviewer saw it: a speaker on the floor, a pinned long question and
    three more, a poll at 0 %, 50 %, 50 %, 0 %, and a word cloud of six words given once each."""
    session = server.programme()["sessions"][0]
    sid = session["id"]
    moderator = make_client(server, server.login())
    moderator.ok("session.start", {"session_id": sid})
    # The first speaker has the floor: their timer ticks on the projector.
    speaker = session["agenda"][0]["speakers"][0]
    moderator.ok("floor.give", {"session_id": sid, "speaker_id": speaker["id"]})
    people = [make_client(server, server.attendee(sid, name)) for name in ("Camille", "Oliver")]
    asked = []
    for i, text in enumerate([PINNED, *OTHERS]):
        data = people[i % 2].ok(
            "question.submit", {"session_id": sid, "client_id": f"q-{i}", "text": text}
        )
        asked.append(data["question"])
        if data["question"]["state"] == "pending":
            moderator.ok("question.moderate", {"question_id": asked[-1]["id"], "action": "approve"})
    moderator.ok("question.moderate", {"question_id": asked[0]["id"], "action": "pin"})
    choice = moderator.ok(
        "poll.create", {"session_id": sid, "kind": "single", "question": CHOICE, "options": OPTIONS}
    )["poll"]
    moderator.ok("poll.open", {"poll_id": choice["id"]})
    for person, option in zip(people, choice["options"][1:3], strict=True):
        person.ok(
            "poll.vote",
            {
                "poll_id": choice["id"],
                "client_id": f"v-{option['id']}",
                "answer": {"option_id": option["id"]},
            },
        )
    moderator.ok("poll.close", {"poll_id": choice["id"]})
    rating = moderator.ok(
        "poll.create",
        {
            "session_id": sid,
            "kind": "rating",
            "question": "Cette session vous est-elle utile ?",
            "settings": {
                "scale": {"min": 1, "max": 5, "labels": {"1": "Pas du tout", "5": "Tout à fait"}}
            },
        },
    )["poll"]
    moderator.ok("poll.open", {"poll_id": rating["id"]})
    for person, value in zip(people, (4, 5), strict=True):
        person.ok(
            "poll.vote",
            {"poll_id": rating["id"], "client_id": f"r-{value}", "answer": {"value": value}},
        )
    moderator.ok("poll.close", {"poll_id": rating["id"]})
    cloud = moderator.ok(
        "poll.create",
        {"session_id": sid, "kind": "wordcloud", "question": CLOUD, "settings": {"max_words": 3}},
    )["poll"]
    moderator.ok("poll.open", {"poll_id": cloud["id"]})
    for person, words in zip(people, WORDS, strict=True):
        person.ok(
            "poll.vote",
            {"poll_id": cloud["id"], "client_id": f"w-{words[0]}", "answer": {"words": words}},
        )
    return {"sid": sid, "moderator": moderator, "choice": choice, "cloud": cloud, "rating": rating}


def _projector(browser, server, sid, locale="fr-FR", size=SIZES[0]):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale=locale)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    staff_login_in_browser(page, server, next_path=f"/projector/{sid}")
    expect(page.locator('[data-conn-status][data-state="connected"]')).to_be_attached()
    return context, page


def _show(page, moderator, sid, mode, **extra):
    moderator.ok("projector.show", {"session_id": sid, "mode": mode, **extra})
    expect(page.locator("#projector")).to_have_attribute("data-mode", mode)


def test_every_panel_stays_readable_and_whole_at_720p_and_1080p(server, browser, busy_session):
    sid, moderator = busy_session["sid"], busy_session["moderator"]
    context, page = _projector(browser, server, sid)
    try:
        modes = [
            ("auto", {}),
            ("question", {}),
            ("poll", {"poll_id": busy_session["choice"]["id"]}),
            ("poll", {"poll_id": busy_session["cloud"]["id"]}),
            ("poll", {"poll_id": busy_session["rating"]["id"]}),
            ("timer", {}),
            ("agenda", {}),
        ]
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            for mode, extra in modes:
                _show(page, moderator, sid, mode, **extra)
                _legible(page, height, f"{mode} {extra} {width}×{height}")
                _shot(page, f"fit-{mode}-{extra.get('poll_id', '')}-{height}")
            # Automatic mode with the word cloud under way: the pinned question stays whole.
            _show(page, moderator, sid, "auto")
            page.locator(".qa-big-text", has_text=PINNED).wait_for()
            text = page.locator(".qa-big-text")
            assert text.evaluate("(t) => t.scrollHeight <= t.clientHeight + 1")
            assert "fit-clamp" not in (text.get_attribute("class") or ""), (width, height)
            # The fit settles: while only the timer ticks, nothing is fitted again.
            refits = page.evaluate(SETTLED)
            assert refits == 0, (width, height, refits)
        # The end, in automatic mode: the closing panel, as readable.
        moderator.ok("session.end", {"session_id": sid})
        expect(page.locator('[data-panel="ended"]')).to_be_visible()
        _legible(page, 1080, "ended 1920×1080")
        page.set_viewport_size({"width": 1280, "height": 720})
        _legible(page, 720, "ended 1280×720")
        assert page.errors == []
    finally:
        context.close()


def test_poll_bars_share_one_track_and_equal_counts_draw_equal_words(server, browser, busy_session):
    sid, moderator = busy_session["sid"], busy_session["moderator"]
    context, page = _projector(browser, server, sid)
    try:
        for width, height in SIZES:
            where = f"{width}×{height}"
            page.set_viewport_size({"width": width, "height": height})
            # The poll at 0 %, 50 %, 50 %, 0 %: every track starts and ends at the same place.
            _show(page, moderator, sid, "poll", poll_id=busy_session["choice"]["id"])
            page.locator(".poll-bar-value", has_text="50 %").first.wait_for()
            tracks = page.evaluate(TRACKS)
            assert {t["share"] for t in tracks} == {"0.0", "50.0"}, tracks
            assert max(t["left"] for t in tracks) - min(t["left"] for t in tracks) < 0.5, (
                where,
                tracks,
            )
            assert max(t["width"] for t in tracks) - min(t["width"] for t in tracks) < 0.5, (
                where,
                tracks,
            )
            # The rating's columns too: a label under a value does not shorten its track.
            _show(page, moderator, sid, "poll", poll_id=busy_session["rating"]["id"])
            page.locator(".poll-stage .poll-col-track").first.wait_for()
            columns = page.eval_on_selector_all(
                ".poll-stage .poll-col-track",
                "(ts) => ts.map((t) => { const r = t.getBoundingClientRect(); "
                "return { top: r.top, height: r.height }; })",
            )
            assert len(columns) == 5, columns
            assert max(c["top"] for c in columns) - min(c["top"] for c in columns) < 0.5, columns
            assert max(c["height"] for c in columns) - min(c["height"] for c in columns) < 0.5
            assert columns[0]["height"] >= 0.1 * height, (where, columns)
            # The word cloud, in automatic mode beside the speaker and alone: six words given
            # once each, all drawn, all at one size ("tâtonner" too, at 720p).
            for mode, extra in (("auto", {}), ("poll", {"poll_id": busy_session["cloud"]["id"]})):
                _show(page, moderator, sid, mode, **extra)
                page.wait_for_function(
                    "() => document.querySelector('.poll-stage .poll-cloud')?.dataset.shown === '6'"
                )
                _frames(page)
                drawn = page.evaluate(CLOUD_DRAWN, ".poll-stage")
                _check_cloud(drawn, f"{mode} {where}")
                assert sorted(w["word"] for w in drawn["words"]) == sorted(WORDS[0] + WORDS[1])
                assert drawn["more"] == 0 and drawn["note"] is None
                # Legible from the back: the one size is the largest that fits, never tiny.
                assert drawn["words"][0]["size"] >= 0.05 * height, (where, drawn["words"][0])
                _shot(page, f"cloud-{mode}-{height}")
        assert page.errors == []
    finally:
        context.close()
    # The attendee's phone draws the closed poll's cloud the same way.
    moderator.ok("poll.close", {"poll_id": busy_session["cloud"]["id"]})
    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="en-GB", is_mobile=True, has_touch=True
    )
    try:
        page = phone.new_page()
        page.set_default_timeout(10_000)
        page.goto(registration_link(server, sid, "Lou"))
        page.locator("#tab-polls").click()
        card = f'article.poll-card:has-text("{CLOUD}")'
        page.locator(f"{card} .poll-cloud[data-shown='6']").wait_for()
        assert page.locator(".poll-cloud").count() == 1
        drawn = page.evaluate(CLOUD_DRAWN, "body")
        _check_cloud(drawn, "phone")
        assert drawn["more"] == 0 and len({w["size"] for w in drawn["words"]}) == 1, drawn
        if SHOTS:
            page.locator(card).screenshot(path=os.path.join(SHOTS, "cloud-phone.png"))
    finally:
        phone.close()


# drawCloud itself, on boxes of the projector's and of a phone's size, with made-up counts.
DRAW = """async ([width, height, words, options]) => {
  const { drawCloud } = await import('/static/js/polls-common.js');
  const wrap = document.createElement('div');
  wrap.className = 'poll-cloud-wrap test-cloud';
  Object.assign(wrap.style, { position: 'fixed', left: '0', top: '0', width: width + 'px', zIndex: 9,
    background: '#16233f' });
  const box = document.createElement('div');
  box.className = 'poll-cloud';
  Object.assign(box.style, { width: width + 'px', height: height + 'px', flex: 'none' });
  const list = document.createElement('ul');
  list.className = 'visually-hidden';
  for (const w of words) { const li = document.createElement('li'); li.textContent = w.word; list.append(li); }
  wrap.append(box, list);
  document.querySelector('.test-cloud')?.remove();
  document.body.append(wrap);
  const started = performance.now();
  const font = options.big ? { minFont: () => Math.max(20, 0.03 * innerHeight), maxFont: () => 0.13 * innerHeight } : {};
  drawCloud(box, words, { ...font, memo: options.memo || "" });
  return performance.now() - started;
}"""


def _words(n: int, counts) -> list[dict]:
    stems = ["essai", "réseau", "audace", "preuve", "terrain", "risque", "collectif", "mobilité"]
    words = [{"word": f"{stems[i % len(stems)]}{i}", "count": counts(i)} for i in range(n)]
    return sorted(words, key=lambda w: -w["count"])


def test_a_crowded_cloud_shrinks_evenly_then_says_how_many_words_it_leaves_out(
    server, browser, busy_session
):
    sid = busy_session["sid"]
    context, page = _projector(browser, server, sid)
    try:
        page.locator(".poll-stage .poll-cloud").wait_for()
        cases = [
            # The projector's cloud at 720p and 1080p: six words once each; then forty words of
            # a few counts (all fit, smaller); then a hundred (the server's most): "+ N".
            ((1280, 720), (1140, 330), _words(6, lambda i: 1), True),
            ((1280, 720), (1140, 330), _words(40, lambda i: 1 + i % 4), True),
            ((1280, 720), (640, 300), _words(100, lambda i: 1 + i % 7), True),
            ((1920, 1080), (1700, 560), _words(100, lambda i: 1 + i % 7), True),
            # A phone: long phrases wrap rather than leave or shrink past the floor.
            (
                (360, 740),
                (300, 240),
                [
                    {"word": "apprendre en faisant ensemble, pas à pas", "count": 2},
                    *_words(12, lambda i: 1),
                ],
                False,
            ),
            # A phone: one word wider than the cloud is never cut in two; the cloud shrinks.
            (
                (360, 740),
                (300, 240),
                [{"word": "expérimentations", "count": 5}, *_words(8, lambda i: 1 + i % 2)],
                False,
            ),
        ]
        for (width, height), box, words, big in cases:
            page.set_viewport_size({"width": width, "height": height})
            spent = page.evaluate(DRAW, [box[0], box[1], words, {"big": big}])
            where = f"{len(words)} words in {box} at {width}×{height}"
            drawn = page.evaluate(CLOUD_DRAWN, ".test-cloud")
            _check_cloud(drawn, where)
            for word in drawn["words"]:
                if " " not in word["word"]:  # one line: a word cut in two reads as two
                    assert word["h"] < 1.6 * word["size"], (where, word)
            floor = max(20, 0.03 * height) if big else 14
            assert min(w["size"] for w in drawn["words"]) >= floor - 0.05, where
            assert spent < 3000, (where, spent)
            if len(words) <= 40 and box[0] > 1000:
                assert drawn["more"] == 0, where  # room for all of them
            if len(words) == 100 and box[0] < 1000:
                note = drawn["note"]
                assert drawn["more"] > 0 and note == f"+ {drawn['more']} autres mots", note
            if not big:
                assert drawn["more"] == 0, where
            if SHOTS:
                page.locator(".test-cloud").screenshot(
                    path=os.path.join(SHOTS, f"cloud-{len(words)}-{box[0]}x{box[1]}.png")
                )
        assert page.errors == []
    finally:
        context.close()


def test_a_cloud_refreshed_as_its_counts_move_keeps_its_rules_and_its_words(
    server, browser, busy_session
):
    """A refresh of the same cloud in the same box tries the last fit before searching again
    (a search is ~15 layouts): each drawing still keeps every rule, and the number of words
    shown holds instead of jumping up and down at each refresh."""
    context, page = _projector(browser, server, busy_session["sid"])
    try:
        page.locator(".poll-stage .poll-cloud").wait_for()
        page.set_viewport_size({"width": 1920, "height": 1080})
        shown = []
        for refresh in range(6):
            # Some words gain a vote at each refresh, the leaders too, which moves every size.
            words = _words(100, lambda i, r=refresh: 1 + i % 7 + ((i + r) % 3 == 0))
            page.evaluate(DRAW, [1700, 560, words, {"big": True, "memo": "poll-refreshed"}])
            drawn = page.evaluate(CLOUD_DRAWN, ".test-cloud")
            _check_cloud(drawn, f"refresh {refresh}")
            assert min(w["size"] for w in drawn["words"]) >= 0.03 * 1080 - 0.05
            shown.append(drawn["shown"])
        assert drawn["more"] > 0  # a hundred words do not all fit: "+ N" says so
        # A search of its own at each refresh made it jump (72, 72, 75, 72, 72, 75).
        assert sum(a != b for a, b in itertools.pairwise(shown)) <= 1, shown
        assert page.errors == []
    finally:
        context.close()


def test_a_full_panel_shows_less_instead_of_shrinking(server, browser, busy_session, make_client):
    sid, moderator = busy_session["sid"], busy_session["moderator"]
    agenda = server.programme()["sessions"][0]["agenda"]
    # Halfway through the agenda: the previous item, the current one, the next ones.
    middle = agenda[len(agenda) // 2]
    moderator.ok("agenda.advance", {"session_id": sid, "agenda_item_id": middle["id"]})
    # A poll of twenty options under a long question, with votes spread over them.
    many = moderator.ok(
        "poll.create",
        {
            "session_id": sid,
            "kind": "single",
            "question": " ".join([CHOICE] * 4),
            "options": [f"Option {i + 1} : {OPTIONS[i % 4]}" for i in range(20)],
        },
    )["poll"]
    moderator.ok("poll.open", {"poll_id": many["id"]})
    for i in range(3):
        voter = make_client(server, server.attendee(sid, f"Voter{i}"))
        option = many["options"][5 + i]
        voter.ok(
            "poll.vote",
            {"poll_id": many["id"], "client_id": f"m-{i}", "answer": {"option_id": option["id"]}},
        )
    context, page = _projector(browser, server, sid, locale="en-GB")
    try:
        for width, height in SIZES:
            where = f"{width}×{height}"
            page.set_viewport_size({"width": width, "height": height})
            _show(page, moderator, sid, "agenda")
            page.locator(".agenda-item.is-current").wait_for()
            _legible(page, height, f"agenda {where}")
            items = page.locator(".projector-agenda .agenda-item")
            shown = [i for i in range(items.count()) if items.nth(i).is_visible()]
            current = agenda.index(middle)
            assert current - 1 in shown and current in shown and current + 1 in shown, (
                where,
                shown,
            )
            assert shown == list(range(shown[0], shown[-1] + 1)), shown  # one stretch
            notes = page.locator(".projector-agenda .agenda-more:visible").all_inner_texts()
            expected = []
            if shown[0]:
                expected.append(f"+ {shown[0]} earlier item" + ("s" if shown[0] > 1 else ""))
            after = len(agenda) - 1 - shown[-1]
            if after:
                expected.append(f"+ {after} more item" + ("s" if after > 1 else ""))
            assert notes == expected, (where, notes, shown)
            # The current item keeps its details.
            expect(page.locator(".agenda-item.is-current .agenda-meta")).to_be_visible()
            _shot(page, f"less-agenda-{height}")

            # Twenty options: they line up, the ones with votes stay, "+ N more options".
            _show(page, moderator, sid, "poll", poll_id=many["id"])
            page.locator(f".poll-stage[data-poll-id='{many['id']}']").wait_for()
            _legible(page, height, f"poll {where}")
            tracks = page.evaluate(TRACKS)
            assert max(t["left"] for t in tracks) - min(t["left"] for t in tracks) < 0.5, tracks
            assert max(t["width"] for t in tracks) - min(t["width"] for t in tracks) < 0.5, tracks
            assert sum(1 for t in tracks if t["share"] != "0.0") == 3, tracks
            hidden = 20 - len(tracks)
            more = page.locator(".poll-stage .poll-more")
            if hidden:
                expect(more).to_have_text(f"+ {hidden} more options")
            else:
                expect(more).to_have_count(0)
            _shot(page, f"less-poll-{height}")
        assert page.errors == []
    finally:
        context.close()


# The words of the header that break inside: a word whose glyphs sit on more than one line.
BROKEN_WORDS = """() => {
  const out = [];
  const walk = document.createTreeWalker(document.querySelector('.projector-head'), NodeFilter.SHOW_TEXT);
  for (let node = walk.nextNode(); node; node = walk.nextNode()) {
    for (const word of node.textContent.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (tops.size > 1) out.push(word[0]);
    }
  }
  return out;
}"""

# The lines the session's title takes in the header.
TITLE_LINES = """() => {
  const h1 = document.querySelector('.projector-head h1');
  return Math.round(h1.getBoundingClientRect().height / parseFloat(getComputedStyle(h1).lineHeight));
}"""


def test_the_room_sees_no_placeholder_and_only_the_pinned_question(server, browser, make_client):
    """No empty question card in automatic mode, no stray "—" before the start; "the pinned
    question" shows the pinned one only, the next ones with their labelled upvote count; the
    header breaks between words, never inside one, and leaves the title its line at 1080p."""
    session = server.programme()["sessions"][0]
    sid = session["id"]
    moderator = make_client(server, server.login())
    people = [make_client(server, server.attendee(sid, name)) for name in ("Camille", "Oliver")]
    asked = []
    for i, text in enumerate(OTHERS):
        data = people[i % 2].ok(
            "question.submit", {"session_id": sid, "client_id": f"q-{i}", "text": text}
        )
        asked.append(data["question"])
        if data["question"]["state"] == "pending":
            moderator.ok("question.moderate", {"question_id": asked[-1]["id"], "action": "approve"})
    people[0].ok("question.upvote", {"question_id": asked[1]["id"]})
    card = '[data-panel="question"]'
    context, page = _projector(browser, server, sid)
    try:
        # Before the start: the speaker's panel alone, no item under way, no dash for it.
        for width, height in ((1280, 720), (1280, 800), (1920, 1080)):
            where = f"scheduled {width}×{height}"
            page.set_viewport_size({"width": width, "height": height})
            _legible(page, height, where)
            expect(page.locator(card)).to_be_hidden()
            expect(page.locator("[data-floor]")).to_be_visible()
            assert "—" not in page.locator(".projector-head").inner_text(), where
            _shot(page, f"room-scheduled-{height}")
        moderator.ok("session.start", {"session_id": sid})
        # "Expérimentation, de quoi parle-t-on ?": it broke at a hyphen of "parle-t-on".
        item = session["agenda"][1]
        moderator.ok("agenda.advance", {"session_id": sid, "agenda_item_id": item["id"]})
        expect(page.locator("[data-current-item]")).to_contain_text("parle-t-on")
        for width, height in ((1280, 720), (1280, 800), (1920, 1080)):
            where = f"{width}×{height}"
            page.set_viewport_size({"width": width, "height": height})
            # Automatic, questions asked but none pinned: no question card.
            _show(page, moderator, sid, "auto")
            _legible(page, height, f"auto {where}")
            expect(page.locator(card)).to_be_hidden()
            assert page.evaluate(BROKEN_WORDS) == [], where
            if width == 1920:
                assert page.evaluate(TITLE_LINES) == 1, where
            _shot(page, f"room-auto-{height}")
            # "The pinned question", none pinned: no question shown in its place.
            _show(page, moderator, sid, "question")
            _legible(page, height, f"question {where}")
            shown = page.locator(card).inner_text()
            assert not any(text in shown for text in OTHERS), (where, shown)
        moderator.ok("question.moderate", {"question_id": asked[0]["id"], "action": "pin"})
        for width, height in ((1280, 720), (1920, 1080)):
            page.set_viewport_size({"width": width, "height": height})
            for mode in ("question", "auto"):
                _show(page, moderator, sid, mode)
                expect(page.locator(".qa-big-text")).to_have_text(OTHERS[0])
                _legible(page, height, f"pinned {mode} {width}×{height}")
                # The next ones, most upvoted first; their count beside an upvote sign, named.
                rows = page.locator(".qa-next li")
                expect(rows).to_have_count(2)
                expect(rows.first).to_contain_text(OTHERS[1])
                count = rows.first.locator(".qa-n")
                expect(count).to_have_text("▲ 1")
                expect(count).to_have_attribute("aria-hidden", "true")
                expect(rows.first.locator(".visually-hidden")).to_have_text("1 soutien")
                _shot(page, f"room-pinned-{mode}-{height}")
        # The end, no poll ever shown: the closing panel takes the whole stage, no dash above.
        moderator.ok("session.end", {"session_id": sid})
        expect(page.locator('[data-panel="ended"]')).to_be_visible()
        _legible(page, 1080, "ended 1920×1080")
        stage = page.locator(".projector-stage").bounding_box()
        ended = page.locator('[data-panel="ended"]').bounding_box()
        assert all(abs(stage[k] - ended[k]) < 1 for k in ("x", "y", "width", "height")), ended
        assert "—" not in page.locator(".projector-head").inner_text()
        assert page.errors == []
    finally:
        context.close()

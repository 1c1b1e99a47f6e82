"""Poll rules: every kind counted exactly, every bad answer refused, lifecycle and visibility."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import select

from companion.core.errors import Closed, Conflict, Forbidden, Invalid
from companion.extensions import db
from companion.polls import (
    drafting,
    kinds,
    lifecycle,
    presenters,
    programme_file,
    queries,
    results,
    voting,
)
from companion.polls.models import Ballot, Poll
from companion.polls.schemas import PollChanges, PollValues, SettingsIn
from companion.programme import service as programme
from companion.realtime.models import ClientReceipt, SessionBroadcast
from tests.conftest import DEMO_PROGRAMME
from tests.views import polls_seen_by, quiz_score

from .conftest import answers_listed, ballots_of, fingerprint, moderate, results_of


def vote(poll, attendee, answer) -> Poll:
    """Cast a vote as the dispatcher would: in its own committed transaction."""
    result = voting.cast_vote(db.session.get(Poll, poll.id), answer, actor=attendee.actor)
    db.session.commit()
    return result


def ids(poll) -> list[int]:
    return [o.id for o in db.session.get(Poll, poll.id).options]


# ---------------------------------------------------------------- every kind counted exactly


def test_single_choice_counts_each_ballot_once(make_poll, join, first_session):
    poll = make_poll("single")
    a, b, c = ids(poll)
    for choice in (a, a, b):
        vote(poll, join(first_session.id), {"option_id": choice})
    assert results_of(poll.id) == (
        3,
        [{"option_id": a, "count": 2}, {"option_id": b, "count": 1}, {"option_id": c, "count": 0}],
    )


def test_multiple_choice_counts_every_option_chosen(make_poll, join, first_session):
    poll = make_poll("multiple")
    a, b, _, d = ids(poll)
    vote(poll, join(first_session.id), {"option_ids": [a, b]})
    vote(poll, join(first_session.id), {"option_ids": [b]})
    vote(poll, join(first_session.id), {"option_ids": [d, b]})
    total, results = results_of(poll.id)
    assert total == 3
    assert [r["count"] for r in results] == [1, 3, 0, 1]


def test_wordcloud_folds_case_spaces_and_unicode_forms(make_poll, join, first_session):
    poll = make_poll("wordcloud")
    vote(poll, join(first_session.id), {"words": ["Proximité", "lien  social"]})
    vote(poll, join(first_session.id), {"words": ["  proximité "]})
    vote(poll, join(first_session.id), {"words": ["PROXIMITÉ", "Lien social", "audace"]})
    vote(poll, join(first_session.id), {"words": ["proximite\u0301"]})  # decomposed é
    # The same word twice in one ballot counts once.
    vote(poll, join(first_session.id), {"words": ["Audace", "audace"]})
    total, results = results_of(poll.id)
    assert total == 5
    assert results == [
        {"word": "proximité", "count": 4},
        {"word": "audace", "count": 2},
        {"word": "lien social", "count": 2},
    ]


def test_rating_keeps_a_histogram_and_its_mean(make_poll, join, first_session):
    poll = make_poll("rating")
    for value in (5, 4, 4, 1):
        vote(poll, join(first_session.id), {"value": value})
    total, results = results_of(poll.id)
    assert total == 4
    assert results == {"histogram": {"1": 1, "2": 0, "3": 0, "4": 2, "5": 1}, "mean": 3.5}
    assert db.session.get(Poll, poll.id).settings["scale"]["labels"] == {
        "1": "Pas utile",
        "5": "Très utile",
    }


def test_open_text_is_counted_and_shown_only_once_approved(
    make_poll, join, first_session, moderator
):
    poll = make_poll("open")
    vote(poll, join(first_session.id), {"text": "Plus de temps d'échange"})
    vote(poll, join(first_session.id), {"text": "  Des exemples concrets  "})
    assert results_of(poll.id) == (2, {"count": 2, "answers": []})
    answers = answers_listed(poll, moderator)
    assert [a["text"] for a in answers] == ["Des exemples concrets", "Plus de temps d'échange"]
    assert not any(a["approved"] for a in answers)
    chosen = answers[0]["id"]
    moderate(poll, chosen, "approve", moderator)
    db.session.commit()
    assert results_of(poll.id) == (
        2,
        {"count": 2, "answers": [{"id": chosen, "text": "Des exemples concrets"}]},
    )
    moderate(poll, chosen, "hide", moderator)
    db.session.commit()
    assert results_of(poll.id)[1]["answers"] == []


def test_ranking_scores_borda_points(make_poll, join, first_session):
    poll = make_poll("ranking")
    a, b, c = ids(poll)
    vote(poll, join(first_session.id), {"option_ids": [a, b, c]})  # a 2, b 1, c 0
    vote(poll, join(first_session.id), {"option_ids": [b, a, c]})  # b 2, a 1, c 0
    vote(poll, join(first_session.id), {"option_ids": [c, b, a]})  # c 2, b 1, a 0
    assert results_of(poll.id) == (
        3,
        [{"option_id": a, "score": 3}, {"option_id": b, "score": 4}, {"option_id": c, "score": 2}],
    )


def test_quiz_reveals_the_correct_option_at_close_and_keeps_scores(
    make_poll, join, first_session, moderator
):
    first = make_poll("quiz")
    second = make_poll("quiz", correct_option=0)
    wrong, right, _ = ids(first)
    ada, bob = join(first_session.id, "Ada"), join(first_session.id, "Bob")
    vote(first, ada, {"option_id": right})
    vote(first, bob, {"option_id": wrong})
    vote(second, ada, {"option_id": ids(second)[0]})
    room = presenters.poll_dict(db.session.get(Poll, first.id), staff=False)
    assert "correct_option_id" not in room
    assert "correct_option" not in room["settings"]
    staff_view = presenters.poll_dict(db.session.get(Poll, first.id), staff=True)
    assert staff_view["correct_option_id"] == right
    # Scores count closed quizzes only: an open quiz would give its answer away.
    assert quiz_score(first_session.id, ada.actor.id) == {"score": 0, "out_of": 0}
    for poll in (first, second):
        lifecycle.close_poll(db.session.get(Poll, poll.id), actor=moderator)
    db.session.commit()
    room = presenters.poll_dict(db.session.get(Poll, first.id), staff=False)
    assert room["correct_option_id"] == right
    assert quiz_score(first_session.id, ada.actor.id) == {"score": 2, "out_of": 2}
    assert quiz_score(first_session.id, bob.actor.id) == {"score": 0, "out_of": 2}
    board = queries.leaderboard(first_session.id, actor=moderator)
    assert board == {
        "quizzes": 2,
        "players": 2,
        "named": False,
        "top": [{"rank": 1, "score": 2}],
    }


def test_named_quiz_leaderboard_shows_names(make_poll, join, first_session, moderator):
    poll = make_poll("quiz", anonymous=False)
    ada = join(first_session.id, "Ada")
    vote(poll, ada, {"option_id": ids(poll)[1]})
    lifecycle.close_poll(db.session.get(Poll, poll.id), actor=moderator)
    db.session.commit()
    top = queries.leaderboard(first_session.id, actor=moderator)["top"]
    assert top == [{"rank": 1, "score": 1, "name": "Ada"}]


# ---------------------------------------------------------------- invalid answers store nothing

INVALID = {
    "single": [
        {"option_id": 999_999},
        {"option_id": "1"},
        {"option_id": None},
        {},
        {"option_ids": [1]},
        {"option_id": 1, "extra": True},
    ],
    "quiz": [{"option_id": 999_999}, {"option_id": -1}],
    "multiple": [
        {"option_ids": []},
        {"option_ids": "all"},
        {"option_ids": [999_999]},
        "too many",
        "twice",
    ],
    "wordcloud": [
        {"words": []},
        {"words": [""]},
        {"words": ["   "]},
        {"words": ["!!!"]},
        {"words": ["un", "deux", "trois", "quatre"]},
        {"words": ["x" * 41]},
        {"words": "proximité"},
        {"words": [3]},
    ],
    "rating": [{"value": 0}, {"value": 6}, {"value": "3"}, {"value": 3.5}, {"value": True}, {}],
    "open": [{"text": ""}, {"text": "   "}, {"text": "x" * 501}, {"text": ["a"]}],
    "ranking": ["missing", "repeated", "unknown", {"option_ids": []}],
}


@pytest.mark.parametrize("kind", list(INVALID))
def test_an_answer_that_does_not_fit_is_invalid_and_stores_nothing(
    make_poll, join, first_session, kind
):
    poll = make_poll(kind)
    options = ids(poll)
    named = (  # answers that name the poll's own options
        {
            "too many": {"option_ids": options[:3]},  # max_choices is 2
            "twice": {"option_ids": [options[0], options[0]]},
            "missing": {"option_ids": options[:-1]},
            "repeated": {"option_ids": [options[0], options[0], options[1]]},
            "unknown": {"option_ids": [*options[:-1], 999_999]},
        }
        if options
        else {}
    )
    attendee = join(first_session.id)
    before = fingerprint()
    for answer in INVALID[kind]:
        answer = named[answer] if isinstance(answer, str) else answer
        with pytest.raises(Invalid):
            voting.cast_vote(db.session.get(Poll, poll.id), answer, actor=attendee.actor)
        db.session.rollback()
        assert fingerprint() == before, answer


def test_an_invalid_change_keeps_the_previous_ballot(make_poll, join, first_session):
    poll = make_poll("rating")
    attendee = join(first_session.id)
    vote(poll, attendee, {"value": 4})
    before = fingerprint()
    with pytest.raises(Invalid):
        voting.cast_vote(db.session.get(Poll, poll.id), {"value": 9}, actor=attendee.actor)
    db.session.rollback()
    assert fingerprint() == before
    assert results_of(poll.id)[1]["histogram"]["4"] == 1


# ---------------------------------------------------------------- one ballot per participant


@pytest.mark.parametrize(
    ("kind", "first", "second"),
    [
        ("single", {"option_id": 0}, {"option_id": 1}),
        ("multiple", {"option_ids": [0, 1]}, {"option_ids": [1, 2]}),
        ("wordcloud", {"words": ["Proximité", "audace"]}, {"words": ["proximité", "lien"]}),
        ("rating", {"value": 2}, {"value": 5}),
        ("open", {"text": "Avant"}, {"text": "Après"}),
        ("ranking", {"option_ids": [0, 1, 2]}, {"option_ids": [2, 1, 0]}),
        ("quiz", {"option_id": 0}, {"option_id": 1}),
    ],
)
def test_a_changed_ballot_never_counts_twice(make_poll, join, first_session, kind, first, second):
    poll = make_poll(kind)
    options = ids(poll)

    def resolve(answer):
        if "option_id" in answer:
            return {"option_id": options[answer["option_id"]]}
        if "option_ids" in answer:
            return {"option_ids": [options[i] for i in answer["option_ids"]]}
        return answer

    changer, witness = join(first_session.id), join(first_session.id)
    vote(poll, witness, resolve(second))
    vote(poll, changer, resolve(first))
    vote(poll, changer, resolve(first))  # the same answer again: nothing moves
    vote(poll, changer, resolve(second))
    # The counters are exactly those of two ballots answering `second`.
    expected = Counter()
    for _ in range(2):
        expected.update(voting.read_answer(db.session.get(Poll, poll.id), resolve(second))[1])
    expected[kinds.TOTAL_KEY] = 2
    counters = {key: n for pid, key, n in fingerprint()["counts"] if pid == poll.id and n}
    assert counters == {key: n for key, n in expected.items() if n}
    assert ballots_of(poll.id) == 2
    assert results_of(poll.id)[0] == 2


def test_a_changed_open_text_waits_for_moderation_again(make_poll, join, first_session, moderator):
    poll = make_poll("open")
    author = join(first_session.id)
    vote(poll, author, {"text": "Bravo"})
    ballot = db.session.scalar(select(Ballot).where(Ballot.poll_id == poll.id))
    moderate(poll, ballot.id, "approve", moderator)
    db.session.commit()
    vote(poll, author, {"text": "Bravo, et merci"})
    assert results_of(poll.id) == (1, {"count": 1, "answers": []})


# ---------------------------------------------------------------- lifecycle


def test_votes_need_an_open_poll(make_poll, join, first_session, moderator):
    draft = make_poll("single", state="draft")
    attendee = join(first_session.id)
    before = fingerprint()
    with pytest.raises(Closed):
        voting.cast_vote(draft, {"option_id": ids(draft)[0]}, actor=attendee.actor)
    db.session.rollback()
    assert fingerprint() == before
    poll = make_poll("single")
    vote(poll, attendee, {"option_id": ids(poll)[0]})
    lifecycle.close_poll(db.session.get(Poll, poll.id), actor=moderator)
    db.session.commit()
    before = fingerprint()
    with pytest.raises(Closed):
        voting.cast_vote(
            db.session.get(Poll, poll.id), {"option_id": ids(poll)[1]}, actor=attendee.actor
        )
    db.session.rollback()
    assert fingerprint() == before


def test_reopen_keeps_ballots_and_hides_revealed_results_again(
    make_poll, join, first_session, moderator
):
    poll = make_poll("single", results="on_reveal")
    attendee = join(first_session.id)
    vote(poll, attendee, {"option_id": ids(poll)[0]})
    assert not queries.results_public(poll)
    lifecycle.reveal_poll(poll, actor=moderator)
    lifecycle.close_poll(poll, actor=moderator)
    assert queries.results_public(poll)
    lifecycle.open_poll(poll, actor=moderator)
    db.session.commit()
    assert poll.state.value == "open" and not poll.revealed
    assert not queries.results_public(poll)
    vote(poll, attendee, {"option_id": ids(poll)[1]})
    assert results_of(poll.id)[0] == 1


@pytest.mark.parametrize(
    ("mode", "open_", "closed", "revealed"),
    [
        ("live", True, True, True),
        ("on_close", False, True, True),
        ("on_reveal", False, False, True),
    ],
)
def test_results_visibility_follows_the_mode(
    make_poll, moderator, join, first_session, mode, open_, closed, revealed
):
    poll = make_poll("rating", results=mode)
    vote(poll, join(first_session.id), {"value": 3})
    poll = db.session.get(Poll, poll.id)
    assert queries.results_public(poll) is open_
    assert ("results" in presenters.poll_dict(poll, staff=False)) is open_
    assert "results" in presenters.poll_dict(poll, staff=True)
    lifecycle.close_poll(poll, actor=moderator)
    assert queries.results_public(poll) is closed
    assert ("total" in presenters.poll_dict(poll, staff=False)) is closed
    if not closed:
        lifecycle.reveal_poll(poll, actor=moderator)
    else:
        with pytest.raises(Conflict):
            lifecycle.reveal_poll(poll, actor=moderator)
    assert queries.results_public(poll) is revealed


def test_lifecycle_conflicts(make_poll, moderator):
    poll = make_poll("single", state="draft")
    with pytest.raises(Conflict):
        lifecycle.close_poll(poll, actor=moderator)
    with pytest.raises(Conflict):
        lifecycle.reveal_poll(poll, actor=moderator)
    lifecycle.open_poll(poll, actor=moderator)
    with pytest.raises(Conflict):
        lifecycle.open_poll(poll, actor=moderator)
    with pytest.raises(Conflict):
        drafting.update_poll(poll, PollChanges(question="Autre ?"), actor=moderator)


def test_delete_removes_ballots_and_counters(make_poll, join, first_session, moderator):
    poll = make_poll("single")
    vote(poll, join(first_session.id), {"option_id": ids(poll)[0]})
    poll_id = poll.id
    drafting.delete_poll(db.session.get(Poll, poll_id), actor=moderator)
    db.session.commit()
    after = fingerprint()
    assert poll_id not in [state[0] for state in after["states"]]
    assert all(row[0] != poll_id for row in after["counts"])
    assert ballots_of(poll_id) == 0


def test_attendees_cannot_manage_polls(make_poll, join, first_session):
    poll = make_poll("single", state="draft")
    attendee = join(first_session.id).actor
    before = fingerprint()
    for action in (
        lifecycle.open_poll,
        lifecycle.close_poll,
        lifecycle.reveal_poll,
        drafting.delete_poll,
    ):
        with pytest.raises(Forbidden):
            action(db.session.get(Poll, poll.id), actor=attendee)
    db.session.rollback()
    assert fingerprint() == before


# ---------------------------------------------------------------- definitions


BAD_DEFINITIONS = [
    ("single", ["Seule"], {}),
    ("single", ["Oui", " oui "], {}),
    ("wordcloud", ["Oui", "Non"], {}),
    ("multiple", ["A", "B"], {"max_choices": 3}),
    ("single", ["A", "B"], {"max_choices": 1}),
    ("quiz", ["A", "B"], {}),
    ("quiz", ["A", "B"], {"correct_option": 2}),
    ("rating", [], {"correct_option": 0}),
]


def test_definitions_that_do_not_fit_their_kind_are_refused(first_session, moderator):
    before = fingerprint()
    for kind, options, settings in BAD_DEFINITIONS:
        with pytest.raises(Invalid):
            values = PollValues(
                kind=kind,
                question="Question ?",
                options=options,
                settings=SettingsIn.model_validate(settings),
            )
            drafting.create_poll(first_session, values, actor=moderator)
        db.session.rollback()
        assert fingerprint() == before, (kind, options, settings)


def test_update_edits_a_draft(make_poll, moderator, first_session):
    poll = make_poll("single", state="draft")
    item = first_session.agenda[2]
    changes = PollChanges(
        kind="multiple",
        question="  Quels  publics ?",
        options=["Élus", "Agents", "Habitants"],
        settings=SettingsIn(max_choices=2, results="on_close", agenda_item_id=item.id),
    )
    drafting.update_poll(poll, changes, actor=moderator)
    db.session.commit()
    data = presenters.poll_dict(db.session.get(Poll, poll.id), staff=True)
    assert data["kind"] == "multiple"
    assert data["question"] == "Quels publics ?"
    assert [o["text"] for o in data["options"]] == ["Élus", "Agents", "Habitants"]
    assert data["settings"] == {
        "anonymous": True,
        "results": "on_close",
        "max_choices": 2,
        "agenda_item_id": item.id,
    }


# ---------------------------------------------------------------- anonymity


def test_anonymous_ballots_leave_no_trace_of_who_answered(
    http, make_poll, join, first_session, moderator, moderator_token, connect
):
    poll = make_poll("open")
    attendee = join(first_session.id, "Zoé Secrète")
    client = connect(attendee.token)
    client.ok("session.join", {"session_id": first_session.id})
    client.ok("poll.vote", {"poll_id": poll.id, "client_id": "c1", "answer": {"text": "Mon avis"}})
    ballot = db.session.scalar(select(Ballot).where(Ballot.poll_id == poll.id))
    moderate(poll, ballot.id, "approve", moderator)
    lifecycle.close_poll(db.session.get(Poll, poll.id), actor=moderator)
    db.session.commit()
    outputs = [
        answers_listed(poll, moderator),
        presenters.session_results(first_session),
        polls_seen_by(first_session, moderator),
        [b.payload for b in db.session.scalars(select(SessionBroadcast))],
        http.get(
            f"/api/v1/sessions/{first_session.id}/polls",
            headers={"Authorization": f"Bearer {moderator_token}"},
        ).get_json(),
    ]
    text = json.dumps(outputs, ensure_ascii=False)
    assert "Mon avis" in text
    assert "Zoé" not in text
    assert "participant" not in text
    # The ack kept as the resend receipt says nothing of the answer.
    receipt = db.session.scalar(select(ClientReceipt).where(ClientReceipt.client_id == "c1"))
    assert receipt.result == {"ok": True, "data": {"recorded": True}}


def test_named_polls_show_moderators_who_answered(make_poll, join, first_session, moderator):
    poll = make_poll("single", anonymous=False)
    vote(poll, join(first_session.id, "Ada"), {"option_id": ids(poll)[0]})
    answers = answers_listed(poll, moderator)
    assert [(a["author"], a["answer"]) for a in answers] == [("Ada", {"option_id": ids(poll)[0]})]


# ---------------------------------------------------------------- programme file


def test_the_seed_prepares_polls_as_drafts_attached_to_agenda_items(event):
    first = event.sessions[0]
    polls = queries.session_polls(first.id, include_drafts=True)
    assert [(p.kind, p.state.value) for p in polls] == [
        ("single", "draft"),
        ("wordcloud", "draft"),
        ("rating", "draft"),
        ("open", "draft"),
    ]
    assert polls[0].agenda_item_id == first.agenda[0].id
    assert polls[2].agenda_item_id == first.agenda[-1].id
    assert polls[2].settings["scale"]["labels"] == {"1": "Pas utile", "5": "Très utile"}
    for session in event.sessions:
        kinds = [p.kind for p in queries.session_polls(session.id, include_drafts=True)]
        assert kinds[-2:] == ["rating", "open"]  # every session ends with its evaluation


def test_prepared_polls_export_as_they_were_written(event):
    import yaml

    written = yaml.safe_load(DEMO_PROGRAMME.read_text(encoding="utf-8"))["sessions"]
    for session, spec in zip(event.sessions, written, strict=True):
        exported = programme_file.export_prepared_polls(session)
        assert len(exported) == len(spec["polls"])
        for entry, original in zip(exported, spec["polls"], strict=True):
            assert entry["kind"] == original["kind"]
            assert entry["question"] == original["question"]
            assert entry.get("options", []) == original.get("options", [])
            assert entry["agenda_item"] == original["agenda_item"]
            for key, value in original.get("settings", {}).items():
                assert entry["settings"][key] == value


@pytest.mark.parametrize(
    ("poll", "problem"),
    [
        ({"kind": "single", "question": "Q ?", "options": ["Seule"]}, "sessions.1.polls.0"),
        ({"kind": "poll", "question": "Q ?"}, "sessions.1.polls.0.kind"),
        ({"kind": "rating", "question": "Q ?", "agenda_item": 99}, "sessions.1.polls.0"),
        ({"kind": "open", "question": "Q ?", "settings": {"agenda_item_id": 1}}, "settings"),
        ("just text", "sessions.1.polls.0"),
    ],
)
def test_a_bad_prepared_poll_fails_the_whole_import(app, poll, problem):
    import yaml

    data = yaml.safe_load(DEMO_PROGRAMME.read_text(encoding="utf-8"))
    data["sessions"][1]["polls"] = [poll]
    with pytest.raises(Invalid) as caught:
        programme.import_programme(yaml.safe_dump(data, allow_unicode=True))
    db.session.rollback()
    assert problem in caught.value.message
    assert programme.list_events() == []
    assert db.session.scalar(select(Poll.id)) is None


def test_exported_polls_import_back_identically(event):
    """What export_prepared_polls writes is a valid ``polls:`` list for import_programme."""
    import yaml

    data = yaml.safe_load(programme.export_programme(programme.load_event_tree(event.slug)))
    data["event"]["slug"] = "copie"
    for entry, session in zip(data["sessions"], event.sessions, strict=True):
        entry["polls"] = programme_file.export_prepared_polls(session)
    copy = programme.import_programme(yaml.safe_dump(data, allow_unicode=True))
    db.session.commit()
    exported = programme_file.export_prepared_polls
    for original, imported in zip(event.sessions, copy.sessions, strict=True):
        assert exported(imported) == exported(original)


# ---------------------------------------------------------------- coalesced results and commit


def test_a_flush_before_the_commit_leaves_the_vote_marked_for_the_next_one(
    make_poll, join, first_session
):
    """A vote marks its poll when it commits: a flush racing the open transaction cannot
    use the mark up and leave the last vote of a burst unbroadcast."""
    from companion.realtime.coalesce import coalescer

    poll = make_poll("single")
    attendee = join(first_session.id)
    coalescer.reset()
    voting.cast_vote(
        db.session.get(Poll, poll.id), {"option_id": ids(poll)[0]}, actor=attendee.actor
    )
    coalescer.flush()  # the coalescer's tick, while the vote is not yet committed
    assert coalescer.lag() == 0.0
    db.session.commit()
    assert poll.id in coalescer.marked(results.COALESCE_KIND)


def test_a_rolled_back_vote_marks_nothing(make_poll, join, first_session):
    from companion.realtime.coalesce import coalescer

    poll = make_poll("single")
    attendee = join(first_session.id)
    coalescer.reset()
    voting.cast_vote(
        db.session.get(Poll, poll.id), {"option_id": ids(poll)[0]}, actor=attendee.actor
    )
    db.session.rollback()
    assert coalescer.marked(results.COALESCE_KIND) == set()


def test_a_bad_prepared_poll_is_told_in_french(app):
    import yaml
    from flask_babel import refresh

    data = yaml.safe_load(DEMO_PROGRAMME.read_text(encoding="utf-8"))
    data["sessions"][1]["polls"] = [{"kind": "rating", "question": "Q ?", "agenda_item": 99}]
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        refresh()
        with pytest.raises(Invalid) as caught:
            programme.import_programme(yaml.safe_dump(data, allow_unicode=True))
        said = caught.value.to_dict()
    db.session.rollback()
    assert said["message"] == (
        "Le fichier de programme n’est pas valide — sessions.1.polls.0\u00a0: "
        "agenda_item 99 ne désigne aucun point de l’ordre du jour de cette session."
    )
    assert said["details"][0]["field"] == "sessions.1.polls.0"


def test_a_poll_is_made_one_line_and_keeps_french_no_break_spaces(first_session, moderator):
    """Line breaks and runs of spaces go; « ? » stays bound to its word (str.split() took the
    no-break space for a plain one, and the projector then broke the line before the « ? »)."""
    values = PollValues(
        kind="single",
        question="Où en êtes-vous\n  avec l’expérimentation\u00a0?",
        options=["Je découvre\u00a0!", "J’en  mène  une"],
        settings=SettingsIn(),
    )
    poll = drafting.create_poll(first_session, values, actor=moderator)
    assert poll.question == "Où en êtes-vous avec l’expérimentation\u00a0?"
    assert [o.text for o in poll.options] == ["Je découvre\u00a0!", "J’en mène une"]

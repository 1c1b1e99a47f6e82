"""Q&A rules, called as the socket handlers call them (explicit actors, one commit each)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from companion.core.errors import Closed, Conflict, Forbidden, Invalid, NotFound, RateLimited
from companion.core.schemas import parse
from companion.extensions import db
from companion.programme import service as programme
from companion.questions import (
    asking,
    carrying,
    moderation,
    presenters,
    queries,
    voting,
)
from companion.questions.models import Question, QuestionVote
from companion.questions.schemas import SettingsIn, SubmitIn
from companion.questions.settings import session_settings, settings_for
from companion.questions.settings import update_settings as change_settings
from tests.views import questions_seen_by

from .conftest import counts, state_of

# The verbs take loaded models and return models; these make the acks' dicts as the socket
# handlers do, so the assertions below read what a client reads.


def submit_question(data, *, actor) -> dict:
    session = programme.get_session(data.session_id)
    question = asking.submit_question(session, data, actor=actor)
    return {"question": presenters.own_dict(question, voted=False, mine=True)}


def update_settings(data, *, actor) -> dict:
    session = programme.get_session(data.session_id)
    change_settings(session, data, actor=actor)
    return {"session_id": session.id, "settings": session_settings(session)}


def upvote_question(question_id, *, actor) -> dict:
    question = voting.upvote_question(voting.question_for_votes(question_id), actor=actor)
    return presenters.vote_dict(question, voted=True)


def unvote_question(question_id, *, actor) -> dict:
    question = voting.unvote_question(voting.question_for_votes(question_id), actor=actor)
    return presenters.vote_dict(question, voted=False)


def moderate_question(question_id, action, *, actor, reply=None) -> dict:
    question = queries.locked_question(question_id)
    moderation.moderate_question(question, action, actor=actor, reply=reply)
    return {"question": presenters.question_dict(question, staff=True)}


def edit_question(question_id, text, *, actor) -> dict:
    question = queries.locked_question(question_id)
    moderation.edit_question(question, text, actor=actor)
    return {"question": presenters.question_dict(question, staff=True)}


def question_history(question_id, *, actor) -> dict:
    question = queries.get_question(question_id)
    return presenters.history_dict(question, moderation.question_history(question, actor=actor))


def merge_questions(question_id, into_id, *, actor) -> dict:
    source, target = queries.locked_pair(question_id, into_id)
    moderation.merge_questions(source, target, actor=actor)
    return {
        "question": presenters.question_dict(target, staff=True),
        "merged": presenters.question_dict(source, staff=True),
    }


def ban_participant(*, actor, **target) -> dict:
    session_id, participant_id = moderation.ban_target(actor, **target)
    moderation.ban_participant(session_id, participant_id, actor=actor)
    return presenters.ban_dict(session_id, target.get("question_id"), banned=True)


def unban_participant(*, actor, **target) -> dict:
    session_id, participant_id = moderation.ban_target(actor, **target)
    moderation.unban_participant(session_id, participant_id, actor=actor)
    return presenters.ban_dict(session_id, target.get("question_id"), banned=False)


def carry_forward(session_id, target_session_id, *, actor) -> dict:
    source = programme.get_session(session_id)
    target = programme.get_session(target_session_id)
    return presenters.carried_dict(
        source, target, carrying.carry_forward(source, target, actor=actor)
    )


def ask(attendee, session, text, **extra) -> dict:
    data = parse(
        SubmitIn,
        {"session_id": session.id, "client_id": uuid.uuid4().hex, "text": text, **extra},
    )
    question = submit_question(data, actor=attendee.actor)["question"]
    db.session.commit()
    return question


def settings(moderator, session, **values) -> dict:
    data = parse(SettingsIn, {"session_id": session.id, **values})
    answer = update_settings(data, actor=moderator)
    db.session.commit()
    return answer["settings"]


def moderate(moderator, question_id, action, reply=None) -> dict:
    answer = moderate_question(question_id, action, actor=moderator, reply=reply)
    db.session.commit()
    return answer["question"]


def refused(error, fn, *args, **kwargs):
    """Assert ``fn`` raises ``error`` and that no Q&A row nor broadcast changed."""
    before = counts()
    with pytest.raises(error):
        fn(*args, **kwargs)
    db.session.rollback()
    assert counts() == before


def visible_ids(session, actor) -> list[int]:
    return [q["id"] for q in questions_seen_by(session, actor)]


# ---------------------------------------------------------------- asking


def test_text_is_stored_exactly_as_typed_less_surrounding_spaces(join, first_session):
    lea = join(first_session.id, "Léa")
    typed = "  <b>Comment</b> financer\n  un « tiers-lieu » ?\t& <script>x</script>  "
    question = ask(lea, first_session, typed)
    stored = db.session.get(Question, question["id"])
    assert stored.text == typed.strip()
    assert question["text"] == typed.strip()
    assert question["author"] == "Léa"
    assert question["state"] == "approved"
    assert question["mine"] is True and question["voted"] is False


def test_anonymous_question_never_shows_its_author(join, first_session, moderator):
    lea = join(first_session.id, "Léa Secret")
    question = ask(lea, first_session, "Une question gênante ?", anonymous=True)
    assert question["author"] is None
    for actor in (moderator, join(first_session.id).actor, lea.actor):
        (shown,) = questions_seen_by(first_session, actor)
        assert shown["author"] is None
        assert "Léa Secret" not in repr(shown)
        assert "participant_id" not in shown


def test_length_limits_and_nul_are_refused(join, moderator, first_session):
    lea = join(first_session.id)
    refused(Invalid, ask, lea, first_session, "x" * 501)
    assert ask(lea, first_session, "y" * 500)["text"] == "y" * 500
    settings(moderator, first_session, question_max_length=40)
    refused(Invalid, ask, lea, first_session, "z" * 41)
    refused(Invalid, ask, lea, first_session, "a\x00b")
    with pytest.raises(Invalid):
        parse(SubmitIn, {"session_id": first_session.id, "client_id": "c", "text": "   "})


def test_question_attaches_to_the_current_item_or_the_one_chosen(
    join, moderator, first_session, event
):
    lea = join(first_session.id)
    assert ask(lea, first_session, "Avant le début ?")["agenda_item_id"] is None
    current, chosen = first_session.agenda[1], first_session.agenda[3]
    programme.advance_agenda(first_session, current, actor=moderator)
    db.session.commit()
    assert ask(lea, first_session, "Sur ce témoignage ?")["agenda_item_id"] == current.id
    speaker = chosen.speakers[0]
    question = ask(
        lea, first_session, "À l'intervenante ?", agenda_item_id=chosen.id, speaker_id=speaker.id
    )
    assert question["agenda_item_id"] == chosen.id
    assert (question["speaker_id"], question["speaker_name"]) == (speaker.id, speaker.name)
    other_item = event.sessions[1].agenda[0]
    refused(NotFound, ask, lea, first_session, "Ailleurs ?", agenda_item_id=other_item.id)
    refused(NotFound, ask, lea, first_session, "Qui ?", speaker_id=999_999)


def test_premoderation_shows_pending_questions_to_moderators_and_author_only(
    join, moderator, first_session
):
    settings(moderator, first_session, premoderation=True)
    author, other = join(first_session.id), join(first_session.id)
    question = ask(author, first_session, "Attend-elle la modération ?")
    assert question["state"] == "pending"
    assert visible_ids(first_session, author.actor) == [question["id"]]
    assert visible_ids(first_session, other.actor) == []
    assert visible_ids(first_session, moderator) == [question["id"]]
    moderate(moderator, question["id"], "approve")
    assert visible_ids(first_session, other.actor) == [question["id"]]


def test_profanity_holds_a_question_for_moderation_without_dropping_it(
    join, moderator, first_session
):
    lea = join(first_session.id)
    clean = ask(lea, first_session, "Quel budget pour ce projet ?")
    held = ask(lea, first_session, "Quel putain de budget ?")
    english = ask(lea, first_session, "What the f*ck, and this sh1t?")
    assert clean["state"] == "approved"
    assert held["state"] == "pending"
    assert english["state"] == "pending"
    stored = db.session.get(Question, held["id"])
    assert (stored.held_reason, stored.text) == ("profanity", "Quel putain de budget ?")
    staff_view = {q["id"]: q for q in questions_seen_by(first_session, moderator)}
    assert staff_view[held["id"]]["held_reason"] == "profanity"
    assert "held_reason" not in questions_seen_by(first_session, lea.actor)[0]
    # The editable list: a word of the moderators' own; the built-in lists can be turned off.
    settings(moderator, first_session, profanity_words=["Brocoli", "brocoli"])
    assert ask(lea, first_session, "Et les BROCOLIS ?")["state"] == "pending"
    assert session_settings(first_session)["profanity_words"] == ["Brocoli"]
    settings(moderator, first_session, profanity_builtin=False)
    assert ask(lea, first_session, "Quel putain de budget, encore ?")["state"] == "approved"
    assert moderate(moderator, held["id"], "approve")["state"] == "approved"


def test_likely_duplicates_are_suggested_to_moderators_only(join, moderator, first_session):
    lea, max_ = join(first_session.id), join(first_session.id)
    first = ask(lea, first_session, "Comment financer un tiers-lieu en milieu rural ?")
    ask(lea, first_session, "Quel est le rôle des élus dans le projet ?")
    second = ask(max_, first_session, "Comment peut-on financer un tiers lieu en zone rurale ?")
    english = ask(max_, first_session, "How do you fund the project?")
    again = ask(lea, first_session, "How was the project funded?")
    staff_view = {q["id"]: q for q in questions_seen_by(first_session, moderator)}
    assert staff_view[second["id"]]["similar"] == [first["id"]]
    assert staff_view[again["id"]]["similar"] == [english["id"]]
    assert staff_view[first["id"]]["similar"] == []
    assert "similar" not in second
    assert all("similar" not in q for q in questions_seen_by(first_session, lea.actor))


def test_rate_limit_per_participant(app, join, moderator, first_session):
    app.config["COMPANION"].rate_limits_enabled = True
    settings(moderator, first_session, rate_per_minute=3)
    lea, max_ = join(first_session.id), join(first_session.id)
    for n in range(3):
        ask(lea, first_session, f"Question numéro {n} sur le sujet ?")
    refused(RateLimited, ask, lea, first_session, "Une de trop ?")
    assert ask(max_, first_session, "Et moi, je peux ?")["state"] == "approved"


def test_ban_stops_posting_for_the_rest_of_the_session(join, moderator, first_session):
    lea, max_ = join(first_session.id), join(first_session.id)
    question = ask(lea, first_session, "Question anonyme désagréable", anonymous=True)
    answer = ban_participant(actor=moderator, question_id=question["id"])
    db.session.commit()
    assert answer == {"session_id": first_session.id, "question_id": question["id"], "banned": True}
    refused(Forbidden, ask, lea, first_session, "Encore moi")
    assert ask(max_, first_session, "Moi je peux ?")["state"] == "approved"
    # Banning twice is harmless; unbanning lets the participant ask again.
    ban_participant(actor=moderator, session_id=first_session.id, participant_id=lea.actor.id)
    db.session.commit()
    staff_view = {q["id"]: q for q in questions_seen_by(first_session, moderator)}
    assert staff_view[question["id"]]["author_banned"] is True
    unban_participant(actor=moderator, question_id=question["id"])
    db.session.commit()
    assert ask(lea, first_session, "De retour")["state"] == "approved"


def test_ban_by_id_needs_a_participant_of_that_session(join, moderator, event):
    other = join(event.sessions[1].id)
    refused(
        NotFound,
        ban_participant,
        actor=moderator,
        session_id=event.sessions[0].id,
        participant_id=other.actor.id,
    )


def test_ended_session_closes_questions_and_votes(join, moderator, first_session):
    lea = join(first_session.id)
    question = ask(lea, first_session, "Juste avant la fin ?")
    programme.start_session(first_session, actor=moderator)
    programme.end_session(first_session, actor=moderator)
    db.session.commit()
    refused(Closed, ask, lea, first_session, "Trop tard ?")
    refused(Closed, upvote_question, question["id"], actor=lea.actor)


def test_staff_and_other_sessions_cannot_ask(join, moderator, event):
    first, second = event.sessions[0], event.sessions[1]
    outsider = join(second.id)
    refused(Forbidden, ask, outsider, first, "Je ne suis pas de cette session")

    class Staff:
        actor = moderator

    refused(Forbidden, ask, Staff, first, "Je suis modératrice")


# ---------------------------------------------------------------- voting


def test_upvotes_are_one_per_participant_and_withdrawable(join, first_session):
    author = join(first_session.id)
    voters = [join(first_session.id) for _ in range(4)]
    question = ask(author, first_session, "Combien de bénévoles ?")
    for voter in voters:
        answer = upvote_question(question["id"], actor=voter.actor)
        db.session.commit()
    assert answer == {
        "question_id": question["id"],
        "upvotes": 4,
        "votes_version": 4,
        "voted": True,
    }
    # A repeat answers ok with the current count and changes nothing.
    assert upvote_question(question["id"], actor=voters[0].actor)["upvotes"] == 4
    db.session.commit()
    assert unvote_question(question["id"], actor=voters[0].actor)["upvotes"] == 3
    db.session.commit()
    again = unvote_question(question["id"], actor=voters[0].actor)
    db.session.commit()
    assert again == {
        "question_id": question["id"],
        "upvotes": 3,
        "votes_version": 5,
        "voted": False,
    }
    assert state_of(question["id"])["upvotes"] == 3
    assert len(db.session.scalars(select(QuestionVote)).all()) == 3
    shown = {q["id"]: q for q in questions_seen_by(first_session, voters[1].actor)}
    assert shown[question["id"]]["voted"] is True
    shown = {q["id"]: q for q in questions_seen_by(first_session, voters[0].actor)}
    assert shown[question["id"]]["voted"] is False


def test_only_live_questions_take_votes(join, moderator, first_session):
    settings(moderator, first_session, premoderation=True)
    author, voter = join(first_session.id), join(first_session.id)
    question = ask(author, first_session, "En attente ?")
    refused(Closed, upvote_question, question["id"], actor=author.actor)
    moderate(moderator, question["id"], "approve")
    upvote_question(question["id"], actor=voter.actor)
    db.session.commit()
    moderate(moderator, question["id"], "answer")
    refused(Closed, unvote_question, question["id"], actor=voter.actor)
    assert state_of(question["id"])["upvotes"] == 1


def test_votes_are_broadcast_coalesced_without_raising_seq(app, join, first_session, monkeypatch):
    from companion.realtime import hub
    from companion.realtime.coalesce import coalescer

    sent = []
    monkeypatch.setattr(hub.socketio, "emit", lambda event, data, to: sent.append((event, data)))
    question = ask(join(first_session.id), first_session, "Une question populaire ?")
    seq = programme.get_session(first_session.id).seq
    coalescer.flush()
    sent.clear()
    for _ in range(5):
        upvote_question(question["id"], actor=join(first_session.id).actor)
        db.session.commit()
    coalescer.flush()
    key = str(question["id"])
    assert sent == [("question.votes", {"seq": seq, "votes": {key: 5}, "versions": {key: 5}})]
    db.session.expire_all()
    assert programme.get_session(first_session.id).seq == seq


# ---------------------------------------------------------------- moderating


def test_moderation_lifecycle(join, moderator, first_session):
    lea = join(first_session.id)
    q = ask(lea, first_session, "Comment mesurer l'impact social ?")["id"]
    assert moderate(moderator, q, "pin")["pinned"] is True
    assert moderate(moderator, q, "unpin")["pinned"] is False
    answered = moderate(moderator, q, "answer", reply="Avec des indicateurs co-construits.")
    assert (answered["state"], answered["reply"], answered["answered_live"]) == (
        "answered",
        "Avec des indicateurs co-construits.",
        False,
    )
    assert moderate(moderator, q, "reopen")["state"] == "approved"
    live = moderate(moderator, q, "answer")
    assert (live["state"], live["answered_live"]) == ("answered", True)
    assert moderate(moderator, q, "archive")["state"] == "archived"
    assert moderate(moderator, q, "reopen")["state"] == "approved"
    assert moderate(moderator, q, "reject")["state"] == "rejected"
    assert moderate(moderator, q, "approve")["state"] == "approved"


@pytest.mark.parametrize(
    ("setup", "action"),
    [
        ([], "approve"),
        ([], "unpin"),
        ([], "reopen"),
        (["pin"], "pin"),
        (["reject"], "pin"),
        (["reject"], "answer"),
        (["answer"], "reject"),
        (["archive"], "archive"),
    ],
)
def test_actions_that_do_not_apply_are_conflicts(join, moderator, first_session, setup, action):
    q = ask(join(first_session.id), first_session, "Une question ?")["id"]
    for step in setup:
        moderate(moderator, q, step)
    before = state_of(q)
    refused(Conflict, moderate_question, q, action, actor=moderator)
    assert state_of(q) == before


def test_reply_goes_with_answer_only(join, moderator, first_session):
    q = ask(join(first_session.id), first_session, "Une question ?")["id"]
    refused(Invalid, moderate_question, q, "approve", actor=moderator, reply="Non")


def test_pinning_one_question_unpins_the_other(join, moderator, first_session):
    lea = join(first_session.id)
    a = ask(lea, first_session, "Première question ?")["id"]
    b = ask(lea, first_session, "Deuxième question ?")["id"]
    moderate(moderator, a, "pin")
    moderate(moderator, b, "pin")
    assert (state_of(a)["pinned"], state_of(b)["pinned"]) == (False, True)


def test_edit_keeps_the_original_in_the_history(join, moderator, first_session):
    lea = join(first_session.id)
    q = ask(lea, first_session, "Comment financé le projet ?")["id"]
    edited = edit_question(q, "Comment le projet est-il financé ?", actor=moderator)
    db.session.commit()
    assert edited["question"]["edited"] is True
    edit_question(q, "Comment ce projet est-il financé ?", actor=moderator)
    db.session.commit()
    history = question_history(q, actor=moderator)["edits"]
    assert [(e["old_text"], e["new_text"]) for e in history] == [
        ("Comment financé le projet ?", "Comment le projet est-il financé ?"),
        ("Comment le projet est-il financé ?", "Comment ce projet est-il financé ?"),
    ]
    assert state_of(q)["text"] == "Comment ce projet est-il financé ?"
    refused(Invalid, edit_question, q, "x" * 501, actor=moderator)
    refused(Forbidden, question_history, q, actor=lea.actor)


def test_merge_counts_each_voter_once(join, moderator, first_session):
    lea = join(first_session.id)
    a = ask(lea, first_session, "Comment financer un tiers-lieu ?")["id"]
    b = ask(lea, first_session, "Quel financement pour un tiers-lieu ?")["id"]
    voters = [join(first_session.id) for _ in range(5)]
    # a: voters 0,1,2 — b: voters 1,2,3,4 — distinct voters: 5
    for voter in voters[:3]:
        upvote_question(a, actor=voter.actor)
    for voter in voters[1:]:
        upvote_question(b, actor=voter.actor)
    db.session.commit()
    answer = merge_questions(b, a, actor=moderator)
    db.session.commit()
    assert answer["question"]["upvotes"] == 5
    assert answer["merged"]["state"] == "archived"
    assert answer["merged"]["merged_into_id"] == a
    voters_of_a = set(
        db.session.scalars(select(QuestionVote.participant_id).where(QuestionVote.question_id == a))
    )
    assert voters_of_a == {v.actor.id for v in voters}
    assert db.session.scalars(select(QuestionVote).where(QuestionVote.question_id == b)).all() == []
    assert state_of(a)["upvotes"] == 5
    # Votes stay exact after the merge: a voter who had voted twice withdraws once.
    assert unvote_question(a, actor=voters[1].actor)["upvotes"] == 4
    db.session.commit()
    refused(Conflict, merge_questions, b, a, actor=moderator)
    refused(Invalid, merge_questions, a, a, actor=moderator)


def test_merge_refuses_questions_of_two_sessions(join, moderator, event):
    a = ask(join(event.sessions[0].id), event.sessions[0], "Ici ?")["id"]
    b = ask(join(event.sessions[1].id), event.sessions[1], "Là-bas ?")["id"]
    refused(Invalid, merge_questions, a, b, actor=moderator)


# ---------------------------------------------------------------- carrying forward


def test_carry_forward_moves_unanswered_questions_with_their_votes(join, moderator, event):
    source, target = event.sessions[0], event.sessions[2]
    lea = join(source.id, "Léa")
    live = ask(lea, source, "Comment essaimer le projet ?")["id"]
    anonymous = ask(lea, source, "Question anonyme ?", anonymous=True)["id"]
    done = ask(lea, source, "Déjà répondue ?")["id"]
    for _ in range(3):
        upvote_question(live, actor=join(source.id).actor)
    db.session.commit()
    moderate(moderator, done, "answer")
    answer = carry_forward(source.id, target.id, actor=moderator)
    db.session.commit()
    assert answer["moved"] == 2
    copies = {
        q["carried_from"]["question_id"]: q
        for q in questions_seen_by(target, join(target.id).actor)
    }
    assert set(copies) == {live, anonymous}
    assert copies[live]["upvotes"] == 3
    assert copies[live]["carried_from"] == {
        "session_id": source.id,
        "session_title": source.title,
        "question_id": live,
        "votes": 3,
    }
    assert copies[live]["author"] == "Léa"
    assert copies[anonymous]["author"] is None
    assert state_of(live)["state"] == "archived"
    assert state_of(done)["state"] == "answered"
    # Upvotes in the target session add to the carried ones, exactly.
    copy_id = copies[live]["id"]
    assert upvote_question(copy_id, actor=join(target.id).actor)["upvotes"] == 4
    db.session.commit()
    assert carry_forward(source.id, target.id, actor=moderator)["moved"] == 0


def test_carry_forward_goes_to_a_later_session_of_the_same_event(join, moderator, event):
    ask(join(event.sessions[1].id), event.sessions[1], "Une question ?")
    refused(Invalid, carry_forward, event.sessions[1].id, event.sessions[0].id, actor=moderator)
    refused(Invalid, carry_forward, event.sessions[1].id, event.sessions[1].id, actor=moderator)
    refused(
        Forbidden,
        carry_forward,
        event.sessions[1].id,
        event.sessions[2].id,
        actor=join(event.sessions[1].id).actor,
    )


def test_settings_are_for_moderators(join, moderator, first_session):
    lea = join(first_session.id)
    before = dict(first_session.settings or {})
    with pytest.raises(Forbidden):
        update_settings(
            parse(SettingsIn, {"session_id": first_session.id, "premoderation": True}),
            actor=lea.actor,
        )
    db.session.rollback()
    db.session.expire_all()
    assert dict(programme.get_session(first_session.id).settings or {}) == before
    public = settings_for(first_session, lea.actor)
    assert "profanity_words" not in public and public["premoderation"] is False

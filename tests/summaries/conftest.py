"""A seed session scripted over the contract: polls, questions, handovers, carried questions.

Everything goes through the public paths a real session uses — registration and join over
HTTP, every action as a Socket.IO event — so the summary is tested on data made the way the
application makes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from companion.extensions import db
from companion.realtime.coalesce import coalescer

#: The attendee who only ever contributes anonymously: her name and email must appear nowhere.
SECRET_NAME = "Zoé Incognito"
ANONYMOUS_QUESTION = "Comment financer une expérimentation sans subvention publique ?"
SIGNED_QUESTION = "Quelle place donner aux habitants dans la gouvernance de l'expérimentation ?"
OPEN_ANSWER_SECRET = "Le cadrage préalable avec les élus m'a manqué."


@dataclass
class Scripted:
    """What the script did, for the tests to look up."""

    session: object
    next_session: object
    moderator: object
    attendees: dict = field(default_factory=dict)
    emails: dict = field(default_factory=dict)
    registrations: dict = field(default_factory=dict)
    polls: dict = field(default_factory=dict)
    questions: dict = field(default_factory=dict)


def _vote(client, poll_id, answer, tag):
    client.ok(
        "poll.vote", {"poll_id": poll_id, "client_id": f"v-{poll_id}-{tag}", "answer": answer}
    )


def _ask(client, sid, text, tag, anonymous=False):
    data = client.ok(
        "question.submit",
        {"session_id": sid, "client_id": f"q-{tag}", "text": text, "anonymous": anonymous},
    )
    return data["question"]["id"]


@pytest.fixture
def scripted(event, people, connect, moderator_token) -> Scripted:
    """The seed's first session, run from start to end with every kind of contribution."""
    coalescer.flush()
    session, next_session = event.sessions[0], event.sessions[1]
    sid = session.id
    moderator = connect(moderator_token)
    moderator.ok("session.join", {"session_id": sid})
    moderator.ok("session.start", {"session_id": sid})
    script = Scripted(session=session, next_session=next_session, moderator=moderator)

    names = ["Léa Dupont", "Marc Lefèvre", SECRET_NAME, "Inès Martin", "Paul Girard"]
    for name in names:
        registration = people.register([sid, next_session.id], name=name)
        joined = people.http.post(
            f"/api/v1/sessions/{sid}/join", json={"registration_token": registration["token"]}
        ).get_json()
        client = connect(joined["token"])
        client.ok("session.join", {"session_id": sid})
        script.attendees[name] = client
        script.emails[name] = f"attendee{people.count}@example.org"
        script.registrations[name] = registration["token"]
    # One more person registers for the session but never comes.
    people.register([sid], name="Absent Person")
    coalescer.flush()  # presence: the peak is kept
    lea, marc, secret, ines, paul = (script.attendees[n] for n in names)

    # The opening: the programme speaker of item 0, then item 1 with its speaker.
    items = session.agenda
    for index in (0, 1):
        moderator.ok("agenda.advance", {"session_id": sid, "agenda_item_id": items[index].id})
        speaker = items[index].speakers[0]
        moderator.ok("floor.give", {"session_id": sid, "speaker_id": speaker.id})
        moderator.ok("floor.end", {"session_id": sid})

    # Polls prepared in the programme (drafts) and made live.
    drafts = {
        p["kind"]: p for p in moderator.ok("session.join", {"session_id": sid})["snapshot"]["polls"]
    }
    single, cloud, rating, opened = (drafts[k] for k in ("single", "wordcloud", "rating", "open"))
    for poll in (single, cloud, rating, opened):
        moderator.ok("poll.open", {"poll_id": poll["id"]})
    script.polls.update(single=single, wordcloud=cloud, rating=rating, open=opened)
    option = [o["id"] for o in single["options"]]
    for client, choice, tag in ((lea, 0, "l"), (marc, 1, "m"), (secret, 1, "s"), (ines, 3, "i")):
        _vote(client, single["id"], {"option_id": option[choice]}, tag)
    _vote(lea, single["id"], {"option_id": option[2]}, "l2")  # a changed ballot counts once
    for client, words, tag in (
        (lea, ["apprendre", "tester"], "l"),
        (marc, ["Tester"], "m"),
        (secret, ["risque", "tester"], "s"),
    ):
        _vote(client, cloud["id"], {"words": words}, tag)
    for client, value, tag in ((lea, 5, "l"), (marc, 4, "m"), (secret, 2, "s"), (paul, 4, "p")):
        _vote(client, rating["id"], {"value": value}, tag)
    for client, text, tag in (
        (lea, "Les témoignages concrets, très utiles.", "l"),
        (secret, OPEN_ANSWER_SECRET, "s"),
        (marc, "Plus de temps pour les échanges.", "m"),
    ):
        _vote(client, opened["id"], {"text": text}, tag)
    answers = moderator.ok("poll.answers", {"poll_id": opened["id"]})["answers"]
    for answer in answers:
        if answer["text"] != "Plus de temps pour les échanges.":
            moderator.ok(
                "poll.moderate_answer",
                {"poll_id": opened["id"], "answer_id": answer["id"], "action": "approve"},
            )

    # Polls created live: a named quiz, a multiple choice, a ranking.
    quiz = moderator.ok(
        "poll.create",
        {
            "session_id": sid,
            "kind": "quiz",
            "question": "Quand penser l'évaluation ?",
            "options": ["À la fin", "Dès le cadrage", "Jamais"],
            "settings": {"correct_option": 1, "anonymous": False},
        },
    )["poll"]
    multiple = moderator.ok(
        "poll.create",
        {
            "session_id": sid,
            "kind": "multiple",
            "question": "Quels freins rencontrez-vous ?",
            "options": ["Financement", "Partenaires", "Temps", "Habitants"],
            "settings": {"max_choices": 2},
        },
    )["poll"]
    ranking = moderator.ok(
        "poll.create",
        {
            "session_id": sid,
            "kind": "ranking",
            "question": "Classez les préalables",
            "options": ["Cadrage", "Partenaires", "Évaluation"],
        },
    )["poll"]
    for poll in (quiz, multiple, ranking):
        moderator.ok("poll.open", {"poll_id": poll["id"]})
    q_opt = [o["id"] for o in quiz["options"]]
    _vote(lea, quiz["id"], {"option_id": q_opt[1]}, "l")
    _vote(marc, quiz["id"], {"option_id": q_opt[0]}, "m")
    m_opt = [o["id"] for o in multiple["options"]]
    _vote(lea, multiple["id"], {"option_ids": [m_opt[0], m_opt[2]]}, "l")
    _vote(secret, multiple["id"], {"option_ids": [m_opt[0]]}, "s")
    _vote(ines, multiple["id"], {"option_ids": [m_opt[3], m_opt[0]]}, "i")
    r_opt = [o["id"] for o in ranking["options"]]
    _vote(paul, ranking["id"], {"option_ids": [r_opt[2], r_opt[0], r_opt[1]]}, "p")
    _vote(lea, ranking["id"], {"option_ids": r_opt}, "l")
    for poll in (single, cloud, rating, opened, quiz, multiple, ranking):
        moderator.ok("poll.close", {"poll_id": poll["id"]})
    script.polls.update(quiz=quiz, multiple=multiple, ranking=ranking)
    coalescer.flush()

    # Questions: anonymous and signed; answered with a reply and live; moderated out; merged;
    # edited; left unanswered; held for moderation; carried forward.
    moderator.ok("agenda.advance", {"session_id": sid, "agenda_item_id": items[8].id})
    q = script.questions
    q["anonymous"] = _ask(secret, sid, ANONYMOUS_QUESTION, "s1", anonymous=True)
    q["signed"] = _ask(lea, sid, SIGNED_QUESTION, "l1")
    q["live"] = _ask(marc, sid, "Combien de temps dure en général une expérimentation ?", "m1")
    q["rejected"] = _ask(ines, sid, "Question hors sujet sur le parking.", "i1")
    q["duplicate"] = _ask(paul, sid, "Comment financer une expérimentation ?", "p1")
    q["edited"] = _ask(
        marc, sid, "Faut-il un comité de pilotage dédié ? Mon numéro : 06 12 34 56 78", "m2"
    )
    q["archived"] = _ask(paul, sid, "Merci pour cette présentation !", "p2")
    q["carried"] = _ask(ines, sid, "Comment évaluer l'impact social d'une expérimentation ?", "i2")
    for voter in (lea, marc, ines, paul):
        voter.ok("question.upvote", {"question_id": q["anonymous"]})
    for voter in (marc, secret):
        voter.ok("question.upvote", {"question_id": q["signed"]})
    for voter in (lea, secret, marc):
        voter.ok("question.upvote", {"question_id": q["carried"]})
    lea.ok("question.upvote", {"question_id": q["duplicate"]})
    marc.ok("question.upvote", {"question_id": q["duplicate"]})
    marc.ok("question.unvote", {"question_id": q["duplicate"]})
    moderator.ok(
        "question.moderate",
        {
            "question_id": q["anonymous"],
            "action": "answer",
            "reply": "Plusieurs fondations financent l'amorçage ; voir le guide en annexe.",
        },
    )
    moderator.ok("question.moderate", {"question_id": q["live"], "action": "answer"})
    moderator.ok("question.moderate", {"question_id": q["rejected"], "action": "reject"})
    moderator.ok("question.merge", {"question_id": q["duplicate"], "into_id": q["anonymous"]})
    moderator.ok(
        "question.edit",
        {"question_id": q["edited"], "text": "Faut-il un comité de pilotage dédié ?"},
    )
    moderator.ok("question.moderate", {"question_id": q["archived"], "action": "archive"})
    moderator.ok("question.settings", {"session_id": sid, "premoderation": True})
    q["pending"] = _ask(paul, sid, "Et les collectivités rurales ?", "p3")

    # The floor from the room: one attendee speaks, another withdraws her hand.
    request = marc.ok(
        "floor.request", {"session_id": sid, "client_id": "f-m", "kind": "contribution"}
    )["request_id"]
    withdrawn = ines.ok(
        "floor.request", {"session_id": sid, "client_id": "f-i", "kind": "question"}
    )["request_id"]
    ines.ok("floor.withdraw", {"request_id": withdrawn})
    moderator.ok("floor.give", {"session_id": sid, "request_id": request})
    moderator.ok("floor.end", {"session_id": sid})

    # Carry the unanswered questions to the next session; one more stays unanswered; end.
    moderator.ok(
        "question.carry_forward", {"session_id": sid, "target_session_id": next_session.id}
    )
    moderator.ok("question.settings", {"session_id": sid, "premoderation": False})
    q["left"] = _ask(lea, sid, "Peut-on expérimenter sans droit à l'erreur ?", "l2")
    paul.ok("question.upvote", {"question_id": q["left"]})
    moderator.ok("session.end", {"session_id": sid})
    coalescer.flush()
    db.session.expire_all()
    return script


@pytest.fixture
def one_item(event, people, connect, moderator_token):
    """The first session, run with a single agenda item: its programme speaker spoke, one
    registered person came; then it ended."""
    coalescer.flush()
    session = event.sessions[0]
    sid = session.id
    registration = people.register([sid], name="Léa Dupont")
    joined = people.http.post(
        f"/api/v1/sessions/{sid}/join", json={"registration_token": registration["token"]}
    ).get_json()
    connect(joined["token"]).ok("session.join", {"session_id": sid})
    moderator = connect(moderator_token)
    moderator.ok("session.join", {"session_id": sid})
    moderator.ok("session.start", {"session_id": sid})
    item = session.agenda[0]
    moderator.ok("agenda.advance", {"session_id": sid, "agenda_item_id": item.id})
    moderator.ok("floor.give", {"session_id": sid, "speaker_id": item.speakers[0].id})
    moderator.ok("floor.end", {"session_id": sid})
    moderator.ok("session.end", {"session_id": sid})
    coalescer.flush()
    db.session.expire_all()
    return session

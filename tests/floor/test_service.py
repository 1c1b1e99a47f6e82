"""The floor's state machine: handovers, timers, queue order, the handover log."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from companion.core.actors import SPEAKER, Actor
from companion.core.errors import Closed, Conflict, Forbidden
from companion.extensions import db
from companion.floor import handover, presenters, queries, queue, report, settings, timers
from companion.floor import lifecycle as floor_lifecycle
from companion.floor.models import FloorRequest
from companion.participants.tokens import actor_from_token
from companion.programme import lifecycle
from companion.programme import service as programme
from companion.realtime.models import SessionBroadcast

from .conftest import T0, at


def _state(session) -> list[tuple]:
    """Every request's state and the session's seq: what a refused change must leave alone."""
    db.session.expire_all()
    rows = db.session.execute(
        select(
            FloorRequest.id,
            FloorRequest.kind,
            FloorRequest.sort_key,
            FloorRequest.began_at,
            FloorRequest.ended_at,
            FloorRequest.withdrawn_at,
            FloorRequest.removed_at,
            FloorRequest.paused_at,
            FloorRequest.paused_total_s,
        ).order_by(FloorRequest.id)
    ).all()
    seq = programme.get_session(session.id).seq
    return [tuple(r) for r in rows] + [("seq", seq)]


def _speaking_count(session) -> int:
    return db.session.scalar(
        select(func.count()).where(
            FloorRequest.session_id == session.id,
            FloorRequest.began_at.is_not(None),
            FloorRequest.ended_at.is_(None),
        )
    )


def _queue(session) -> list[str]:
    return [e["name"] for e in presenters.floor_dict(session)["queue"]]


def _raise(room, name, kind="contribution", now=None):
    request = queue.request_floor(room.session, kind, actor=room.attendee(name), now=now)
    db.session.commit()
    return request


# ---------------------------------------------------------------- handovers


def test_advancing_to_a_testimony_brings_up_its_speaker_with_the_item_time(room):
    room.advance(3)  # the first testimony: 15 minutes, Véronique Sybelin
    floor = presenters.floor_dict(room.session)
    assert floor["agenda_item_id"] == room.item(3).id
    assert [(p["name"], p["organisation"], p["allotted_s"]) for p in floor["planned"]] == [
        ("Véronique Sybelin", "ARCHE Agglo", 900)
    ]
    request = handover.next_speaker(room.session, actor=room.moderator, now=at(0))
    db.session.commit()
    floor = presenters.floor_dict(room.session, now=at(100))
    assert floor["current"]["request_id"] == request.id
    assert floor["current"]["name"] == "Véronique Sybelin"
    assert floor["current"]["kind"] == "planned"
    assert floor["current"]["allotted_s"] == 900
    assert floor["current"]["elapsed_s"] == 100
    assert floor["current"]["remaining_s"] == 800
    assert floor["planned"] == []


def test_an_item_with_two_speakers_shares_its_time_and_keeps_their_order(room):
    room.advance(9)  # 10 minutes, Pascale Vincent then Mylène Thou
    first = handover.next_speaker(room.session, actor=room.moderator, now=at(0))
    second = handover.next_speaker(room.session, actor=room.moderator, now=at(290))
    db.session.commit()
    assert (first.speaker.name, first.allotted_s) == ("Pascale Vincent", 300)
    assert (second.speaker.name, second.allotted_s) == ("Mylène Thou", 300)
    assert first.ended_at == at(290)
    with pytest.raises(Conflict):
        handover.next_speaker(room.session, actor=room.moderator, now=at(600))


def test_the_queue_goes_before_the_planned_speakers(room):
    room.advance(3)
    _raise(room, "Léa")
    request = handover.next_speaker(room.session, actor=room.moderator, now=at(0))
    assert request.participant.display_name == "Léa"
    assert request.allotted_s == 180
    assert handover.next_speaker(room.session, actor=room.moderator).speaker.name == (
        "Véronique Sybelin"
    )


def test_the_floor_cannot_be_given_twice_at_once(room):
    room.advance(3)
    lea = _raise(room, "Léa")
    marc = _raise(room, "Marc")
    handover.give_floor(room.session, request=lea, actor=room.moderator, now=at(0))
    db.session.commit()
    before = _state(room.session)
    with pytest.raises(Conflict):
        handover.give_floor(room.session, request=lea, actor=room.moderator, now=at(5))
    db.session.rollback()
    assert _state(room.session) == before

    # Giving it to someone else is a handover: one speech ends as the other begins.
    handover.give_floor(room.session, request=marc, actor=room.moderator, now=at(10))
    db.session.commit()
    db.session.expire_all()
    assert lea.ended_at == at(10) and marc.began_at == at(10) and marc.ended_at is None
    assert _speaking_count(room.session) == 1


def test_the_database_refuses_a_second_speaker(room):
    lea = _raise(room, "Léa")
    marc = _raise(room, "Marc")
    handover.give_floor(room.session, request=lea, actor=room.moderator, now=at(0))
    db.session.commit()
    marc.began_at = at(1)  # bypassing the service, as a buggy change would
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    assert _speaking_count(room.session) == 1


def test_concurrent_handovers_leave_one_speaker(app, room):
    requests = [_raise(room, name).id for name in ("Léa", "Marc", "Zoé", "Yann")]
    session_id = room.session.id
    barrier = threading.Barrier(len(requests))
    outcomes: list[str] = []

    def give(request_id):
        with app.app_context():
            session = programme.get_session(session_id)
            request = queries.get_request(request_id)
            barrier.wait()
            try:
                handover.give_floor(session, request=request, actor=room.moderator)
                db.session.commit()
                outcomes.append("ok")
            except Exception as error:  # SQLite may refuse a concurrent writer outright
                db.session.rollback()
                outcomes.append(type(error).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=give, args=(rid,)) for rid in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    db.session.expire_all()
    assert _speaking_count(room.session) == 1
    if db.engine.dialect.name == "postgresql":
        assert outcomes == ["ok"] * len(requests)  # served one after the other
    began = db.session.scalars(select(FloorRequest).where(FloorRequest.began_at.is_not(None))).all()
    assert len(began) == outcomes.count("ok")
    assert sum(r.ended_at is None for r in began) == 1


def test_ending_when_nobody_speaks_is_a_conflict(room):
    _raise(room, "Léa")
    before = _state(room.session)
    for change in (handover.end_speech, timers.pause_speech, timers.resume_speech):
        with pytest.raises(Conflict):
            change(room.session, actor=room.moderator)
        db.session.rollback()
    assert _state(room.session) == before


def test_next_with_nobody_waiting_and_no_planned_speaker_is_a_conflict(room):
    room.advance(8)  # the open discussion has no programme speaker
    before = _state(room.session)
    with pytest.raises(Conflict):
        handover.next_speaker(room.session, actor=room.moderator)
    db.session.rollback()
    assert _state(room.session) == before


# ---------------------------------------------------------------- timers


def test_pause_and_resume_arithmetic(room):
    lea = _raise(room, "Léa", "question")
    handover.give_floor(room.session, request=lea, actor=room.moderator, now=at(0))
    timers.pause_speech(room.session, actor=room.moderator, now=at(30))
    db.session.commit()

    paused = presenters.floor_dict(room.session, now=at(45))["current"]
    assert paused["paused"] is True
    assert paused["paused_at"] == presenters.stamp(at(30))
    assert paused["elapsed_s"] == 30  # the clock stands still during a pause
    assert paused["remaining_s"] == 60  # a question: 90 s

    with pytest.raises(Conflict):
        timers.pause_speech(room.session, actor=room.moderator, now=at(40))
    db.session.rollback()

    timers.resume_speech(room.session, actor=room.moderator, now=at(50))
    db.session.commit()
    running = presenters.floor_dict(room.session, now=at(80))["current"]
    assert running["paused"] is False
    assert running["paused_total_s"] == 20
    assert running["elapsed_s"] == 60
    assert running["began_at"] == presenters.stamp(T0)

    with pytest.raises(Conflict):
        timers.resume_speech(room.session, actor=room.moderator, now=at(85))
    db.session.rollback()

    # Ending during a pause closes it: the pause is not spoken time.
    timers.pause_speech(room.session, actor=room.moderator, now=at(90))
    handover.end_speech(room.session, actor=room.moderator, now=at(100))
    db.session.commit()
    (entry,) = report.handover_log(room.session)
    assert entry["spoken_s"] == 70
    assert entry["paused_s"] == 30
    assert entry["planned_s"] == 90
    assert entry["overrun_s"] == 0
    assert [(p["paused_at"], p["resumed_at"]) for p in entry["pauses"]] == [
        (at(30), at(50)),
        (at(90), at(100)),
    ]


def test_overrun_is_counted_and_a_short_speech_gets_a_short_warning(room):
    lea = _raise(room, "Léa", "point_of_order")
    handover.give_floor(room.session, request=lea, actor=room.moderator, now=at(0))
    db.session.commit()
    current = presenters.floor_dict(room.session, now=at(75))["current"]
    assert current["allotted_s"] == 60
    assert current["remaining_s"] == -15
    assert current["warning_s"] == 30  # never more than half the speech
    handover.end_speech(room.session, actor=room.moderator, now=at(75))
    db.session.commit()
    assert report.handover_log(room.session)[0]["overrun_s"] == 15


def test_speaking_times_follow_the_settings(room):
    settings.change_settings(
        room.session, actor=room.moderator, times={"question": 45}, warning_s=20
    )
    db.session.commit()
    lea = _raise(room, "Léa", "question")
    handover.give_floor(room.session, request=lea, actor=room.moderator)
    db.session.commit()
    floor = presenters.floor_dict(room.session)
    assert floor["times"] == {"contribution": 180, "question": 45, "point_of_order": 60}
    assert floor["current"]["allotted_s"] == 45
    assert floor["warning_s"] == 20


# ---------------------------------------------------------------- the queue


def test_a_point_of_order_goes_ahead_of_everything_else(room):
    room.advance(3)
    _raise(room, "Léa", "contribution")
    _raise(room, "Marc", "question")
    _raise(room, "Zoé", "point_of_order")
    _raise(room, "Yann", "point_of_order")
    assert _queue(room.session) == ["Zoé", "Yann", "Léa", "Marc"]
    assert [e["position"] for e in presenters.floor_dict(room.session)["queue"]] == [1, 2, 3, 4]
    first = handover.next_speaker(room.session, actor=room.moderator)
    assert (first.participant.display_name, first.allotted_s) == ("Zoé", 60)


def test_fairness_puts_those_who_have_not_spoken_first(room):
    lea = _raise(room, "Léa")
    handover.give_floor(room.session, request=lea, actor=room.moderator, now=at(0))
    handover.end_speech(room.session, actor=room.moderator, now=at(60))
    db.session.commit()
    _raise(room, "Léa")  # has spoken
    _raise(room, "Marc")  # has not
    assert _queue(room.session) == ["Léa", "Marc"]  # fairness is off by default

    settings.change_settings(room.session, actor=room.moderator, fairness=True)
    db.session.commit()
    assert _queue(room.session) == ["Marc", "Léa"]  # turning it on re-sorts the queue
    _raise(room, "Zoé")  # a newcomer: after Marc, before Léa
    _raise(room, "Yann", "point_of_order")  # still ahead of everything
    assert _queue(room.session) == ["Yann", "Marc", "Zoé", "Léa"]
    assert [e["has_spoken"] for e in presenters.floor_dict(room.session)["queue"]] == [
        False,
        False,
        False,
        True,
    ]


def test_a_withdrawn_request_never_gets_the_floor(room):
    room.advance(8)
    lea = _raise(room, "Léa")
    marc = _raise(room, "Marc")
    queue.withdraw_request(lea, actor=room.attendee("Léa"))
    db.session.commit()
    assert _queue(room.session) == ["Marc"]
    before = _state(room.session)
    with pytest.raises(Conflict):
        handover.give_floor(room.session, request=lea, actor=room.moderator)
    db.session.rollback()
    assert _state(room.session) == before
    assert handover.next_speaker(room.session, actor=room.moderator).id == marc.id
    with pytest.raises(Conflict):  # Léa is not pulled in once the queue is empty
        handover.next_speaker(room.session, actor=room.moderator)
    db.session.rollback()
    db.session.expire_all()
    assert lea.began_at is None and lea.withdrawn_at is not None


def test_a_removed_request_never_gets_the_floor(room):
    lea = _raise(room, "Léa")
    queue.withdraw_request(lea, actor=room.moderator)
    db.session.commit()
    assert lea.removed_at is not None and lea.withdrawn_at is None
    with pytest.raises(Conflict):
        handover.give_floor(room.session, request=lea, actor=room.moderator)


def test_an_attendee_cannot_withdraw_someone_elses_request(room):
    lea = _raise(room, "Léa")
    before = _state(room.session)
    with pytest.raises(Forbidden):
        queue.withdraw_request(lea, actor=room.attendee("Marc"))
    db.session.rollback()
    assert _state(room.session) == before


def _outsider(room, who):
    """An attendee of another session of the event, or a programme speaker (who only watches)."""
    if who == "other_session":
        other = room.session.event.sessions[1]
        return actor_from_token(room.people.join(other.id, name="Ailleurs")["token"])
    speaker = room.item(3).speakers[0]
    return Actor("speaker", speaker.id, speaker.name, SPEAKER, event_id=speaker.event_id)


@pytest.mark.parametrize("who", ["other_session", "speaker"])
def test_only_attendees_of_the_session_raise_a_hand_or_withdraw(room, who):
    lea = _raise(room, "Léa")
    actor = _outsider(room, who)
    before = _state(room.session)
    with pytest.raises(Forbidden):
        queue.request_floor(room.session, "contribution", actor=actor)
    db.session.rollback()
    with pytest.raises(Forbidden):
        queue.withdraw_request(lea, actor=actor)
    db.session.rollback()
    assert _state(room.session) == before


MODERATOR_VERBS = {
    "give_floor": lambda room, actor, lea: handover.give_floor(
        room.session, request=lea, actor=actor, now=at(10)
    ),
    "next_speaker": lambda room, actor, lea: handover.next_speaker(
        room.session, actor=actor, now=at(10)
    ),
    "end_speech": lambda room, actor, lea: handover.end_speech(
        room.session, actor=actor, now=at(10)
    ),
    "pause_speech": lambda room, actor, lea: timers.pause_speech(
        room.session, actor=actor, now=at(10)
    ),
    "resume_speech": lambda room, actor, lea: timers.resume_speech(
        room.session, actor=actor, now=at(10)
    ),
    "sort_queue": lambda room, actor, lea: queue.sort_queue(
        room.session, [lea.id], actor=actor, now=at(10)
    ),
    "set_list_open": lambda room, actor, lea: queue.set_list_open(
        room.session, False, actor=actor, now=at(10)
    ),
    "change_settings": lambda room, actor, lea: settings.change_settings(
        room.session, actor=actor, fairness=True, now=at(10)
    ),
}


@pytest.mark.parametrize("verb", sorted(MODERATOR_VERBS))
@pytest.mark.parametrize("who", ["attendee", "speaker"])
def test_only_moderators_run_the_floor(room, verb, who):
    room.advance(3)
    handover.next_speaker(room.session, actor=room.moderator, now=at(0))  # Véronique speaks
    if verb == "resume_speech":
        timers.pause_speech(room.session, actor=room.moderator, now=at(5))
    lea = _raise(room, "Léa", now=at(1))
    db.session.commit()
    if who == "attendee":
        actor = room.attendee("Marc")
    else:
        speaker = room.item(3).speakers[0]
        actor = Actor("speaker", speaker.id, speaker.name, SPEAKER, event_id=speaker.event_id)
    before = _state(room.session)
    with pytest.raises(Forbidden):
        MODERATOR_VERBS[verb](room, actor, lea)
    db.session.rollback()
    assert _state(room.session) == before


def test_one_raised_hand_at_a_time(room):
    _raise(room, "Léa")
    before = _state(room.session)
    with pytest.raises(Conflict):
        _raise(room, "Léa", "question")
    db.session.rollback()
    assert _state(room.session) == before


def test_a_closed_list_answers_closed_but_lets_points_of_order_through(room):
    queue.set_list_open(room.session, False, actor=room.moderator)
    db.session.commit()
    before = _state(room.session)
    for kind in ("contribution", "question"):
        with pytest.raises(Closed):
            _raise(room, "Léa", kind)
        db.session.rollback()
    assert _state(room.session) == before
    assert presenters.floor_dict(room.session)["list_open"] is False
    _raise(room, "Marc", "point_of_order")
    queue.set_list_open(room.session, True, actor=room.moderator)
    db.session.commit()
    _raise(room, "Léa")
    assert _queue(room.session) == ["Marc", "Léa"]


def test_moderators_reorder_the_queue(room):
    ids = {name: _raise(room, name).id for name in ("Léa", "Marc", "Zoé")}
    queue.sort_queue(room.session, [ids["Zoé"], ids["Léa"], ids["Marc"]], actor=room.moderator)
    db.session.commit()
    assert _queue(room.session) == ["Zoé", "Léa", "Marc"]
    # A partial list reorders those requests among the places they hold.
    queue.sort_queue(room.session, [ids["Marc"], ids["Zoé"]], actor=room.moderator)
    db.session.commit()
    assert _queue(room.session) == ["Marc", "Léa", "Zoé"]
    before = _state(room.session)
    queue.withdraw_request(queries.get_request(ids["Léa"]), actor=room.attendee("Léa"))
    db.session.commit()
    assert _state(room.session) != before
    assert _queue(room.session) == ["Marc", "Zoé"]
    before = _state(room.session)
    with pytest.raises(Conflict):  # a stale view naming a request that left the queue
        queue.sort_queue(room.session, [ids["Léa"], ids["Marc"]], actor=room.moderator)
    db.session.rollback()
    assert _state(room.session) == before


def test_each_change_is_broadcast_and_the_first_in_line_is_told(room):
    from companion.realtime.hub import _PENDING

    _raise(room, "Léa")
    marc = queue.request_floor(room.session, "point_of_order", actor=room.attendee("Marc"))
    pending = list(db.session.info.get(_PENDING, []))
    db.session.commit()
    assert [event for event, _, _ in pending] == ["floor.updated", "floor.next_up"]
    next_up = pending[1]
    assert next_up[1]["request_id"] == marc.id
    assert next_up[2] == [f"participant:{marc.participant_id}"]
    logged = db.session.scalars(select(SessionBroadcast.event)).all()
    assert logged == ["floor.updated", "floor.updated"]


# ---------------------------------------------------------------- session life, clock, log


def test_ending_the_session_ends_the_speech(room):
    programme.start_session(room.session, actor=room.moderator)
    db.session.commit()
    lea = _raise(room, "Léa")
    handover.give_floor(room.session, request=lea, actor=room.moderator)
    programme.end_session(room.session, actor=room.moderator)
    db.session.commit()
    db.session.expire_all()
    assert lea.ended_at == room.session.ended_at
    assert presenters.floor_dict(room.session)["current"] is None
    with pytest.raises(Closed):
        _raise(room, "Marc")


def test_the_session_clock_tells_how_far_behind_the_plan_the_agenda_runs(room, monkeypatch):
    clock = {"now": at(-30 * 60)}  # 10:00 in Paris: the slot's start
    monkeypatch.setattr(presenters, "utcnow", lambda: clock["now"])
    monkeypatch.setattr(floor_lifecycle, "utcnow", lambda: clock["now"])
    monkeypatch.setattr(programme, "utcnow", lambda: clock["now"])
    monkeypatch.setattr(lifecycle, "utcnow", lambda: clock["now"])
    programme.start_session(room.session, actor=room.moderator)
    db.session.commit()
    floor = presenters.floor_dict(room.session, now=clock["now"])
    assert floor["clock"]["slot_ends_at"] == presenters.stamp(at(90 * 60))
    assert floor["clock"]["behind_s"] == 0
    # The first testimony is planned at 10:30; it starts at 10:34.
    clock["now"] = at(4 * 60)
    room.advance(3)
    floor = presenters.floor_dict(room.session, now=at(5 * 60))["clock"]
    assert floor["item_planned_start"] == presenters.stamp(T0)
    assert floor["item_started_at"] == presenters.stamp(at(4 * 60))
    assert floor["item_planned_s"] == 900
    assert floor["behind_s"] == 240
    # Still on it at 10:50, five minutes past its planned end: five minutes behind.
    assert presenters.floor_dict(room.session, now=at(20 * 60))["clock"]["behind_s"] == 300
    clock["now"] = at(20 * 60)
    room.advance(4)
    timing = {t["agenda_item_id"]: t for t in report.agenda_timing(room.session, now=at(1500))}
    assert timing[room.item(3).id]["actual_s"] == 16 * 60
    assert timing[room.item(3).id]["planned_s"] == 15 * 60
    assert timing[room.item(0).id]["actual_s"] == 34 * 60  # started 10:00, no advance until 10:34


def test_a_session_run_on_another_day_is_timed_from_its_start(room):
    programme.start_session(room.session, actor=room.moderator)  # now, not on 30 June 2020
    db.session.commit()
    clock = presenters.floor_dict(room.session)["clock"]
    assert clock["rebased"] is True
    assert clock["slot_starts_at"] == presenters.stamp(room.session.started_at)
    assert abs(clock["behind_s"]) < 5


def test_the_handover_log_lists_every_change_of_floor(room):
    room.advance(3)
    lea = _raise(room, "Léa", "question", now=at(0))
    handover.next_speaker(room.session, actor=room.moderator, now=at(10))  # Léa: 90 s
    handover.next_speaker(room.session, actor=room.moderator, now=at(130))  # Véronique
    handover.end_speech(room.session, actor=room.moderator, now=at(1030))
    db.session.commit()
    log = report.handover_log(room.session)
    assert [(e["name"], e["kind"], e["planned_s"], e["spoken_s"], e["overrun_s"]) for e in log] == [
        ("Léa", "question", 90, 120, 30),
        ("Véronique Sybelin", "planned", 900, 900, 0),
    ]
    assert log[0]["request_id"] == lea.id
    assert log[1]["organisation"] == "ARCHE Agglo"
    assert {e["agenda_item_id"] for e in log} == {room.item(3).id}
    assert log[0]["began_at"] == at(10) and log[0]["ended_at"] == at(130)
    times = report.speaking_times(room.session)
    assert [(t["name"], t["turns"], t["spoken_s"]) for t in times] == [
        ("Véronique Sybelin", 1, 900),
        ("Léa", 1, 120),
    ]

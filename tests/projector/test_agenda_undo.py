"""An agenda move undone at once (the console's "Undo") leaves no trace in the item timings."""

from datetime import timedelta

from sqlalchemy import select

from companion.extensions import db
from companion.floor.models import AgendaRun
from companion.floor.runs import UNDO_WINDOW


def _runs(session_id):
    db.session.expire_all()
    return [
        (r.agenda_item_id, r.started_at, r.ended_at)
        for r in db.session.scalars(
            select(AgendaRun).where(AgendaRun.session_id == session_id).order_by(AgendaRun.id)
        )
    ]


def test_going_straight_back_resumes_the_item_from_its_real_start(
    moderator_token, first_session, connect
):
    sid = first_session.id
    first, _, third = [i.id for i in first_session.agenda[:3]]
    mod = connect(moderator_token)
    mod.ok("session.join", {"session_id": sid})
    mod.ok("session.start", {"session_id": sid})
    [(item, started, ended)] = _runs(sid)
    assert (item, ended) == (first, None)
    mod.ok("agenda.advance", {"session_id": sid, "agenda_item_id": third})
    assert [r[0] for r in _runs(sid)] == [first, third]
    mod.ok("agenda.advance", {"session_id": sid, "agenda_item_id": first})  # the undo
    assert _runs(sid) == [(first, started, None)]
    floor = mod.ok("session.join", {"session_id": sid})["snapshot"]["floor"]
    assert floor["clock"]["item_started_at"].startswith(started.isoformat()[:19])


def test_a_later_move_back_is_a_new_run(moderator_token, first_session, connect):
    sid = first_session.id
    first, second = [i.id for i in first_session.agenda[:2]]
    mod = connect(moderator_token)
    mod.ok("session.join", {"session_id": sid})
    mod.ok("session.start", {"session_id": sid})
    mod.ok("agenda.advance", {"session_id": sid, "agenda_item_id": second})
    # The second item has been under way for longer than the undo window.
    run = db.session.scalar(select(AgendaRun).where(AgendaRun.agenda_item_id == second))
    earlier = UNDO_WINDOW + timedelta(seconds=5)
    run.started_at -= earlier
    previous = db.session.scalar(select(AgendaRun).where(AgendaRun.agenda_item_id == first))
    previous.ended_at -= earlier
    db.session.commit()
    mod.ok("agenda.advance", {"session_id": sid, "agenda_item_id": first})
    runs = _runs(sid)
    assert [r[0] for r in runs] == [first, second, first]
    assert runs[1][2] is not None and runs[2][2] is None

"""Generated payloads against every socket event: always a contract answer, never a crash."""

import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from companion.app import import_domains
from companion.core.errors import ERROR_CODES
from companion.realtime.dispatcher import EVENTS

import_domains()  # every domain registers its events before collection

CODES = set(ERROR_CODES)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(["", "\u0000", "\ud7ff", "🙂" * 30, "<script>alert(1)</script>", "x" * 3000]),
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)


def payloads_for(name: str):
    """Dicts with the event's real field names (plus strangers), and arbitrary JSON values."""
    fields = list(EVENTS[name].schema.model_fields)
    known = (
        st.dictionaries(st.sampled_from(fields), json_values, max_size=len(fields))
        if fields
        else st.just({})
    )
    with_extra = st.builds(
        lambda d, k, v: {**d, k: v}, known, st.text(min_size=1, max_size=8), json_values
    )
    plausible = st.fixed_dictionaries(
        {
            f: st.one_of(st.integers(min_value=1, max_value=3), st.text(max_size=12), json_values)
            for f in fields
        }
    )
    return st.one_of(known, with_extra, plausible, json_values)


@pytest.fixture
def actors(connect, people, first_session, moderator_token):
    """An attendee and a moderator, connected and joined; replaced if a payload removed one."""
    made = {}

    def get(who: str):
        client = made.get(who)
        if client is None or not client.connected:
            token = (
                moderator_token if who == "moderator" else people.join(first_session.id)["token"]
            )
            client = connect(token)
            client.ok("session.join", {"session_id": first_session.id})
            made[who] = client
        return client

    return get


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("name", sorted(EVENTS))
def test_every_event_answers_generated_payloads_with_a_contract_ack(actors, name, caplog):
    caplog.set_level(logging.ERROR)

    @settings(
        max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
    )
    @given(payload=payloads_for(name), who=st.sampled_from(["attendee", "moderator"]))
    def check(payload, who):
        answer = actors(who).call(name, payload)
        assert isinstance(answer, dict) and set(answer) in ({"ok", "data"}, {"ok", "error"}), answer
        if answer["ok"] is False:
            assert answer["error"]["code"] in CODES
            assert isinstance(answer["error"]["message"], str) and answer["error"]["message"]

    check()
    crashes = [r for r in caplog.records if "unexpected error" in r.getMessage()]
    assert crashes == []

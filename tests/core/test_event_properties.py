"""Property tests: arbitrary button values, agent verbs and agent messages get a clear answer or
nothing, never an exception, and never reach a customer from outside the agents' room."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.console import AGENT_VERBS, ConsoleAdapter
from bot.core.buttons import AGENT_ACTIONS, CUSTOMER_ACTIONS
from bot.core.events import AgentMessage, ButtonPress, Place
from bot.core.ids import parse_id
from tests.core.harness import AGENTS_ROOM, ALICE, SAM, Harness, dm

ODD = st.sampled_from(["²", "٣", "-1", "1e3", "99999999999999999999999", "0", "1:", "1:x", ":", "", " 1", "1\x00", "inf"])
VALUES = st.one_of(ODD, st.text(max_size=40), st.integers(min_value=-5, max_value=10**20).map(str))
ACTIONS = st.one_of(st.sampled_from(sorted({*AGENT_ACTIONS, *CUSTOMER_ACTIONS})), st.text(max_size=30))
PLACES = st.sampled_from([AGENTS_ROOM, dm(ALICE), None, Place("test", "elsewhere")])
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def test_ids_are_ascii_digits_of_bounded_length() -> None:
    assert parse_id("42") == 42
    assert parse_id("²") is None and parse_id("٣") is None and parse_id("2147483648") is None and parse_id(" 1") is None


@SLOW
@given(action=ACTIONS, value=VALUES, argument=st.one_of(st.none(), st.text(max_size=20)), place=PLACES)
def test_any_button_press_is_answered_without_an_exception(
    chat: Harness, action: str, value: str, argument: str | None, place: Place | None
) -> None:
    full = f"{value}:{argument}" if argument is not None else value
    sent = chat.deliver(ButtonPress(f"p-{action}-{full}-{place}", SAM, action, full, "edited text", place))
    if place is None or not place.agents_room:
        assert not chat.customer_inbox  # nothing an outsider pressed reaches a customer
    for item in sent:
        assert str(getattr(item, "text", "")).strip()
    chat.customer_inbox.clear()


@SLOW
@given(
    line=st.one_of(
        st.builds(lambda v, r: f"{v} {r}", st.sampled_from([*AGENT_VERBS, "reply", "note"]), st.text(max_size=30)),
        st.text(max_size=40),
        st.builds(lambda v, t: f"{v} {t} text", st.sampled_from([*AGENT_VERBS, "reply", "note"]), ODD),
        st.builds(lambda t: f"#{t}", ODD),
    )
)
def test_any_console_agent_line_parses_or_explains(chat: Harness, line: str) -> None:
    console = ConsoleAdapter(out=io.StringIO())
    console.role = "agent"
    event = console.parse(line.strip())
    if event is not None:
        chat.deliver(event)


@SLOW
@given(
    ticket=st.one_of(st.none(), st.integers(min_value=-3, max_value=10**12)),
    thread=st.one_of(st.none(), st.text(max_size=12)),
    text=st.text(max_size=60),
    place=PLACES,
)
def test_any_agent_message_is_refused_or_tied_to_one_ticket(
    chat: Harness, ticket: int | None, thread: str | None, text: str, place: Place | None
) -> None:
    chat.deliver(AgentMessage(f"a-{ticket}-{thread}-{text}-{place}", SAM, text, False, ticket, thread, place))
    assert not chat.customer_inbox  # no ticket exists, so no customer can be reached

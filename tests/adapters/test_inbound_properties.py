"""Property tests: whatever a platform sends, the inbound mapping answers with a core event or None (and
logs why, without the payload's text), never an exception; and what it returns keeps the core's
invariants: text is text, ids are set, and only the configured agents' channel is the agents' room.

Payloads are arbitrary JSON values, and realistic ones (built like the fake Slack builds them) with keys
deleted or replaced at any depth."""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

import pytest
from hypothesis import event, example, given, settings
from hypothesis import strategies as st

from bot.adapters.discord import components
from bot.adapters.slack import blocks, inbound, modals
from bot.core.events import AgentMessage, ButtonPress, CustomerMessage, MessageChanged, Person, Place, SlashCommand
from tests.platforms import slack_fake as fake

AGENTS, SUPPORT = "G0AGENTS", "C0SUPPORT"
WS = inbound.Workspace(fake.BOT_USER_ID, AGENTS, frozenset({SUPPORT}))
FAST = settings(max_examples=150, deadline=None)

# Values that steer the mapping down its real paths: our ids, subtypes, mentions, `reply:`.
MEANINGFUL = st.sampled_from(
    [fake.BOT_USER_ID, AGENTS, SUPPORT, "D01", "C0RANDOM", "U1", "1.000100", "2.000200", "im", "channel", "app_mention",
     "message", "message_changed", "message_deleted", "bot_message", "file_share", "thread_broadcast",
     f"<@{fake.BOT_USER_ID}> help", "reply: on it", "", " "]
)  # fmt: skip
KEYS = st.one_of(
    st.sampled_from(
        ["type", "subtype", "channel", "channel_type", "user", "text", "ts", "thread_ts", "parent_user_id", "bot_id",
         "files", "name", "title", "message", "previous_message", "deleted_ts", "team", "user_team", "id",
         "channel_id", "container", "action_ts", "value", "username", "user_id", "user_name"]
    ),
    st.text(max_size=8),
)  # fmt: skip
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20), MEANINGFUL)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5), max_leaves=12)
OBJECTS = st.dictionaries(KEYS, JSON, max_size=8)


def mutated(data: st.DataObject, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload with a few keys, at any depth, deleted or given an arbitrary value."""
    payload = copy.deepcopy(payload)
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        container: dict[str, Any] | list[Any] = payload
        while container:
            key = data.draw(st.sampled_from(list(container) if isinstance(container, dict) else range(len(container))))
            child = container[key]
            if isinstance(child, dict | list) and child and data.draw(st.booleans(), label="descend"):
                container = child
                continue
            if isinstance(container, dict) and data.draw(st.booleans(), label="delete"):
                del container[key]
            else:
                container[key] = data.draw(JSON, label="value")
            break
    return payload


def realistic_event(data: st.DataObject) -> dict[str, Any]:
    channel = data.draw(st.sampled_from(["D01", SUPPORT, AGENTS, "C0RANDOM"]), label="channel")
    text = data.draw(st.sampled_from(["hello", f"<@{fake.BOT_USER_ID}> help", "reply: fixed it", "note"]), label="text")
    kind = data.draw(st.sampled_from(["message", "mention", "thread", "edit", "delete", "file"]), label="kind")
    if kind == "mention":
        return fake.app_mention_event(channel, "U1", text, ts="1.000100")["event"]
    if kind in ("edit", "delete"):
        before = {"type": "message", "user": "U1", "text": "old", "ts": "1.000100"}
        if kind == "delete":
            return {"type": "message", "subtype": "message_deleted", "channel": channel, "deleted_ts": "1.000100",
                    "ts": "2.000200", "previous_message": before}  # fmt: skip
        return {"type": "message", "subtype": "message_changed", "channel": channel, "ts": "2.000200",
                "message": {**before, "text": "new"}, "previous_message": before}  # fmt: skip
    event = fake.message_event(
        channel, "U1", text, ts="2.000200", thread_ts="1.000100" if kind == "thread" else None,
        channel_type="im" if channel.startswith("D") else "channel",
        files=[{"name": "shot.png", "title": "Screenshot"}] if kind == "file" else None,
    )["event"]  # fmt: skip
    if kind == "thread":
        event["parent_user_id"] = fake.BOT_USER_ID
    return event


def assert_person(person: Person) -> None:
    assert isinstance(person.user_id, str) and person.user_id
    assert person.name is None or isinstance(person.name, str)


def assert_place(place: Place | None) -> None:
    assert place is not None and isinstance(place.channel_id, str)
    assert place.thread_id is None or isinstance(place.thread_id, str)
    assert place.agents_room == (place.channel_id == AGENTS)


def check_message(result: object) -> None:
    """What `inbound.message` promises for any payload."""
    event(type(result).__name__)  # --hypothesis-show-statistics: how often each kind of result came up
    assert result is None or isinstance(result, CustomerMessage | AgentMessage | MessageChanged)
    if isinstance(result, CustomerMessage):
        assert isinstance(result.text, str) and isinstance(result.message_id, str) and result.message_id.strip("/")
        assert_person(result.customer)
        assert_place(result.place)
        assert not result.place.agents_room and result.place.channel_id
        assert all(isinstance(name, str) for name in result.attachments)
        assert all(isinstance(key, str) and key for key in result.directory_keys)
    elif isinstance(result, AgentMessage):
        assert isinstance(result.text, str) and result.message_id.strip("/")
        assert_person(result.agent)
        assert_place(result.place)
        assert result.place is not None and result.place.agents_room  # only the agents' channel makes agent messages
        assert isinstance(result.agent_thread_id, str) and result.agent_thread_id.startswith(f"{AGENTS}/")
    elif isinstance(result, MessageChanged):
        assert isinstance(result.text, str) and result.message_id.strip("/")
        assert_person(result.customer)
        assert_place(result.place)
        assert not result.place.agents_room


# Slack ---------------------------------------------------------------------------------------------


@FAST
@given(
    event=OBJECTS, name=st.one_of(st.none(), st.text(max_size=10)), email=st.one_of(st.none(), st.emails(), st.text(max_size=10))
)
@example(event={"type": "message", "channel": "D01", "user": "U1", "ts": "1.0", "files": 3}, name=None, email=None)
@example(event={"type": "message", "channel": "D01", "user": "U1", "ts": "1.0", "files": ["a.png"]}, name=None, email=None)
@example(event={"subtype": ["message_changed"], "channel": "D01", "user": "U1", "ts": "1.0"}, name=None, email=None)
@example(event={"subtype": "message_changed", "channel": "D01", "message": "edited"}, name=None, email=None)
@example(event={"subtype": "message_deleted", "channel": "D01", "previous_message": ["x"]}, name=None, email=None)
@example(event={"type": "message", "channel": "D01", "user": "U1"}, name=None, email=None)  # no ts: no id to key it by
def test_any_slack_event_maps_to_an_event_or_none(event: dict[str, Any], name: str | None, email: str | None) -> None:
    """Any JSON object as a `message` event: a core event that keeps the invariants, or None."""
    check_message(inbound.message(event, WS, name, email))


@FAST
@given(st.data())
def test_mutated_slack_events_map_to_an_event_or_none(data: st.DataObject) -> None:
    """A real event with keys deleted or replaced anywhere: still an event or None, never an exception."""
    event = realistic_event(data)
    check_message(inbound.message(event, WS, "Ana", "ana@acme.com"))  # the untouched event maps too
    check_message(inbound.message(mutated(data, event), WS, "Ana", "ana@acme.com"))


def test_realistic_slack_events_still_map_as_before() -> None:
    """The payloads the mutations start from are the bot's business: the properties test real paths."""
    dm = inbound.message(fake.message_event("D01", "U1", "hi", ts="1.0")["event"], WS)
    assert isinstance(dm, CustomerMessage) and dm.message_id == "D01/1.0" and dm.place.thread_id is None
    note = fake.message_event(AGENTS, "U2", "looking", ts="2.0", thread_ts="1.0", channel_type="channel")["event"]
    agent = inbound.message({**note, "parent_user_id": fake.BOT_USER_ID}, WS)
    assert isinstance(agent, AgentMessage) and agent.internal and agent.place is not None and agent.place.agents_room


def test_a_malformed_event_is_dropped_with_a_warning_that_quotes_nothing(caplog: pytest.LogCaptureFixture) -> None:
    """A payload the mapping cannot use is logged by field name only: message text may be personal."""
    caplog.set_level(logging.WARNING, logger="supportbot.slack")
    event = {"type": "message", "channel": "D01", "user": "U1", "text": "my password is hunter2", "ts": {"x": "hunter2"}}
    assert inbound.message(event, WS) is None
    assert "slack.payload_malformed" in caplog.text and "hunter2" not in caplog.text


@FAST
@given(body=OBJECTS, action=OBJECTS, core_action=st.text(max_size=20))
@example(body={"channel": "C1"}, action={}, core_action="ticket.claim")
@example(body={"channel": {"id": AGENTS}, "message": "card", "user": "U1"}, action={}, core_action="ticket.claim")
@example(body={"channel": {"id": ["G0AGENTS"]}}, action={"value": {"id": 1}}, core_action="ticket.claim")
def test_any_slack_interaction_becomes_a_press_from_where_it_came(
    body: dict[str, Any], action: dict[str, Any], core_action: str
) -> None:
    """A `block_actions` body and action of any shape: a press whose place is the agents' room only when
    the click came from the configured agents' channel."""
    check_press(inbound.button(body, action, core_action, WS), core_action)


@FAST
@given(st.data())
def test_mutated_slack_interactions_become_presses(data: st.DataObject) -> None:
    channel = data.draw(st.sampled_from(["D01", SUPPORT, AGENTS]), label="channel")
    body = fake.block_action("U2", channel, "1.000100", "ticket.claim#1", "12", "trigger")
    body = mutated(data, body)
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
    check_press(inbound.button(body, action, blocks.parse_action_id(str(action.get("action_id", ""))), WS), None)


def check_press(press: object, core_action: str | None) -> None:
    assert isinstance(press, ButtonPress) and isinstance(press.press_id, str) and press.press_id
    assert isinstance(press.value, str) and (core_action is None or press.action == core_action)
    assert isinstance(press.user.user_id, str) and (press.user.name is None or isinstance(press.user.name, str))
    assert_place(press.place)


@FAST
@given(body=st.one_of(OBJECTS, st.dictionaries(KEYS, st.text(max_size=20), max_size=8)))
@example(body=fake.slash_command("U1", "/supportbot", "tier sso_setup auto", AGENTS, "trigger"))
@example(body={"user_id": None, "channel_id": ["C1"], "text": {"a": 1}})
def test_any_slack_slash_command_becomes_a_command(body: dict[str, Any]) -> None:
    """A slash command's form fields of any shape: a command with text, from the agents' room only when
    it was typed in the agents' channel."""
    command = inbound.slash_command(body, WS)
    assert isinstance(command, SlashCommand) and isinstance(command.text, str)
    assert isinstance(command.user.user_id, str) and (command.user.name is None or isinstance(command.user.name, str))
    assert_place(command.place)


@FAST
@given(values=st.one_of(OBJECTS, st.dictionaries(st.just("text"), st.one_of(JSON, st.dictionaries(st.just("text"), JSON)))))
@example(values={"text": "not a mapping"})
@example(values={"text": {"text": ["not", "a", "mapping"]}})
def test_any_slack_modal_submission_gives_text(values: dict[str, Any]) -> None:
    """`view.state.values` of any shape: the submitted text, or "" when there is none."""
    assert isinstance(modals.modal_text(values), str)


@FAST
@given(action_id=st.text(max_size=30))
def test_any_slack_action_id_names_an_action(action_id: str) -> None:
    action = blocks.parse_action_id(action_id)
    assert isinstance(action, str) and action_id.startswith(action)


# Discord -------------------------------------------------------------------------------------------
# discord.py parses the gateway's payloads into objects; what the adapter itself parses from raw
# interaction data is the custom id of a pressed button or submitted form, and a modal's fields.


@FAST
@given(encoded=st.one_of(st.text(max_size=40), st.builds(lambda rest: components.PREFIX + rest, st.text(max_size=40))))
@example(encoded="sb:")
@example(encoded="sb::12")
@example(encoded="sb:#3")
def test_any_discord_custom_id_is_ours_with_an_action_or_none(encoded: str) -> None:
    """Any custom id (another bot's, a stray one, a forged one): None, or a non-empty action and a value."""
    parsed = components.parse_custom_id(encoded)
    if parsed is not None:
        action, value = parsed
        assert encoded.startswith(components.PREFIX) and action and isinstance(value, str)


ACTION_NAMES = st.text(st.characters(blacklist_characters=":#", blacklist_categories=("Cs",)), min_size=1, max_size=20)


@FAST
@given(action=ACTION_NAMES, value=st.text(st.characters(blacklist_characters="#", blacklist_categories=("Cs",)), max_size=40),
       index=st.one_of(st.none(), st.integers(0, 30)))  # fmt: skip
def test_discord_custom_ids_round_trip_or_refuse(action: str, value: str, index: int | None) -> None:
    """An id the adapter sends comes back as the same action and value; one too long raises, never cut."""
    try:
        encoded = components.custom_id(action, value, index)
    except ValueError:
        assert len(f"{components.PREFIX}{action}:{value}") + (0 if index is None else len(f"#{index}")) > components.CUSTOM_ID
        return
    assert components.parse_custom_id(encoded) == (action, value)


@FAST
@given(data=st.one_of(OBJECTS, st.fixed_dictionaries({"components": JSON}), st.fixed_dictionaries({"data": OBJECTS})))
@example(data={"components": [{"type": 18, "component": "text"}]})
@example(data={"components": [{"custom_id": "text", "value": 5}], "data": "x"})
@example(data={"data": {"components": {"custom_id": "text", "value": "not in a list"}}})
def test_any_discord_modal_submission_gives_text(data: dict[str, Any]) -> None:
    """A modal-submit interaction's data of any shape: the text input's value, or ""."""
    assert isinstance(components.modal_text(data), str)


@FAST
@given(body=OBJECTS, view=OBJECTS, metadata=st.one_of(JSON.map(json.dumps), st.text(max_size=30)))
@example(body={"user": "U1"}, view={"state": "x"}, metadata="[1]")
@example(body={"user": {"id": "U1"}}, view={"callback_id": "slack.reply", "state": {"values": ["x"]}}, metadata='{"channel": 5}')
def test_any_modal_submission_is_an_agent_event_or_none(body: dict[str, Any], view: dict[str, Any], metadata: str) -> None:
    """Reply and edit-draft modals: whatever the payload holds, an AgentMessage, a ButtonPress or None."""
    submitted = inbound.view_submission(body, {**view, "private_metadata": metadata}, WS, "slack.reply", "draft.edit")
    assert submitted is None or isinstance(submitted, AgentMessage | ButtonPress)
    if submitted is not None:
        assert_place(submitted.place)
        assert isinstance(submitted.text, str)


@FAST
@given(body=OBJECTS)
@example(body={"message": {"blocks": [{"block_id": "draft_text", "text": "plain"}]}})
@example(body={"message": {"blocks": "not a list"}})
def test_the_posted_draft_is_read_from_any_press_payload(body: dict[str, Any]) -> None:
    assert isinstance(inbound.posted_draft_text(body, "draft_text", blocks.unescape), str)

"""Which Slack events are the bot's business, and what they become in the core (pure mapping, no I/O)."""

from __future__ import annotations

from bot.adapters.slack.inbound import Workspace, message
from bot.core.events import AgentMessage, CustomerMessage, MessageChanged

WS = Workspace("UBOT", "G0AGENTS", frozenset({"C0SUPPORT"}))


def event(**fields: object) -> dict[str, object]:
    return {"type": "message", "user": "U1", "text": "hello", "ts": "1.000100", "channel": "D01", "channel_type": "im", **fields}


def test_dms_support_channels_and_mentions_are_customer_messages() -> None:
    dm = message(event(), WS)
    assert isinstance(dm, CustomerMessage) and dm.place.thread_id is None and dm.message_id == "D01/1.000100"
    channel = message(event(channel="C0SUPPORT", channel_type="channel"), WS)
    assert isinstance(channel, CustomerMessage) and channel.place.thread_id == "1.000100"  # answered in its thread
    follow_up = message(event(channel="C0SUPPORT", channel_type="channel", ts="2.0", thread_ts="1.000100"), WS)
    assert isinstance(follow_up, CustomerMessage) and follow_up.place.thread_id == "1.000100"
    mention = message(event(channel="C0RANDOM", channel_type="channel", text="<@UBOT> where are invoices?"), WS)
    assert isinstance(mention, CustomerMessage) and mention.text == "where are invoices?"
    assert message(event(channel="C0RANDOM", channel_type="channel"), WS) is None  # chatter elsewhere


def test_bots_ourselves_and_housekeeping_are_ignored() -> None:
    assert message(event(bot_id="B1", subtype="bot_message"), WS) is None
    assert message(event(user="UBOT"), WS) is None
    assert message(event(subtype="channel_join"), WS) is None


def test_edits_deletions_and_files() -> None:
    edited = message(
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": "D01",
            "message": {"user": "U1", "text": "new", "ts": "1.0"},
            "previous_message": {"user": "U1", "text": "old", "ts": "1.0"},
        },
        WS,
    )
    assert isinstance(edited, MessageChanged) and (edited.message_id, edited.text, edited.deleted) == ("D01/1.0", "new", False)
    deleted = message(
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": "D01",
            "deleted_ts": "1.0",
            "previous_message": {"user": "U1", "text": "old", "ts": "1.0"},
        },
        WS,
    )
    assert isinstance(deleted, MessageChanged) and deleted.deleted
    shared = message(event(subtype="file_share", files=[{"name": "screenshot.png"}]), WS)
    assert isinstance(shared, CustomerMessage) and shared.attachments == ("screenshot.png",)


def test_agents_room_thread_messages_are_notes_unless_they_say_reply() -> None:
    base = {"channel": "G0AGENTS", "channel_type": "group", "ts": "5.0", "thread_ts": "4.0", "parent_user_id": "UBOT"}
    note = message(event(**base, text="checked the logs"), WS)
    assert isinstance(note, AgentMessage) and note.internal and note.agent_thread_id == "G0AGENTS/4.0" and note.place.agents_room
    reply = message(event(**base, text="Reply: all fixed, sorry!"), WS)
    assert isinstance(reply, AgentMessage) and not reply.internal and reply.text == "all fixed, sorry!"
    assert message(event(channel="G0AGENTS", channel_type="group", text="lunch?"), WS) is None  # top-level chatter
    assert message(event(**{**base, "parent_user_id": "U9"}, text="side thread"), WS) is None  # not under a card


def test_directory_keys_go_from_person_to_workspace() -> None:
    connect = message(
        event(channel="C0SUPPORT", channel_type="channel", user_team="T0EXT", team="T0EXT"), WS, email="ana@acme.example"
    )
    assert isinstance(connect, CustomerMessage)
    assert connect.directory_keys == (
        "user:slack:U1",
        "email:ana@acme.example",
        "email-domain:acme.example",
        "slack-channel:C0SUPPORT",
        "slack-team:T0EXT",
    )

"""Slack payloads → core events. Pure functions of the payload and the workspace layout, so every rule
(where customers talk, what agents' thread messages mean, who is in the agents' room) is testable
without a connection.

- DMs to the bot: one conversation per DM, answered in the DM.
- Support channels (and Slack Connect channels listed as such): every top-level message starts a
  conversation answered in a thread under it; follow-ups in that thread continue it.
- `@bot` mentions anywhere else: answered in a thread under the mention.
- The agents' channel: a message in the thread of a card the bot posted is an internal note, unless it
  starts with `reply:` (then the customer gets the rest); top-level chatter there is not the bot's business.
- The bot's own messages and other bots are ignored; edits and deletions become `MessageChanged`.

Ids are scoped by channel (`scoped_id`), since Slack's `ts` is unique only within a channel.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.events import AgentMessage, ButtonPress, CustomerMessage, MessageChanged, Person, Place, SlashCommand, scoped_id

PLATFORM = "slack"
REPLY_PREFIX = re.compile(r"^\s*reply:\s*", re.IGNORECASE)
IGNORED_SUBTYPES = frozenset(
    {
        "bot_message",
        "channel_join",
        "channel_leave",
        "channel_topic",
        "channel_purpose",
        "channel_name",
        "group_join",
        "group_leave",
        "pinned_item",
        "unpinned_item",
        "ekm_access_denied",
        "message_replied",
        "thread_broadcast",
    }
)
Payload = Mapping[str, Any]


@dataclass(frozen=True)
class Workspace:
    """What the adapter knows of the workspace: the bot itself, the agents' room, the support channels."""

    bot_user_id: str
    agents_channel: str
    support_channels: frozenset[str]

    def place(self, channel: str, thread: str | None = None) -> Place:
        return Place(PLATFORM, channel, thread, agents_room=channel == self.agents_channel)


def ref(channel: str, ts: str) -> str:
    """A posted message's reference (what `send` returns, what agent threads are keyed by)."""
    return scoped_id(channel, ts)


def split_ref(value: str) -> tuple[str, str]:
    channel, _, ts = value.partition("/")
    return channel, ts


def person(user: str, name: str | None = None) -> Person:
    return Person(PLATFORM, user, name)


def _without_mention(text: str, bot_user_id: str) -> str:
    return re.sub(rf"<@{re.escape(bot_user_id)}(\|[^>]*)?>", "", text).strip()


def directory_keys(event: Payload, email: str | None = None) -> tuple[str, ...]:
    """Most specific first: the person, their e-mail, the shared channel, their (external) workspace."""
    keys = [f"user:slack:{event.get('user', '')}"]
    if email:
        keys += [f"email:{email.lower()}", f"email-domain:{email.rpartition('@')[2].lower()}"]
    keys.append(f"slack-channel:{event.get('channel', '')}")
    team = event.get("user_team") or event.get("team")
    if team:
        keys.append(f"slack-team:{team}")
    return tuple(keys)


def message(
    event: Payload, workspace: Workspace, name: str | None = None, email: str | None = None
) -> CustomerMessage | AgentMessage | MessageChanged | None:
    """A `message` or `app_mention` event as a core event, or None when it is not for the bot."""
    subtype = event.get("subtype")
    channel = str(event.get("channel", ""))
    if subtype in ("message_changed", "message_deleted"):
        return _changed(event, workspace)
    if event.get("bot_id") or subtype in IGNORED_SUBTYPES or event.get("user") in (None, workspace.bot_user_id):
        return None
    ts, thread = str(event.get("ts", "")), event.get("thread_ts")
    text = str(event.get("text") or "")
    if channel == workspace.agents_channel:
        return _agent_message(event, workspace, ts, thread, text, name)
    mentioned = event.get("type") == "app_mention" or f"<@{workspace.bot_user_id}>" in text
    files = tuple(str(f.get("name") or f.get("title") or "file") for f in event.get("files") or ())
    if event.get("channel_type") == "im" or channel.startswith("D"):
        place = workspace.place(channel)
    elif channel in workspace.support_channels or mentioned:
        place = workspace.place(channel, str(thread or ts))
    else:
        return None
    return CustomerMessage(
        ref(channel, ts),
        person(str(event["user"]), name),
        place,
        _without_mention(text, workspace.bot_user_id),
        directory_keys=directory_keys(event, email),
        attachments=files,
    )


def _agent_message(
    event: Payload, workspace: Workspace, ts: str, thread: Any, text: str, name: str | None
) -> AgentMessage | None:
    """Only thread replies under the bot's own cards are ticket messages; internal unless `reply:`."""
    if not thread or thread == ts or event.get("parent_user_id") != workspace.bot_user_id:
        return None
    to_customer = bool(REPLY_PREFIX.match(text))
    return AgentMessage(
        ref(workspace.agents_channel, ts),
        person(str(event["user"]), name),
        REPLY_PREFIX.sub("", text, count=1) if to_customer else text,
        internal=not to_customer,
        agent_thread_id=ref(workspace.agents_channel, str(thread)),
        place=workspace.place(workspace.agents_channel, str(thread)),
    )


def _changed(event: Payload, workspace: Workspace) -> MessageChanged | None:
    channel = str(event.get("channel", ""))
    if channel == workspace.agents_channel:
        return None
    deleted = event.get("subtype") == "message_deleted"
    before = event.get("previous_message") or {}
    after = event.get("message") or {}
    user = (after or before).get("user") or before.get("user")
    if not user or user == workspace.bot_user_id or (after or before).get("bot_id"):
        return None
    ts = str(event.get("deleted_ts") or before.get("ts") or after.get("ts") or "")
    thread = (after or before).get("thread_ts")
    place = workspace.place(channel) if channel.startswith("D") else workspace.place(channel, str(thread or ts))
    text = "" if deleted else _without_mention(str(after.get("text") or ""), workspace.bot_user_id)
    return MessageChanged(ref(channel, ts), person(str(user)), place, text, deleted)


def button(payload: Payload, action: Payload, core_action: str, workspace: Workspace) -> ButtonPress:
    """A Block Kit button click; the press id is unique per click (Slack's `action_ts`)."""
    channel = str((payload.get("channel") or {}).get("id") or (payload.get("container") or {}).get("channel_id") or "")
    message_ = payload.get("message") or {}
    thread = message_.get("thread_ts")
    place = workspace.place(channel) if channel.startswith("D") else workspace.place(channel, thread)
    user = payload.get("user") or {}
    who = person(str(user.get("id", "")), user.get("name") or user.get("username"))
    return ButtonPress(
        ref(channel, str(action.get("action_ts", ""))), who, core_action, str(action.get("value", "")), None, place
    )


def slash_command(body: Payload, workspace: Workspace) -> SlashCommand:
    """`/supportbot tier …`: the core's admin commands behind one Slack command."""
    who = person(str(body.get("user_id", "")), body.get("user_name"))
    channel = str(body.get("channel_id", ""))
    return SlashCommand(who, "supportbot", str(body.get("text", "")), workspace.place(channel))  # whatever it is called

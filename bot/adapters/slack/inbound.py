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
- A payload without the fields an event needs (channel, user, ts as text) is dropped with a warning that
  names the field, never its content; optional parts of the wrong shape are read as absent.

Ids are scoped by channel (`scoped_id`), since Slack's `ts` is unique only within a channel.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.adapters.slack.modals import modal_text
from bot.core.events import AgentMessage, ButtonPress, CustomerMessage, MessageChanged, Person, Place, SlashCommand, scoped_id
from bot.core.ids import parse_id

log = logging.getLogger("supportbot.slack")
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


def _text(value: object) -> str:
    """A text field (an id, a ts, a message): Slack sends strings; a number is read as one, anything else as ""."""
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else ""


def _part(value: object) -> Payload:
    """A nested object of the payload, or {} when it is missing or not an object."""
    return value if isinstance(value, Mapping) else {}


def _malformed(kind: str, field: str) -> None:
    log.warning("slack.payload_malformed kind=%s field=%s", kind, field)  # never the payload: it holds what people wrote


def directory_keys(event: Payload, email: str | None = None) -> tuple[str, ...]:
    """Most specific first: the person, their e-mail, the shared channel, their (external) workspace."""
    keys = [f"user:slack:{_text(event.get('user'))}"]
    if email:
        keys += [f"email:{email.lower()}", f"email-domain:{email.rpartition('@')[2].lower()}"]
    keys.append(f"slack-channel:{_text(event.get('channel'))}")
    team = _text(event.get("user_team")) or _text(event.get("team"))
    if team:
        keys.append(f"slack-team:{team}")
    return tuple(keys)


def message(
    event: Payload, workspace: Workspace, name: str | None = None, email: str | None = None
) -> CustomerMessage | AgentMessage | MessageChanged | None:
    """A `message` or `app_mention` event as a core event, or None when it is not for the bot (or unusable)."""
    subtype = event.get("subtype")
    if subtype is not None and not isinstance(subtype, str):
        _malformed("message", "subtype")
        return None
    channel = _text(event.get("channel"))
    if subtype in ("message_changed", "message_deleted"):
        return _changed(event, workspace)
    if event.get("bot_id") or subtype in IGNORED_SUBTYPES or event.get("user") in (None, workspace.bot_user_id):
        return None
    user, ts, thread = _text(event.get("user")), _text(event.get("ts")), _text(event.get("thread_ts")) or None
    if not (channel and user and ts):
        _malformed("message", "channel, user and ts")
        return None
    text = _text(event.get("text"))
    if channel == workspace.agents_channel:
        return _agent_message(event, workspace, user, ts, thread, text, name)
    mentioned = event.get("type") == "app_mention" or f"<@{workspace.bot_user_id}>" in text
    files = tuple(_file_name(f) for f in _items(event.get("files")))
    if event.get("channel_type") == "im" or channel.startswith("D"):
        place = workspace.place(channel)
    elif channel in workspace.support_channels or mentioned:
        place = workspace.place(channel, str(thread or ts))
    else:
        return None
    return CustomerMessage(
        ref(channel, ts),
        person(user, name),
        place,
        _without_mention(text, workspace.bot_user_id),
        directory_keys=directory_keys(event, email),
        attachments=files,
    )


def _items(value: object) -> Sequence[object]:
    return value if isinstance(value, list) else ()


def _file_name(file: object) -> str:
    details = _part(file)
    return _text(details.get("name")) or _text(details.get("title")) or "file"


def _agent_message(
    event: Payload, workspace: Workspace, user: str, ts: str, thread: str | None, text: str, name: str | None
) -> AgentMessage | None:
    """Only thread replies under the bot's own cards are ticket messages; internal unless `reply:`."""
    if not thread or thread == ts or event.get("parent_user_id") != workspace.bot_user_id:
        return None
    to_customer = bool(REPLY_PREFIX.match(text))
    return AgentMessage(
        ref(workspace.agents_channel, ts),
        person(user, name),
        REPLY_PREFIX.sub("", text, count=1) if to_customer else text,
        internal=not to_customer,
        agent_thread_id=ref(workspace.agents_channel, thread),
        place=workspace.place(workspace.agents_channel, thread),
    )


def _changed(event: Payload, workspace: Workspace) -> MessageChanged | None:
    channel = _text(event.get("channel"))
    if channel == workspace.agents_channel:
        return None
    deleted = event.get("subtype") == "message_deleted"
    before, after = _part(event.get("previous_message")), _part(event.get("message"))
    user = _text((after or before).get("user")) or _text(before.get("user"))
    if not user or user == workspace.bot_user_id or (after or before).get("bot_id"):
        return None
    ts = _text(event.get("deleted_ts")) or _text(before.get("ts")) or _text(after.get("ts"))
    if not (channel and ts):
        _malformed("message_deleted" if deleted else "message_changed", "channel and ts")
        return None
    thread = _text((after or before).get("thread_ts"))
    place = workspace.place(channel) if channel.startswith("D") else workspace.place(channel, thread or ts)
    text = "" if deleted else _without_mention(_text(after.get("text")), workspace.bot_user_id)
    return MessageChanged(ref(channel, ts), person(user), place, text, deleted)


def button(payload: Payload, action: Payload, core_action: str, workspace: Workspace) -> ButtonPress:
    """A Block Kit button click; the press id is unique per click (Slack's `action_ts`). Parts of the wrong
    shape are read as absent, so such a press is never from the agents' room."""
    channel = _text(_part(payload.get("channel")).get("id")) or _text(_part(payload.get("container")).get("channel_id"))
    thread = _text(_part(payload.get("message")).get("thread_ts")) or None
    place = workspace.place(channel) if channel.startswith("D") else workspace.place(channel, thread)
    user = _part(payload.get("user"))
    who = person(_text(user.get("id")), _text(user.get("name")) or _text(user.get("username")) or None)
    return ButtonPress(ref(channel, _text(action.get("action_ts"))), who, core_action, _text(action.get("value")), None, place)


def slash_command(body: Payload, workspace: Workspace) -> SlashCommand:
    """`/supportbot tier …`: the core's admin commands behind one Slack command."""
    who = person(_text(body.get("user_id")), _text(body.get("user_name")) or None)
    channel = _text(body.get("channel_id"))
    invocation = _text(body.get("trigger_id")) or None  # unique per invocation: a re-delivery is recognised
    return SlashCommand(who, "supportbot", _text(body.get("text")), workspace.place(channel), invocation)  # whatever it is called


def view_submission(
    body: Payload, view: Payload, workspace: Workspace, reply_action: str, edit_action: str
) -> AgentMessage | ButtonPress | None:
    """A submitted reply or edit-draft modal: an agent's reply to a ticket, or the edited draft. The
    channel and target travel in the view's `private_metadata` (JSON the bot wrote); anything of the
    wrong shape makes it None."""
    try:
        metadata = _part(json.loads(_text(view.get("private_metadata")) or "{}"))
    except ValueError:
        _malformed("view_submission", "private_metadata")
        return None
    text = modal_text(_part(_part(view.get("state")).get("values")))
    user = _part(body.get("user"))
    who = person(_text(user.get("id")), _text(user.get("name")) or None)
    place = workspace.place(_text(metadata.get("channel")))
    key = f"view/{_text(view.get('id'))}/{_text(view.get('hash'))}"
    target = _text(metadata.get("id"))
    if view.get("callback_id") == reply_action:
        return AgentMessage(key, who, text, internal=False, ticket_id=parse_id(target), place=place)
    return ButtonPress(key, who, edit_action, target, text, place)


def posted_draft_text(body: Payload, block_id: str, unescape: Callable[[str], str]) -> str:
    """The draft as posted on its card (from the press's `message`), when this process did not post it."""
    for block in _items(_part(body.get("message")).get("blocks")):
        block = _part(block)
        if block.get("block_id") == block_id:
            return unescape(_text(_part(block.get("text")).get("text")))
    return ""

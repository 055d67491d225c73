"""discord.py objects → core events: which messages are the bot's business and what they become.

- DMs to the bot: one conversation per DM.
- Configured support channels: each top-level message is a conversation answered in a thread started
  from it (the thread has the message's id, so the place is known before the thread exists).
- Forum channels: each post (a thread) is a conversation.
- A mention of the bot anywhere else: answered in a thread from the message.
- The staff channel: a message in the thread of a card the bot posted is an internal note unless it
  starts with `reply:`; it is an agent's only when the author has the staff role (if one is configured).

Discord ids (snowflakes) are unique across the platform, so they are the idempotency keys as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import discord

from bot.adapters.discord.settings import DiscordSettings
from bot.core.events import AgentMessage, CustomerMessage, MessageChanged, Person, Place

PLATFORM = "discord"
REPLY_PREFIX = re.compile(r"^\s*reply:\s*", re.IGNORECASE)
USER_MESSAGES = (discord.MessageType.default, discord.MessageType.reply)


@dataclass(frozen=True)
class Layout:
    """The configured servers and the bot itself."""

    settings: DiscordSettings
    bot_user_id: int

    def is_staff(self, member: discord.abc.User, guild_id: int | None) -> bool:
        config = self.settings.guild(str(guild_id)) if guild_id else None
        if config is None or config.staff_role is None:
            return True  # no staff role: everyone in the staff channel (narrowed by SUPPORTBOT_AGENT_IDS)
        roles = getattr(member, "roles", ())
        return any(str(role.id) == config.staff_role for role in roles)

    def place(self, channel_id: int, thread_id: int | None = None, agents_room: bool = False) -> Place:
        return Place(PLATFORM, str(channel_id), str(thread_id) if thread_id is not None else None, agents_room)


def person(user: discord.abc.User) -> Person:
    return Person(PLATFORM, str(user.id), getattr(user, "display_name", None) or user.name)


def directory_keys(message: discord.Message) -> tuple[str, ...]:
    keys = [f"user:discord:{message.author.id}"]
    roles = getattr(message.author, "roles", ())
    keys += [f"discord-role:{role.id}" for role in sorted(roles, key=lambda r: -r.position) if not role.is_default()]
    if message.guild is not None:
        keys.append(f"discord-guild:{message.guild.id}")
    return tuple(keys)


def _text(message: discord.Message, bot_user_id: int) -> str:
    return re.sub(rf"<@!?{bot_user_id}>", "", message.content or "").strip()


def message_event(message: discord.Message, layout: Layout) -> CustomerMessage | AgentMessage | None:
    if message.author.bot or message.author.id == layout.bot_user_id or message.type not in USER_MESSAGES:
        return None
    if message.guild is None:
        return _customer(message, layout, layout.place(message.channel.id))
    config = layout.settings.guild(str(message.guild.id))
    channel = message.channel
    parent_id = getattr(channel, "parent_id", None)
    if config is not None and parent_id is not None and str(parent_id) == config.staff_channel:
        return _agent(message, layout, parent_id)
    if config is not None and parent_id is not None and str(parent_id) in (*config.support_channels, *config.forum_channels):
        return _customer(message, layout, layout.place(parent_id, channel.id))
    if config is not None and str(channel.id) in config.support_channels:
        return _customer(message, layout, layout.place(channel.id, message.id))
    if any(user.id == layout.bot_user_id for user in message.mentions):
        return _customer(message, layout, layout.place(parent_id or channel.id, channel.id if parent_id else message.id))
    return None


def _customer(message: discord.Message, layout: Layout, place: Place) -> CustomerMessage:
    return CustomerMessage(
        str(message.id),
        person(message.author),
        place,
        _text(message, layout.bot_user_id),
        directory_keys=directory_keys(message),
        attachments=tuple(a.filename for a in message.attachments),
    )


def _agent(message: discord.Message, layout: Layout, staff_channel: int) -> AgentMessage | None:
    thread = message.channel
    if getattr(thread, "owner_id", None) != layout.bot_user_id:
        return None  # a thread agents started themselves: not a ticket
    to_customer = bool(REPLY_PREFIX.match(message.content or ""))
    text = REPLY_PREFIX.sub("", message.content or "", count=1) if to_customer else (message.content or "")
    room = layout.is_staff(message.author, message.guild.id if message.guild else None)
    return AgentMessage(
        str(message.id),
        person(message.author),
        text,
        internal=not to_customer,
        agent_thread_id=f"{staff_channel}/{thread.id}",
        place=layout.place(staff_channel, thread.id, agents_room=room),
    )


def changed(message_id: int, author: discord.abc.User | None, channel_id: int, text: str, deleted: bool) -> MessageChanged | None:
    """An edit or deletion of a message the bot may have answered (the core ignores unknown ids)."""
    if author is None or author.bot:
        return None
    return MessageChanged(str(message_id), person(author), Place(PLATFORM, str(channel_id)), text, deleted)

"""Core outbound events → Discord REST calls through discord.py. Customers are answered in their DM or
in the thread of their message (created on the first answer: a thread started from a message has the
message's id); cards go to the staff channel of the customer's server, each with a thread for the
follow-ups; stale buttons are edited off their message; private answers are ephemeral follow-ups to
the interaction that asked. Nothing the bot sends can ping anyone (`allowed_mentions` none) except the
agents and roles a card or notice mentions from the agents file (`render.allowed`); edits never ping.
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from bot.adapters.discord import render
from bot.adapters.discord.render import NO_PINGS, DiscordMessage
from bot.adapters.discord.settings import DiscordSettings
from bot.adapters.drafts_seen import DraftsSeen
from bot.core.events import (
    AgentCard,
    AgentNotice,
    CommandResponse,
    CustomerReply,
    DraftCard,
    OutboundEvent,
    Place,
    RatingRequest,
    RetireButtons,
)

log = logging.getLogger("supportbot.discord")
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
Followup = Callable[..., Awaitable[Any]]
FOLLOWUP: contextvars.ContextVar[Followup | None] = contextvars.ContextVar("discord_followup", default=None)


def ref(channel_id: int | str, message_id: int | str) -> str:
    return f"{channel_id}/{message_id}"


def split_ref(value: str) -> tuple[int, int]:
    channel, _, message = value.partition("/")
    return int(channel), int(message)


class DiscordSender:
    def __init__(self, client: discord.Client, settings: DiscordSettings) -> None:
        self.client = client
        self.settings = settings
        self.drafts = DraftsSeen()
        self._threads: set[int] = set()

    async def send(self, event: OutboundEvent) -> str | None:
        if isinstance(event, CustomerReply):
            return await self._post_all(await self._customer_channel(event.place), render.render_reply(event))
        if isinstance(event, RatingRequest):
            return await self._post_all(await self._customer_channel(event.place), [render.render_rating(event)])
        if isinstance(event, AgentCard):
            return await self._card(
                self._staff_channel(event.customer_place), render.render_card(event), f"Ticket #{event.ticket_id}"
            )
        if isinstance(event, DraftCard):
            self.drafts.remember(event)
            return await self._post(self._staff_channel(event.customer_place), render.render_draft(event))
        if isinstance(event, AgentNotice):
            target = split_ref(event.agent_thread_id)[1] if event.agent_thread_id else self._staff_channel(None)
            return await self._post_all(target, render.render_notice(event))
        if isinstance(event, RetireButtons):
            await self._retire(event)
            return event.ref
        if isinstance(event, CommandResponse):
            await self._private(event)
            return None
        raise TypeError(f"the Discord adapter cannot send a {type(event).__name__}")

    # Where --------------------------------------------------------------------------------------------

    def _staff_channel(self, customer: Place | None) -> int:
        """The staff channel of the customer's server; DMs and other platforms go to the first configured."""
        guild_id = None
        if customer is not None and customer.platform == "discord":
            channel = self.client.get_channel(int(customer.channel_id))
            guild_id = getattr(getattr(channel, "guild", None), "id", None)
        config = self.settings.guild(str(guild_id)) if guild_id else None
        staff = (config.staff_channel if config else None) or next(iter(sorted(self.settings.staff_channels)), None)
        if staff is None:
            raise LookupError("no staff channel configured (SUPPORTBOT_DISCORD_GUILDS[].staff_channel) for a Discord desk")
        return int(staff)

    async def _customer_channel(self, place: Place) -> int:
        """The DM, or the thread on the customer's message (started now if it does not exist yet)."""
        if place.thread_id is None:
            return int(place.channel_id)
        thread_id = int(place.thread_id)
        if thread_id in self._threads or self.client.get_channel(thread_id) is not None:
            return thread_id
        channel = await self._guild_channel(int(place.channel_id))
        try:
            await channel.get_partial_message(thread_id).create_thread(name="Support", auto_archive_duration=1440)
        except discord.HTTPException as exc:
            if exc.code != THREAD_EXISTS:
                raise
        self._threads.add(thread_id)
        return thread_id

    async def _guild_channel(self, channel_id: int) -> Any:
        """A channel with its server attached (threads can only be started from those)."""
        return self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)

    # Sending -------------------------------------------------------------------------------------------

    async def _post(self, channel_id: int, message: DiscordMessage) -> str:
        view = render.view_for(message.buttons)
        channel = self.client.get_partial_messageable(channel_id)
        kwargs: dict[str, Any] = {"allowed_mentions": render.allowed(message)}
        if message.embeds:
            kwargs["embeds"] = list(message.embeds)
        if view is not None:
            kwargs["view"] = view
        posted = await channel.send(content=message.content or None, **kwargs)
        return ref(channel_id, posted.id)

    async def _post_all(self, channel_id: int, messages: list[DiscordMessage]) -> str | None:
        posted = None
        for message in messages:
            posted = await self._post(channel_id, message)
        return posted

    async def _card(self, staff_channel: int, message: DiscordMessage, title: str) -> str:
        """The card, and a thread on it for the follow-ups (its id is the card's, so the ref is both)."""
        posted = await self._post(staff_channel, message)
        _, message_id = split_ref(posted)
        channel = await self._guild_channel(staff_channel)
        try:
            await channel.get_partial_message(message_id).create_thread(name=title[:100], auto_archive_duration=10080)
        except discord.HTTPException as exc:
            if exc.code != THREAD_EXISTS:
                raise
        return posted

    async def _retire(self, event: RetireButtons) -> None:
        if event.original is None:
            return
        channel_id, message_id = split_ref(event.ref)
        message = render.render_retired(event)
        view = render.view_for(message.buttons)
        partial = self.client.get_partial_messageable(channel_id).get_partial_message(message_id)
        await partial.edit(content=message.content or None, embeds=list(message.embeds), view=view, allowed_mentions=NO_PINGS)

    async def _private(self, event: CommandResponse) -> None:
        followup = FOLLOWUP.get()
        text = event.text if event.ok else f"⚠️ {event.text}"
        if followup is not None:
            for chunk in _chunks(text):
                await followup(chunk, ephemeral=True, allowed_mentions=NO_PINGS)
            return
        log.warning("discord.private_dropped user=%s (not answering an interaction)", event.to.user_id)


def _chunks(text: str, size: int = 1900) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]

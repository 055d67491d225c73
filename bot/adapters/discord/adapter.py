"""The Discord adapter: the real `discord.py` client over the gateway.

Buttons carry their core action in a persistent custom id (`sb:ACTION:VALUE`), handled here from the raw
interaction, so buttons on messages sent before a restart still work. Every interaction is answered or
deferred at once (Discord allows 3 seconds), the core's answer follows. `DISCORD_API_URL` and
`DISCORD_GATEWAY_URL` point discord.py elsewhere (a rate-limit proxy, the tests' fake Discord).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord
import yarl
from discord import app_commands

from bot.adapters.discord import inbound, render
from bot.adapters.discord.outbound import FOLLOWUP, DiscordSender
from bot.adapters.discord.settings import DiscordSettings
from bot.core.adapter import EventSink
from bot.core.events import AgentMessage, ButtonPress, InboundEvent, OutboundEvent, SlashCommand
from bot.core.ids import parse_id

log = logging.getLogger("supportbot.discord")
REPLY_ACTION = "discord.reply"
EDIT_ACTION = "draft.edit"
MODAL_REPLY = "modal.reply"
MODAL_EDIT = "modal.edit"


def intents() -> discord.Intents:
    """Message content is privileged: switch it on in the Developer Portal (Bot → Privileged Gateway Intents)."""
    wanted = discord.Intents.none()
    wanted.guilds = wanted.guild_messages = wanted.dm_messages = wanted.message_content = True
    wanted.members = True  # staff roles on members
    return wanted


def point_at(settings: DiscordSettings) -> None:
    """discord.py keeps its REST base and gateway as class attributes: set them from the settings."""
    discord.http.Route.BASE = settings.api_url
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


class _Client(discord.Client):
    def __init__(self, adapter: DiscordAdapter) -> None:
        super().__init__(intents=intents(), guild_ready_timeout=0.5, allowed_mentions=discord.AllowedMentions.none())
        self.adapter = adapter
        self.tree = app_commands.CommandTree(self)

    async def setup_hook(self) -> None:
        self.tree.add_command(self.adapter.admin_command())
        for config in self.adapter.settings.guilds:  # per guild: available at once, unlike global commands
            guild = discord.Object(id=int(config.guild))
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)

    async def on_ready(self) -> None:
        assert self.user is not None
        self.adapter.layout = inbound.Layout(self.adapter.settings, self.user.id)
        log.info("discord.ready user=%s guilds=%s", self.user.id, len(self.guilds))
        self.adapter.ready_event.set()

    async def on_message(self, message: discord.Message) -> None:
        layout = self.adapter.layout
        if layout is not None:
            await self.adapter.deliver(inbound.message_event(message, layout))

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        data = payload.data
        author = payload.message.author if payload.message else None
        await self.adapter.deliver(
            inbound.changed(payload.message_id, author, payload.channel_id, str(data.get("content", "")), False)
        )

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        author = payload.cached_message.author if payload.cached_message else None
        await self.adapter.deliver(inbound.changed(payload.message_id, author, payload.channel_id, "", True))

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        await self.adapter.interaction(interaction)


class DiscordAdapter:
    name = "discord"

    def __init__(self, settings: DiscordSettings) -> None:
        self.settings = settings
        point_at(settings)
        self.client = _Client(self)
        self.sender = DiscordSender(self.client, settings)
        self.layout: inbound.Layout | None = None
        self.ready_event = asyncio.Event()
        self._sink: EventSink | None = None

    # The adapter interface -------------------------------------------------------------------------

    async def run(self, sink: EventSink) -> None:
        self._sink = sink
        token = self.settings.token.get_secret_value() if self.settings.token else ""
        async with self.client:
            await self.client.start(token)

    async def send(self, event: OutboundEvent) -> str | None:
        return await self.sender.send(event)

    async def stop(self) -> None:
        await self.client.close()

    async def ready(self) -> None:
        await self.ready_event.wait()

    def connected(self) -> bool:
        """For /readyz: the gateway said READY and the client is not closed."""
        return self.ready_event.is_set() and not self.client.is_closed()

    # Inbound ------------------------------------------------------------------------------------------

    async def deliver(self, event: InboundEvent | None) -> None:
        if event is not None and self._sink is not None:
            await self._sink(event)

    def _place(self, interaction: discord.Interaction) -> Any:
        assert self.layout is not None
        channel = interaction.channel
        parent = getattr(channel, "parent_id", None)
        room_channel = parent or interaction.channel_id or 0
        in_staff = str(room_channel) in self.settings.staff_channels
        is_staff = in_staff and self.layout.is_staff(interaction.user, interaction.guild_id)
        thread = interaction.channel_id if parent else None
        return self.layout.place(int(room_channel), thread, agents_room=is_staff)

    async def interaction(self, interaction: discord.Interaction) -> None:
        data: dict[str, Any] = dict(interaction.data or {})
        parsed = render.parse_custom_id(str(data.get("custom_id", "")))
        if parsed is None or self.layout is None:
            return
        action, value = parsed
        who = inbound.person(interaction.user)
        place = self._place(interaction)
        if interaction.type == discord.InteractionType.modal_submit:
            await interaction.response.defer(ephemeral=True, thinking=False)
            text = render.modal_text(data)
            key = f"modal/{interaction.id}"
            if action == MODAL_REPLY:
                await self._with_followup(
                    interaction, AgentMessage(key, who, text, internal=False, ticket_id=parse_id(value), place=place)
                )
            elif action == MODAL_EDIT:
                await self._with_followup(interaction, ButtonPress(key, who, EDIT_ACTION, value, text, place))
            return
        if place.agents_room and action in (REPLY_ACTION, EDIT_ACTION):  # modals must be the first response
            target = parse_id(value) or 0
            modal = (
                render.reply_modal(target)
                if action == REPLY_ACTION
                else render.edit_draft_modal(target, self.sender.drafts.get(target, ""))
            )
            await interaction.response.send_modal(modal)
            return
        await interaction.response.defer()
        if action != REPLY_ACTION:
            await self._with_followup(interaction, ButtonPress(f"press/{interaction.id}", who, action, value, None, place))

    async def _with_followup(self, interaction: discord.Interaction, event: InboundEvent) -> None:
        """Private answers to this interaction go back to the person as ephemeral follow-ups."""
        token = FOLLOWUP.set(interaction.followup.send)
        try:
            await self.deliver(event)
        finally:
            FOLLOWUP.reset(token)

    def admin_command(self) -> app_commands.Command[Any, Any, Any]:
        adapter = self

        @app_commands.command(name="supportbot", description="Support bot admin: help, status, tier, threshold, stats, reloads")
        @app_commands.describe(args="e.g. help · status · tier sso_setup auto · stats 7 · kb reload")
        @app_commands.default_permissions(manage_guild=True)
        async def supportbot(interaction: discord.Interaction, args: str = "help") -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            place = adapter._place(interaction) if adapter.layout else None
            command = SlashCommand(inbound.person(interaction.user), "supportbot", args, place, str(interaction.id))
            await adapter._with_followup(interaction, command)

        return supportbot

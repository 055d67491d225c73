"""Setting the Discord bot up: the invite link with exactly the permissions it needs, and `doctor`,
which checks a configuration in words before a server goes live."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import discord

from bot.adapters.discord.adapter import point_at
from bot.adapters.discord.settings import DiscordSettings

MESSAGE_CONTENT_FLAGS = (1 << 18) | (1 << 19)  # GATEWAY_MESSAGE_CONTENT (verified bots) / _LIMITED (under 100 servers)
SCOPES = ("bot", "applications.commands")


def permissions() -> discord.Permissions:
    """Read and answer in channels and threads, start threads for answers and ticket follow-ups, embed cards."""
    return discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        create_public_threads=True,
        embed_links=True,
        read_message_history=True,
    )


def invite_url(application_id: str) -> str:
    return discord.utils.oauth_url(int(application_id), permissions=permissions(), scopes=SCOPES)


@dataclass(frozen=True)
class Finding:
    level: Literal["ok", "warning", "error"]
    text: str


async def application_id(settings: DiscordSettings) -> str:
    """From DISCORD_APPLICATION_ID, or asked of Discord with the token."""
    if settings.application_id:
        return settings.application_id
    client = discord.Client(intents=discord.Intents.none())
    point_at(settings)
    try:
        await client.login(settings.token.get_secret_value() if settings.token else "")
        info = await client.application_info()
        return str(info.id)
    finally:
        await client.close()


async def diagnose(settings: DiscordSettings) -> list[Finding]:
    if settings.token is None:
        return [Finding("error", "DISCORD_TOKEN is not set (Developer Portal → your app → Bot → Reset Token)")]
    point_at(settings)
    client = discord.Client(intents=discord.Intents.none())
    found: list[Finding] = []
    try:
        try:
            await client.login(settings.token.get_secret_value())
        except discord.LoginFailure:
            return [Finding("error", "DISCORD_TOKEN was refused by Discord (reset it in the Developer Portal)")]
        info = await client.application_info()
        found.append(Finding("ok", f"token valid: {client.user} (application {info.id})"))
        if info.flags.value & MESSAGE_CONTENT_FLAGS:
            found.append(Finding("ok", "message content intent granted"))
        else:
            found.append(
                Finding(
                    "error",
                    "the Message Content intent is off: turn it on (Bot → Privileged Gateway Intents), "
                    "or the bot cannot read what customers write",
                )
            )
        if not settings.guilds:
            found.append(Finding("warning", "no servers in SUPPORTBOT_DISCORD_GUILDS: only DMs and mentions reach the bot"))
        for config in settings.guilds:
            found += await _guild(client, config.guild, config.staff_channel, [*config.support_channels, *config.forum_channels])
    finally:
        await client.close()
    return found


async def _guild(client: discord.Client, guild_id: str, staff: str | None, channels: list[str]) -> list[Finding]:
    """Each configured channel must be visible to the bot; the staff channel must be hidden from @everyone."""
    found: list[Finding] = []
    for channel_id, role in [*([(staff, "staff channel")] if staff else []), *[(c, "support channel") for c in channels]]:
        assert channel_id is not None
        try:
            channel = await client.fetch_channel(int(channel_id))
        except discord.HTTPException as exc:
            why = exc.text or exc.status
            hint = "is the bot invited? see `supportbot discord invite-url`" if exc.status == 404 else "the bot cannot see it"
            found.append(Finding("error", f"{role} {channel_id} in server {guild_id}: {why} ({hint})"))
            continue
        label = f"{role} #{getattr(channel, 'name', channel_id)} in server {guild_id}"
        if str(getattr(channel, "guild", None) and channel.guild.id) != guild_id:  # type: ignore[union-attr]
            found.append(Finding("error", f"{label} belongs to another server"))
        elif role == "staff channel" and _public(channel, int(guild_id)):
            found.append(Finding("error", f"{label} is visible to @everyone: customer details and notes would be public"))
        else:
            found.append(Finding("ok", f"{label} reachable"))
    return found


def _public(channel: object, guild_id: int) -> bool:
    overwrites = getattr(channel, "overwrites", {}) or {}
    for target, overwrite in overwrites.items():
        if getattr(target, "id", None) == guild_id and overwrite.view_channel is False:
            return False
    return True

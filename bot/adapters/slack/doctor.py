"""`supportbot slack doctor`: check a Slack configuration before a team goes live, in words.

Each check is a named function in a registry; a check returns findings (error or warning with what to
do). Exit status 1 when any finding is an error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.manifest import SCOPES
from bot.adapters.slack.settings import SlackSettings


@dataclass(frozen=True)
class Finding:
    level: Literal["ok", "warning", "error"]
    text: str


@dataclass
class Context:
    settings: SlackSettings
    client: AsyncWebClient
    admin_ids: frozenset[str]
    agent_ids: frozenset[str]
    http: bool
    bot_user_id: str | None = None
    granted: frozenset[str] = field(default_factory=frozenset)


Check = Callable[[Context], Awaitable[list[Finding]]]
CHECKS: list[tuple[str, Check]] = []


def check(name: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS.append((name, function))
        return function

    return register


def _error(exc: SlackApiError) -> str:
    return str(exc.response.get("error", "unknown error"))


@check("bot token")
async def _token(ctx: Context) -> list[Finding]:
    if ctx.settings.bot_token is None:
        return [Finding("error", "SLACK_BOT_TOKEN is not set (OAuth & Permissions → Bot User OAuth Token, xoxb-…)")]
    try:
        me = await ctx.client.auth_test()
    except SlackApiError as exc:
        return [Finding("error", f"SLACK_BOT_TOKEN was refused by Slack: {_error(exc)}")]
    ctx.bot_user_id = str(me.get("user_id"))
    header = me.headers.get("x-oauth-scopes") or me.headers.get("X-OAuth-Scopes") or ""
    ctx.granted = frozenset(s.strip() for s in str(header).split(",") if s.strip())
    return [Finding("ok", f"bot token valid: {me.get('user')} in {me.get('team')} ({me.get('team_id')})")]


@check("scopes")
async def _scopes(ctx: Context) -> list[Finding]:
    if ctx.bot_user_id is None:
        return []
    missing = sorted(set(SCOPES) - ctx.granted)
    if missing:
        why = "; ".join(f"{s} ({SCOPES[s]})" for s in missing)
        return [Finding("error", f"missing scopes: {why}. Add them under OAuth & Permissions and reinstall the app.")]
    return [Finding("ok", f"all {len(SCOPES)} scopes granted")]


@check("connection")
async def _connection(ctx: Context) -> list[Finding]:
    if ctx.http:
        if ctx.settings.signing_secret is None:
            return [Finding("error", "SLACK_SIGNING_SECRET is not set (Basic Information → Signing Secret); HTTP mode needs it")]
        return [Finding("ok", "signing secret set (HTTP mode)")]
    if ctx.settings.app_token is None:
        return [
            Finding(
                "error", "SLACK_APP_TOKEN is not set (Basic Information → App-Level Tokens, connections:write), or use --http"
            )
        ]
    try:
        await ctx.client.apps_connections_open(app_token=ctx.settings.app_token.get_secret_value())
    except SlackApiError as exc:
        return [Finding("error", f"SLACK_APP_TOKEN was refused: {_error(exc)} (it needs the connections:write scope)")]
    return [Finding("ok", "app-level token valid (Socket Mode)")]


async def _channel(ctx: Context, channel: str, role: str, private: bool | None) -> list[Finding]:
    try:
        info = (await ctx.client.conversations_info(channel=channel)).get("channel") or {}
    except SlackApiError as exc:
        hint = " (is the bot invited? private channels are invisible until it is)" if _error(exc) == "channel_not_found" else ""
        return [Finding("error", f"{role} {channel}: {_error(exc)}{hint}")]
    found: list[Finding] = []
    label = f"{role} #{info.get('name', channel)} ({channel})"
    if private is True and not info.get("is_private"):
        found.append(Finding("error", f"{label} is public: agents' notes and customer details would be visible to everyone"))
    if not info.get("is_member"):
        found.append(Finding("error", f"{label} does not have the bot: /invite @{ctx.bot_user_id or 'the bot'} there"))
    return found or [Finding("ok", f"{label} ready")]


@check("agents' channel")
async def _agents(ctx: Context) -> list[Finding]:
    if not ctx.settings.agents_channel:
        return [Finding("error", "SUPPORTBOT_SLACK_AGENTS_CHANNEL is not set (the private channel where agents work tickets)")]
    if ctx.bot_user_id is None:
        return []
    return await _channel(ctx, ctx.settings.agents_channel, "agents' channel", private=True)


@check("support channels")
async def _support(ctx: Context) -> list[Finding]:
    if ctx.bot_user_id is None:
        return []
    if not ctx.settings.support_channel_ids:
        return [Finding("warning", "no support channels: customers reach the bot by DM and @mention only")]
    found: list[Finding] = []
    for channel in sorted(ctx.settings.support_channel_ids):
        found += await _channel(ctx, channel, "support channel", private=None)
    return found


@check("people")
async def _people(ctx: Context) -> list[Finding]:
    if ctx.bot_user_id is None:
        return []
    found: list[Finding] = []
    for role, ids in (("admin", ctx.admin_ids), ("agent", ctx.agent_ids)):
        for key in sorted(ids):
            platform, _, user = key.partition(":")
            if platform != "slack":
                continue
            try:
                info = (await ctx.client.users_info(user=user)).get("user") or {}
            except SlackApiError as exc:
                found.append(Finding("error", f"{role} {key}: {_error(exc)} (copy the member id from the person's profile)"))
                continue
            if info.get("deleted") or info.get("is_bot"):
                found.append(Finding("error", f"{role} {key} is {'deactivated' if info.get('deleted') else 'a bot'}"))
            else:
                found.append(Finding("ok", f"{role} {key} is {info.get('real_name') or info.get('name')}"))
    if not any(k.startswith("slack:") for k in ctx.admin_ids):
        found.append(Finding("warning", "no Slack admins in SUPPORTBOT_ADMIN_IDS: nobody can run /supportbot commands"))
    return found


async def diagnose(ctx: Context) -> list[tuple[str, Finding]]:
    results: list[tuple[str, Finding]] = []
    for name, run in CHECKS:
        results += [(name, finding) for finding in await run(ctx)]
    return results

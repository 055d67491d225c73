"""The Slack app manifest: paste it into "Create an app → From a manifest". Only the scopes the bot uses,
each with the reason, so a Slack admin reviewing the install can check them (the doctor compares the
granted scopes with this list)."""

from __future__ import annotations

from typing import Any

SCOPES: dict[str, str] = {
    "chat:write": "answer customers, post ticket cards and notices, update cards, ephemeral refusals",
    "im:history": "read direct messages customers send the bot",
    "channels:history": "read messages in public support channels",
    "groups:history": "read the private agents' channel and private support channels",
    "app_mentions:read": "answer @mentions outside the support channels",
    "commands": "the admin slash command",
    "users:read": "customer and agent names on cards",
    "users:read.email": "match customers to companies in the customer directory by e-mail domain",
    "channels:read": "doctor: check the support channels exist and have the bot",
    "groups:read": "doctor: check the agents' channel is private and has the bot",
}
BOT_EVENTS = ("message.im", "message.channels", "message.groups", "app_mention")


def manifest(name: str = "Supportbot", command: str = "/supportbot", http_url: str | None = None) -> dict[str, Any]:
    """Socket Mode when `http_url` is None; otherwise every request goes to `http_url` (…/slack/events)."""
    slash: dict[str, Any] = {
        "command": command,
        "description": "Support bot admin: tiers, thresholds, triggers, stats, reloads",
        "usage_hint": "help | status | tier INTENT MODE | stats [DAYS] | kb reload",
        "should_escape": False,
    }
    settings: dict[str, Any] = {
        "event_subscriptions": {"bot_events": list(BOT_EVENTS)},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": http_url is None,
        "token_rotation_enabled": False,
    }
    if http_url is not None:
        slash["url"] = http_url
        settings["event_subscriptions"]["request_url"] = http_url
        settings["interactivity"]["request_url"] = http_url
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name[:35],
            "description": "Answers customers from the knowledge base and hands the rest to your team.",
        },
        "features": {
            "app_home": {"messages_tab_enabled": True, "messages_tab_read_only_enabled": False},
            "bot_user": {"display_name": name[:80], "always_online": True},
            "slash_commands": [slash],
        },
        "oauth_config": {"scopes": {"bot": sorted(SCOPES)}},
        "settings": settings,
    }

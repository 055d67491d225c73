"""`supportbot run --slack --discord`: several platforms in one process over one bot, with the agents'
desk on the platform `SUPPORTBOT_AGENT_DESK` names (a Discord customer's card can be worked in Slack)."""

from __future__ import annotations

import argparse
import asyncio

from bot.config import ConfigError, Settings
from bot.model_store import ensure_model

NAME = "run"
HELP = "run the bot on several platforms at once (--slack, --discord) with one agents' desk"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--slack", action="store_true", help="customers (and maybe agents) on Slack, Socket Mode")
    parser.add_argument("--discord", action="store_true", help="customers (and maybe agents) on Discord")
    parser.add_argument("--desk", choices=("slack", "discord"), help="where agents work (default: SUPPORTBOT_AGENT_DESK)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core.adapter import Adapter, serve_all
    from bot.ops_server import with_ops
    from bot.runtime import build_bot

    adapters: dict[str, Adapter] = {}
    if args.slack:
        from bot.adapters.slack.adapter import SlackAdapter
        from bot.adapters.slack.settings import load_slack_settings

        slack = load_slack_settings()
        slack.require(http=False)
        adapters["slack"] = SlackAdapter(slack)
    if args.discord:
        from bot.adapters.discord.adapter import DiscordAdapter
        from bot.adapters.discord.settings import load_discord_settings

        discord_settings = load_discord_settings()
        discord_settings.require()
        adapters["discord"] = DiscordAdapter(discord_settings)
    if not adapters:
        raise ConfigError("say which platforms to run: --slack, --discord, or both")
    desk = args.desk or settings.agent_desk or next(iter(adapters))
    if desk not in adapters:
        raise ConfigError(f"SUPPORTBOT_AGENT_DESK={desk}, but only {', '.join(adapters)} runs: add --{desk}")
    ensure_model(settings)
    bot = build_bot(settings, progress=True)
    try:
        asyncio.run(with_ops(settings, bot, adapters.values(), serve_all(bot, adapters, desk)))
    except KeyboardInterrupt:
        return 130
    return 0

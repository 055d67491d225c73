"""`supportbot discord`: run the bot on Discord, print the invite link, or check a configuration with
`doctor`. discord.py is imported only when one of these runs."""

from __future__ import annotations

import argparse
import asyncio

from bot.config import Settings
from bot.model_store import ensure_model

NAME = "discord"
HELP = "run the bot on Discord; `discord invite-url` prints the invite link, `discord doctor` checks the setup"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="discord_command", metavar="SUBCOMMAND")
    sub.add_parser("invite-url", help="the OAuth2 link that adds the bot with exactly the permissions it needs")
    sub.add_parser("doctor", help="check the token, the message content intent, servers and channels; exit 1 on any error")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.discord.settings import load_discord_settings

    discord_settings = load_discord_settings()
    discord_settings.require()
    if args.discord_command == "invite-url":
        from bot.adapters.discord.setup import application_id, invite_url

        print(invite_url(asyncio.run(application_id(discord_settings))))
        return 0
    if args.discord_command == "doctor":
        from bot.adapters.discord.setup import diagnose

        results = asyncio.run(diagnose(discord_settings))
        marks = {"ok": "ok  ", "warning": "warn", "error": "FAIL"}
        for finding in results:
            print(f"{marks[finding.level]}  {finding.text}")
        errors = sum(1 for f in results if f.level == "error")
        print(f"\n{errors} problem{'s' if errors != 1 else ''} found." if errors else "\nReady for Discord.")
        return 1 if errors else 0
    from bot.adapters.discord.adapter import DiscordAdapter
    from bot.core.adapter import serve
    from bot.ops_server import with_ops
    from bot.runtime import build_bot

    ensure_model(settings)
    bot = build_bot(settings, progress=True)
    adapter = DiscordAdapter(discord_settings)
    try:
        asyncio.run(with_ops(settings, bot, [adapter], serve(bot, adapter)))
    except KeyboardInterrupt:
        return 130
    return 0

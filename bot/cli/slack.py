"""`supportbot slack`: run the bot on Slack (Socket Mode, or `--http`), print the app manifest, or check
a configuration with `doctor`. The Slack SDK is imported only when one of these runs."""

from __future__ import annotations

import argparse
import asyncio
import json

from bot.config import Settings
from bot.model_store import ensure_model

NAME = "slack"
HELP = "run the bot on Slack; `slack manifest` prints the app manifest, `slack doctor` checks the setup"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--http", action="store_true", help="serve the Events API over HTTP instead of Socket Mode")
    parser.add_argument("--port", type=int, help="HTTP port (SUPPORTBOT_SLACK_PORT, default 3000)")
    sub = parser.add_subparsers(dest="slack_command", metavar="SUBCOMMAND")
    manifest = sub.add_parser("manifest", help="print the app manifest to paste into Slack's 'create from a manifest'")
    manifest.add_argument("--name", default="Supportbot", help="the app's name in Slack")
    manifest.add_argument("--http-url", help="https://…/slack/events for HTTP mode (default: Socket Mode)")
    doctor = sub.add_parser("doctor", help="check tokens, scopes, channels and people; exit 1 on any error")
    doctor.add_argument("--http", action="store_true", dest="doctor_http", help="check the HTTP-mode setup")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.adapters.slack.settings import load_slack_settings

    slack = load_slack_settings()
    if args.slack_command == "manifest":
        from bot.adapters.slack.manifest import manifest

        print(json.dumps(manifest(args.name, slack.command, args.http_url), indent=2))
        return 0
    if args.slack_command == "doctor":
        return asyncio.run(_doctor(settings, slack, args.doctor_http or args.http))
    return _serve(settings, slack, args.http, args.port)


def _serve(settings: Settings, slack: object, http: bool, port: int | None) -> int:
    from bot.adapters.slack.adapter import SlackAdapter
    from bot.adapters.slack.settings import SlackSettings
    from bot.core.adapter import serve
    from bot.ops_server import with_ops
    from bot.runtime import build_bot

    assert isinstance(slack, SlackSettings)
    slack.require(http)
    ensure_model(settings)
    bot = build_bot(settings, progress=True)
    adapter = SlackAdapter(slack, http=http, port=port)
    try:
        asyncio.run(with_ops(settings, bot, [adapter], serve(bot, adapter)))
    except KeyboardInterrupt:
        return 130
    return 0


async def _doctor(settings: Settings, slack: object, http: bool) -> int:
    from bot.adapters.slack.adapter import web_client
    from bot.adapters.slack.doctor import Context, diagnose
    from bot.adapters.slack.settings import SlackSettings

    assert isinstance(slack, SlackSettings)
    ctx = Context(slack, web_client(slack), settings.id_set(settings.admin_ids), settings.id_set(settings.agent_ids), http)
    results = await diagnose(ctx)
    marks = {"ok": "ok  ", "warning": "warn", "error": "FAIL"}
    for name, finding in results:
        print(f"{marks[finding.level]}  {name}: {finding.text}")
    errors = sum(1 for _, f in results if f.level == "error")
    print(f"\n{errors} problem{'s' if errors != 1 else ''} found." if errors else "\nReady for Slack.")
    return 1 if errors else 0

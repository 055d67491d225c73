"""`supportbot chat`: the whole bot in this terminal on the embedded defaults (SQLite, the bundled
model and knowledge base), with the customer's view and the agents' channel. Trains the bundled model
and indexes the knowledge base first if needed. The console's admin is an admin for this run."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.adapters.console import ADMIN, ConsoleAdapter
from bot.config import Settings, cache_home
from bot.core.adapter import serve
from bot.core.events import CustomerProfile
from bot.logs import configure_logging
from bot.model_store import ensure_model
from bot.ops_server import with_ops
from bot.runtime import build_bot
from bot.storage import describe

NAME = "chat"
HELP = "run the bot in this terminal: customer, agents' channel and admin commands"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, help="model directory (default: SUPPORTBOT_MODEL_DIR, trained if missing)")
    parser.add_argument(
        "--plan", default="team", choices=("free", "team", "business", "enterprise"), help="the demo customer's plan"
    )
    parser.add_argument(
        "--role", default="member", choices=("owner", "admin", "member", "guest"), help="the demo customer's role"
    )
    parser.add_argument("--company", default="Kestrel Labs", help="the demo customer's company")
    parser.add_argument("--account-value", type=float, default=6000.0, help="the demo account's yearly value")


def _log_to_file(settings: Settings) -> Path:
    """Keep the conversation readable: logs go to a file instead of between the chat lines."""
    path = cache_home() / "chat.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    configure_logging(settings, path)
    return path


def run(args: argparse.Namespace, settings: Settings) -> int:
    log_file = _log_to_file(settings)
    if args.model is None:
        ensure_model(settings)
    bot = build_bot(settings, args.model, progress=True, extra_admins=frozenset({ADMIN.key}))
    profile = CustomerProfile(company=args.company, tier=args.plan, role=args.role, account_value=args.account_value)
    adapter = ConsoleAdapter(profile=profile)
    adapter.print(
        f"database: {describe(settings.database_url)} · {len(bot.services.index.kb.articles)} articles · "
        f"{len(bot.tiers.intents)} intents · log: {log_file}"
    )
    # A local demo opens the ops port only when asked (several may run at once, each would want 9108).
    ops = settings if "ops_port" in settings.model_fields_set else settings.model_copy(update={"ops_port": 0})
    asyncio.run(with_ops(ops, bot, [adapter], serve(bot, adapter)))
    return 0

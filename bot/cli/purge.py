"""`supportbot purge`: retention by hand. Blanks conversation text older than N days (default:
SUPPORTBOT_RETENTION_DAYS) and keeps the counts (bot.core.retention); the bot runs the same on a schedule."""

from __future__ import annotations

import argparse

from bot.config import ConfigError, Settings
from bot.core.retention import purge_older_than
from bot.storage import open_database

NAME = "purge"
HELP = "blank conversation text older than N days (default: SUPPORTBOT_RETENTION_DAYS); counts stay"


def _days(given: str) -> int:
    try:
        days = int(given)
    except ValueError:
        raise argparse.ArgumentTypeError(f"DAYS must be a whole number of days, not '{given}'") from None
    if days < 1:
        raise argparse.ArgumentTypeError(f"DAYS must be at least 1, not {days}")
    return days


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--older-than", type=_days, metavar="DAYS", help="age in days (default: SUPPORTBOT_RETENTION_DAYS)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    days = args.older_than or settings.retention_days
    if days is None:
        raise ConfigError("say how old: --older-than DAYS, or set SUPPORTBOT_RETENTION_DAYS")
    counts = purge_older_than(open_database(settings.database_url), days)
    print(f"Older than {days} days: {counts.describe()}.")
    return 0

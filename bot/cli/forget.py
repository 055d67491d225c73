"""`supportbot forget CUSTOMER`: the right to erasure. Blanks what the customer wrote and who they are,
keeps the rows `/stats` counts, and records it in the audit log (bot.core.customer_data)."""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlmodel import Session

from bot.config import Settings
from bot.core import customer_data
from bot.storage import open_database

NAME = "forget"
HELP = "erase a customer's conversation text and profile (platform:user_id or e-mail); counts stay"


class NotConfirmed(Exception):
    """Nothing was erased: the person did not confirm (or could not be asked)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "customer", metavar="CUSTOMER", help="slack:U0123ABCD, discord:80351110224678912, console:alice or an e-mail"
    )
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation (needed when not on a terminal)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    engine = open_database(settings.database_url)
    with Session(engine) as session:
        found = customer_data.find_customers(session, args.customer)
        names = [f"#{c.id} {c.platform}:{c.platform_user_id}" + (f" ({c.display_name})" if c.display_name else "") for c in found]
    if not args.yes:
        _confirm(names)
    result = customer_data.forget(engine, args.customer, f"cli:{_user()}")
    print(result.describe())
    return 0


def _confirm(names: list[str]) -> None:
    """Ask on a terminal; a script must say --yes, so an erasure never happens by accident."""
    if not sys.stdin.isatty():
        raise NotConfirmed("not a terminal, so nobody could confirm; pass --yes to forget without asking")
    print("This erases, for good, what these customers wrote and who they are:", *names, sep="\n  ", file=sys.stderr)
    if input("Forget them? [y/N] ").strip().lower() not in ("y", "yes"):
        raise NotConfirmed("nothing was erased")


def _user() -> str:
    """Who ran it, for the audit log."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "unknown"

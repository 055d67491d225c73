"""`supportbot export CUSTOMER`: an access request's answer, everything stored about the customer as
JSON (bot.core.customer_data.export)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.config import Settings
from bot.core import customer_data
from bot.storage import open_database

NAME = "export"
HELP = "everything stored about a customer (platform:user_id or e-mail), as JSON"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "customer", metavar="CUSTOMER", help="slack:U0123ABCD, discord:80351110224678912, console:alice or an e-mail"
    )
    parser.add_argument("--out", type=Path, help="JSON file to write (default: standard output)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    data = customer_data.export(open_database(settings.database_url), args.customer)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    args.out.write_text(text, encoding="utf-8")
    rows = sum(len(rows) for rows in data.values() if isinstance(rows, list))
    print(f"wrote {rows} rows about {len(data['customer'])} customer account(s) to {args.out}", file=sys.stderr)
    return 0

"""`supportbot feedback export`: the examples agents and customers confirmed, as CSV for review.

Review it, fix or drop rows, and retrain on the reviewed file with
`supportbot train --with-feedback --feedback FILE`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlmodel import Session

from bot.config import Settings
from bot.core import feedback
from bot.feedback_csv import write_csv
from bot.storage import open_database

NAME = "feedback"
HELP = "confirmed examples from clarifying choices, draft verdicts and agent labels"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="feedback_command", required=True, metavar="SUBCOMMAND")
    export = sub.add_parser("export", help="write the confirmed (and rejected) examples as CSV")
    export.add_argument("--out", type=Path, help="CSV file to write (default: standard output)")
    export.add_argument("--confirmed-only", action="store_true", help="leave out rejected drafts")


def run(args: argparse.Namespace, settings: Settings) -> int:
    with Session(open_database(settings.database_url)) as session:
        rows = feedback.confirmed(session, include_rejected=not args.confirmed_only)
    if args.out is None:
        write_csv(rows, sys.stdout)
        return 0
    with args.out.open("w", encoding="utf-8", newline="") as out:
        count = write_csv(rows, out)
    print(f"wrote {count} examples to {args.out}", file=sys.stderr)
    return 0

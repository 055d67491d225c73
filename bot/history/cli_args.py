"""The HISTORY, --preset and --map arguments that `supportbot audit` and `supportbot replay` share."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.history.mappings import FIELDS, PRESETS, parse_map
from bot.history.reader import load_history
from bot.history.tickets import HistoryFile


def add_history_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "history", metavar="HISTORY", type=Path, help="ticket-history export: CSV, JSON lines (.jsonl, .ndjson) or a JSON array"
    )
    parser.add_argument(
        "--preset",
        choices=sorted(PRESETS),
        help="the helpdesk that exported it (default: guessed from the columns): "
        + "; ".join(f"{p.name}: {p.title}" for p in PRESETS.values()),
    )
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help=f"read FIELD from COLUMN instead of the preset's column (repeatable, or comma-separated; FIELD= ignores "
        f"a column); fields: {', '.join(FIELDS)}",
    )
    parser.add_argument("--strict", action="store_true", help="stop at the first bad row instead of skipping it")


def load_from_args(args: argparse.Namespace) -> HistoryFile:
    return load_history(args.history, preset=args.preset, overrides=parse_map(args.map), strict=args.strict)

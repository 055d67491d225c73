"""`supportbot report`: what the bot did over a window, from the database. Automation, deflection and
escalation rates (by trigger), CSAT by interaction type, first reply and resolution against the SLA, a
table per intent (volume, confidence, answer feedback, draft approval, audited accuracy, tier
suggestions), the top knowledge gaps, and drift against the previous weeks and the training data.

Text on standard output; `--html FILE` writes the page with its charts, `--json FILE` (or `-` for
standard output instead of the text) the same figures as JSON. The model is never loaded: drift's
training baseline is the label mix of SUPPORTBOT_INTENTS_FILE.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.config import Settings
from bot.core.policy import load_policy
from bot.reporting.drift import training_labels
from bot.reporting.render_html import render_html
from bot.reporting.render_text import render_text
from bot.reporting.report import build_report, parse_since
from bot.storage import open_database
from bot.storage.tables import utcnow
from models.errors import DataFileError

NAME = "report"
HELP = "rates, CSAT, SLA, per-intent quality, knowledge gaps and drift over a window (text, --html, --json)"


def _since(text: str) -> str:
    try:
        parse_since(text, utcnow())
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=_since, default="7d", help="7d, 4w, 36h, or a UTC date such as 2026-11-01 (default 7d)")
    parser.add_argument("--html", type=Path, metavar="FILE", help="write the report with its charts as one HTML file")
    parser.add_argument("--json", metavar="FILE", help="write the figures as JSON; '-' for standard output (instead of the text)")
    parser.add_argument("--no-training", action="store_true", help="compare the intent mix with the previous weeks only")


def run(args: argparse.Namespace, settings: Settings) -> int:
    now = utcnow()
    window = parse_since(args.since, now)
    policy = load_policy(settings.policy_file)
    training = None
    if not args.no_training:
        try:
            training = training_labels(settings.intents_file)
        except DataFileError as exc:
            print(f"supportbot: no training baseline for drift: {exc}", file=sys.stderr)
    engine = open_database(settings.database_url)
    try:
        with engine.connect() as connection:
            report = build_report(connection, window, policy, training, now)
    finally:
        engine.dispose()
    title = f"{settings.product_name} support report"
    written = []
    if args.html:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(render_html(report, title), encoding="utf-8")
        written.append(str(args.html))
    if args.json:
        data = json.dumps(report.as_json(), indent=2, ensure_ascii=False) + "\n"
        if args.json == "-":
            sys.stdout.write(data)
            return 0
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(data, encoding="utf-8")
        written.append(args.json)
    sys.stdout.write(render_text(report, title))
    if written:
        print(f"\nwritten: {', '.join(written)}")
    return 0

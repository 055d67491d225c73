"""`supportbot audit HISTORY`: what to automate first, from a helpdesk's ticket-history export."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
from transformers.utils import logging as transformers_logging

from bot.audit.audit import AuditOptions, run_audit
from bot.audit.render_html import render_html
from bot.audit.render_text import render_text
from bot.config import Settings
from bot.core.policy import load_policy
from bot.history.cli_args import add_history_arguments, load_from_args
from bot.model_store import ensure_model
from knowledge.embedding import SentenceEncoder
from models.classifier import IntentClassifier

NAME = "audit"
HELP = (
    "audit a ticket-history export: the model's intents and newly discovered topics, how templated each category's "
    "replies are, the recommended tier and deflection, and the baseline to compare against after launch"
)
SKIPPED_SHOWN = 10
ENCODER_TOKENS = 128  # a ticket's topic is in its first sentences; half the default length halves the time


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_history_arguments(parser)
    parser.add_argument("--html", type=Path, metavar="FILE", help="write a self-contained HTML report (charts embedded)")
    parser.add_argument("--json", metavar="FILE", help="write the audit as JSON to FILE, or to standard output with -")
    parser.add_argument(
        "--min-cluster",
        type=_positive,
        metavar="N",
        help="smallest group of unknown tickets that counts as a topic (default: 5 or 0.5%% of the tickets, the larger)",
    )
    parser.add_argument("--model", type=Path, metavar="DIR", help="model directory (default: SUPPORTBOT_MODEL_DIR)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 2:
        raise argparse.ArgumentTypeError("a topic needs at least 2 tickets")
    return value


def run(args: argparse.Namespace, settings: Settings) -> int:
    history = load_from_args(args)
    for problem in history.skipped[:SKIPPED_SHOWN]:
        print(problem, file=sys.stderr)
    if len(history.skipped) > SKIPPED_SHOWN:
        print(f"... and {len(history.skipped) - SKIPPED_SHOWN:,} more rows skipped", file=sys.stderr)
    if settings.torch_threads:
        torch.set_num_threads(settings.torch_threads)
    if args.model is None:
        ensure_model(settings)
    directory = args.model or settings.model_dir
    with _loading(quiet=args.quiet):
        classifier = IntentClassifier.load(directory)
        encoder = SentenceEncoder(settings.base_model, max_length=ENCODER_TOKENS)
    result = run_audit(
        history,
        classifier,
        encoder,
        load_policy(settings.policy_file),
        AuditOptions(min_cluster=args.min_cluster),
        model_name=str(directory),
        progress=not args.quiet,
    )
    to_stdout = args.json == "-"
    if not to_stdout:
        print(render_text(result))
    if args.json is not None:
        if to_stdout:
            print(result.to_json())
        else:
            Path(args.json).write_text(result.to_json() + "\n", encoding="utf-8")
    if args.html is not None:
        args.html.write_text(render_html(result), encoding="utf-8")
    written = [str(p) for p in (args.html, None if to_stdout else args.json) if p is not None]
    if written:
        print(f"\nwrote {' and '.join(written)}", file=sys.stderr if to_stdout else sys.stdout)
    return 0


@contextmanager
def _loading(quiet: bool) -> Iterator[None]:
    """transformers draws a bar while it loads weights: --quiet means none at all."""
    shown = transformers_logging.is_progress_bar_enabled()
    if quiet and shown:
        transformers_logging.disable_progress_bar()
    try:
        yield
    finally:
        if quiet and shown:
            transformers_logging.enable_progress_bar()

"""`supportbot replay HISTORY`: every past ticket through the real bot, nothing sent, and what it would
have done (answered, drafted, escalated and by which trigger, clarified), overall, per intent and against
the history's labels. `--set`/`--tier` replay a what-if policy beside the current one; `--sweep` replays
one setting over a range and charts automation against missed escalations."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm

from bot.config import Settings
from bot.core.policy import load_policy
from bot.history.cli_args import add_history_arguments, load_from_args
from bot.history.tickets import HistoricalTicket, HistoryFile
from bot.model_store import ensure_model
from bot.replay import whatif
from bot.replay.compare import Bars, Source, WhatIf, replay_history
from bot.replay.engine import CONCURRENCY, Progress, Replayer
from bot.replay.render_html import render_html
from bot.replay.render_text import render_text
from bot.replay.result import ReplayResult
from models.artifact import MANIFEST, Manifest
from models.labels import OUT_OF_SCOPE

NAME = "replay"
HELP = "replay ticket history through the bot without sending anything: what it would have done, and what-ifs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_history_arguments(parser)
    parser.add_argument(
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="replay a variant policy with this setting changed (repeatable), e.g. low_confidence.threshold=0.5, "
        "frustration.enabled=false, answer.max_wrong_rate=0.05",
    )
    parser.add_argument(
        "--tier",
        dest="tiers",
        action="append",
        default=[],
        metavar="INTENT=TIER",
        help="the variant puts INTENT in TIER: auto, assisted, human or off (repeatable)",
    )
    parser.add_argument(
        "--sweep",
        metavar="KEY=START:STOP:STEP",
        help="replay once per value of a numeric setting (at most 25) and chart automation against missed escalations",
    )
    parser.add_argument("--html", type=Path, metavar="FILE", help="write the report as one self-contained HTML page")
    parser.add_argument("--json", metavar="FILE|-", help="write the result as JSON (- for standard output, instead of the text)")
    parser.add_argument("--limit", type=int, metavar="N", help="replay only the first N tickets")
    parser.add_argument("--model", type=Path, help="model directory (default: SUPPORTBOT_MODEL_DIR)")
    parser.add_argument(
        "--concurrency", type=int, default=CONCURRENCY, metavar="N", help=f"tickets in flight at once (default {CONCURRENCY})"
    )
    parser.add_argument(
        "--no-batch",
        action="store_true",
        help="classify each message and embed each query when the pipeline asks, exactly as the live bot does (slower; "
        "the decisions are the same)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def _fail(message: str) -> int:
    print(f"supportbot: error: {message}", file=sys.stderr)
    return 2


def _intents(model_dir: Path) -> list[str] | None:
    """The model's intents from its manifest (cheap: no weights), or None when there is no model yet."""
    path = model_dir / MANIFEST
    if not path.is_file():
        return None
    return [label for label in Manifest.from_json(path).labels if label != OUT_OF_SCOPE]


def _what_if(args: argparse.Namespace, settings: Settings, model_dir: Path) -> WhatIf:
    baseline = load_policy(settings.policy_file)
    changes = tuple(whatif.parse_setting(raw, baseline) for raw in args.settings)
    intents = _intents(model_dir)
    tiers = tuple(whatif.parse_tier(raw, intents) for raw in args.tiers) if intents is not None else ()
    start = whatif.apply(baseline, changes)
    sweep = whatif.parse_sweep(args.sweep, start) if args.sweep else None
    return WhatIf(changes, tiers, sweep)


def _replay(
    args: argparse.Namespace,
    settings: Settings,
    what: WhatIf,
    history: HistoryFile,
    tickets: Sequence[HistoricalTicket],
    bar: Bars,
) -> ReplayResult:
    replayer = Replayer.load(settings, args.model)
    if args.tiers and not what.tiers:  # no model to check the intents against before: check them now
        what = WhatIf(what.settings, tuple(whatif.parse_tier(raw, replayer.intents) for raw in args.tiers), what.sweep)
    policy = str(settings.policy_file or "bundled (bot/core/policy.yaml)")
    source = Source(str(args.history), len(history.skipped), str(args.model or settings.model_dir), policy)
    baseline = load_policy(settings.policy_file)
    return replay_history(replayer, tickets, baseline, what, source, batched=not args.no_batch, bars=bar)


def run(args: argparse.Namespace, settings: Settings) -> int:
    model_dir = args.model or settings.model_dir
    if args.limit is not None and args.limit < 1:
        return _fail("--limit must be at least 1")
    try:
        what = _what_if(args, settings, model_dir)
    except whatif.WhatIfError as exc:
        return _fail(str(exc))
    history = load_from_args(args)
    tickets = history.tickets[: args.limit] if args.limit else history.tickets
    if not tickets:
        return _fail(f"{args.history}: no tickets to replay")
    if args.model is None:
        ensure_model(settings)
    quiet = args.quiet

    @contextmanager
    def bar(description: str, total: int) -> Iterator[Progress | None]:
        with tqdm(total=total, desc=description, unit="ticket", file=sys.stderr, disable=quiet, leave=False) as progress:
            yield progress.update

    quieted = {name: logging.getLogger(name).level for name in ("supportbot", "alembic")}
    for name in quieted:  # a line per ticket or database would bury the report
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger(name).getEffectiveLevel()))
    try:
        result = _replay(args, settings, what, history, tickets, bar)
    except whatif.WhatIfError as exc:
        return _fail(str(exc))
    finally:
        for name, level in quieted.items():
            logging.getLogger(name).setLevel(level)
    if args.html:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(render_html(result), encoding="utf-8")
    if args.json == "-":
        print(result.to_json())
        return 0
    if args.json:
        Path(args.json).write_text(result.to_json(), encoding="utf-8")
    print(render_text(result))
    written = [str(p) for p in (args.html, args.json) if p]
    if written:
        print(f"written: {', '.join(written)}")
    return 0

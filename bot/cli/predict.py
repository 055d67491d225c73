"""`supportbot predict`: classify one text, or one text per line on standard input."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from bot.config import Settings
from models.classifier import IntentClassifier, Prediction
from models.context import TurnContext

NAME = "predict"
HELP = "classify text: intent, calibrated confidence, out-of-scope flag, top-3, conversation signals"
AFTER = {
    "nothing": TurnContext(),
    "answer": TurnContext(bot_last="answered", turn_index=1),
    "not-quite": TurnContext(bot_last="answered", pressed="not_quite", failed_answers=1, turn_index=1),
    "clarifying": TurnContext(bot_last="clarified", turn_index=1),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, help="model directory (default: SUPPORTBOT_MODEL_DIR)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--after",
        choices=sorted(AFTER),
        default="nothing",
        help="read the signals as a reply to: nothing (a first message), an answer, an answer marked "
        "'Not quite', a clarifying question",
    )
    parser.add_argument("text", nargs="?", help="text to classify; omit to read lines from standard input")


def run(args: argparse.Namespace, settings: Settings) -> int:
    classifier = IntentClassifier.load(args.model or settings.model_dir)
    texts = [args.text] if args.text is not None else [line.rstrip("\n") for line in sys.stdin]
    for start in range(0, len(texts), 256):
        chunk = texts[start : start + 256]
        for prediction in classifier.classify_many(chunk, [AFTER[args.after]] * len(chunk)):
            print(json.dumps(asdict(prediction), ensure_ascii=False) if args.json else describe(prediction))
    return 0


def describe(prediction: Prediction) -> str:
    flag = "OUT OF SCOPE" if prediction.out_of_scope else "in scope"
    top = ", ".join(f"{alt.intent} {alt.confidence:.2f}" for alt in prediction.alternatives)
    line = f"{prediction.intent} ({prediction.confidence:.2f}, {flag}; score {prediction.in_scope_score:.3f}) top-3: {top}"
    if prediction.signals:
        line += "; signals: " + ", ".join(f"{s.name} {s.probability:.2f}{'*' if s.fired else ''}" for s in prediction.signals)
    return line

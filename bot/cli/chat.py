"""`supportbot chat`: talk to the bot in the terminal (trains the bundled model first if needed)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.predict import describe
from bot.config import Settings
from bot.model_store import ensure_model
from models.classifier import IntentClassifier

NAME = "chat"
HELP = "chat with the bot in this terminal"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, help="model directory (default: SUPPORTBOT_MODEL_DIR, trained if missing)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.model is None:
        ensure_model(settings)
    classifier = IntentClassifier.load(args.model or settings.model_dir)
    print("supportbot console: type a customer message, Ctrl-D to quit.")
    while True:
        try:
            text = input("you> ")
        except EOFError:
            print()
            return 0
        prediction = classifier.classify(text)
        print(f"bot> {describe(prediction)}")

"""`supportbot chat`: talk to the bot in the terminal (trains the bundled model and indexes the
knowledge base first if needed). Until the conversation core lands it shows, per message, the
classification and what the resolver would answer; unanswered questions are logged as knowledge gaps."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.predict import describe
from bot.config import Settings
from bot.knowledge_service import build_resolver, open_index
from bot.model_store import ensure_model
from bot.storage import open_database
from knowledge.gaps import GapLog
from knowledge.types import Answer, CustomerContext, NoAnswer, ResolveRequest
from models.classifier import IntentClassifier

NAME = "chat"
HELP = "chat with the bot in this terminal"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, help="model directory (default: SUPPORTBOT_MODEL_DIR, trained if missing)")
    parser.add_argument("--plan", default="team", help="the demo customer's plan (free, team, business, enterprise)")
    parser.add_argument("--role", default="member", help="the demo customer's role (owner, admin, member, guest)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.model is None:
        ensure_model(settings)
    classifier = IntentClassifier.load(args.model or settings.model_dir)
    index, _ = open_index(settings, progress=True)
    resolver = build_resolver(settings, index)
    gaps = GapLog(open_database(settings.database_url))
    customer = CustomerContext(customer_id="console", plan=args.plan, role=args.role)
    print(f"supportbot console ({len(index.kb.articles)} articles): type a customer message, Ctrl-D to quit.")
    while True:
        try:
            text = input("you> ")
        except EOFError:
            print()
            return 0
        prediction = classifier.classify(text)
        print(f"  [{describe(prediction)}]")
        if prediction.out_of_scope:
            outcome: Answer | NoAnswer = NoAnswer("the message looks out of scope")
        else:
            outcome = resolver.answer(ResolveRequest(text, prediction.intent, prediction.confidence, customer))
        if isinstance(outcome, Answer):
            print(f"bot> {outcome.render()}".replace("\n", "\n     "))
            print(f"  [answer from {outcome.article_id} › {outcome.heading}, confidence {outcome.confidence:.2f}]")
        else:
            print("bot> I don't have a good answer for that; a person from the team will pick this up.")
            logged = ""
            if text.strip():
                gaps.record("unanswered", text, prediction.best_intent, outcome.best_article_id, outcome.best_score or None)
                logged = "; logged as a knowledge gap"
            print(f"  [no answer: {outcome.reason}{logged}]")

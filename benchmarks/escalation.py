"""Escalation decisions on labelled multi-turn conversations (benchmarks/data/escalation_conversations.yaml).

    python -m benchmarks.escalation [--model DIR]

Each conversation runs through the real bot (bundled model, knowledge base, policy, SQLite) as a new
customer with the labelled plan and account value; the bot's answers sit between the turns, as in
production (no button presses: only text). Two runs:
- the full policy: did the conversation reach an agent? (precision/recall against `escalate`)
- the frustration signal alone: every other trigger switched off and every intent in the auto tier,
  so frustration is judged on every turn; did it fire? (precision/recall against `frustrated`)
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from benchmarks.common import REPO, RESULTS, discard, write_result
from bot.config import load_settings
from bot.core.app import SupportBot
from bot.core.events import CustomerMessage, CustomerProfile, Person, Place
from bot.runtime import build_bot
from models.charts import pyplot, save_png

DATA = REPO / "benchmarks" / "data" / "escalation_conversations.yaml"


@dataclass(frozen=True)
class Labelled:
    id: str
    tier: str
    account_value: float
    turns: list[str]
    escalate: bool
    reasons: list[str]
    frustrated: bool


@dataclass(frozen=True)
class Outcome:
    escalated: bool
    at_turn: int | None  # 1-based
    triggers: tuple[str, ...]


def load(path: Path = DATA) -> list[Labelled]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]
    return [
        Labelled(
            c["id"],
            c["customer"]["tier"],
            float(c["customer"]["account_value"]),
            [t["text"] if isinstance(t, dict) else t for t in c["turns"]],  # the held-out set labels each turn
            c["escalate"],
            c["reasons"],
            c["frustrated"],
        )
        for c in raw
    ]


async def run_one(bot: SupportBot, convo: Labelled, run: str) -> Outcome:
    person = Person("bench", f"{run}-{convo.id}")
    place = Place("bench", f"dm-{run}-{convo.id}")
    profile = CustomerProfile(company=f"Customer {convo.id}", tier=convo.tier, account_value=convo.account_value)
    for number, text in enumerate(convo.turns, start=1):
        message_id = f"{run}-{convo.id}-{number}"
        await bot.handle(CustomerMessage(message_id, person, place, text, profile))
        decided = await bot.db(bot.store.decision_of, "bench", message_id)
        if decided is not None and decided.outcome == "handed_off":
            return Outcome(True, number, tuple(decided.triggers.split(",")) if decided.triggers else ())
    return Outcome(False, None, ())


def scores(gold: list[bool], predicted: list[bool]) -> dict[str, float | int]:
    tp = sum(g and p for g, p in zip(gold, predicted, strict=True))
    fp = sum(p and not g for g, p in zip(gold, predicted, strict=True))
    fn = sum(g and not p for g, p in zip(gold, predicted, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "accuracy": round(accuracy, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "n": len(gold),
    }


def frustration_only(bot: SupportBot) -> None:
    for name in ("human_request", "low_confidence", "business_rules", "no_answer", "action_failed"):
        bot.tiers.set_trigger(name, False)
    for intent in bot.tiers.intents:
        bot.tiers.set_tier(intent, "auto")


async def evaluate(bot: SupportBot, conversations: list[Labelled], run: str) -> list[Outcome]:
    return [await run_one(bot, c, run) for c in conversations]


def chart(by_reason: dict[str, dict[str, int]], escalation: dict[str, Any], frustration: dict[str, Any], path: Path) -> Path:
    """Recall per labelled reason, and precision/recall of the decision and of the frustration signal."""
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [3, 2]})
    names = list(by_reason)
    recall = [by_reason[n]["escalated"] / max(1, by_reason[n]["labelled"]) for n in names]
    bars = left.bar(names, recall, color="#4c72b0")
    for bar, name in zip(bars, names, strict=True):
        counts = by_reason[name]
        left.text(
            bar.get_x() + bar.get_width() / 2,
            bar.get_height() + 0.01,
            f"{counts['escalated']}/{counts['labelled']}",
            ha="center",
            fontsize=9,
        )
    left.set_ylim(0, 1.1)
    left.set_ylabel("escalated / labelled")
    left.set_title("Recall by labelled reason")
    left.tick_params(axis="x", labelrotation=20)
    groups = ["escalation decision", "frustration signal alone"]
    x = np.arange(len(groups))
    for offset, metric, colour in ((-0.18, "precision", "#55a868"), (0.18, "recall", "#c44e52")):
        values = [escalation[metric], frustration[metric]]
        right.bar(x + offset, values, width=0.36, label=metric, color=colour)
    right.set_xticks(x, groups)
    right.set_ylim(0, 1.1)
    right.legend(loc="lower right")
    right.set_title(f"{escalation['n']} labelled conversations")
    return save_png(fig, path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None, help="default: SUPPORTBOT_MODEL_DIR")
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    conversations = load(args.data)
    with tempfile.TemporaryDirectory() as scratch:
        settings = load_settings().model_copy(update={"database_url": f"sqlite:///{scratch}/escalation.db"})
        started = time.perf_counter()
        full_bot = build_bot(settings, args.model)
        full_bot.attach(discard)
        full = asyncio.run(evaluate(full_bot, conversations, "full"))
        solo_settings = settings.model_copy(update={"database_url": f"sqlite:///{scratch}/frustration.db"})
        solo_bot = build_bot(solo_settings, args.model)
        solo_bot.attach(discard)
        frustration_only(solo_bot)
        solo = asyncio.run(evaluate(solo_bot, conversations, "solo"))
        seconds = time.perf_counter() - started

    escalation = scores([c.escalate for c in conversations], [o.escalated for o in full])
    frustration = scores([c.frustrated for c in conversations], ["frustration" in o.triggers for o in solo])
    by_reason: dict[str, dict[str, int]] = {}
    reasons = sorted({r for c in conversations for r in c.reasons})
    for reason in reasons:
        labelled = [o for c, o in zip(conversations, full, strict=True) if reason in c.reasons]
        by_reason[reason] = {"labelled": len(labelled), "escalated": sum(o.escalated for o in labelled)}
    fired = Counter(t for o in full for t in o.triggers)
    errors: list[dict[str, Any]] = []
    for c, o, s in zip(conversations, full, solo, strict=True):
        if c.escalate != o.escalated:
            errors.append(
                {
                    "id": c.id,
                    "kind": "missed escalation" if c.escalate else "needless escalation",
                    "reasons": c.reasons,
                    "fired": list(o.triggers),
                    "turns": c.turns,
                }
            )
        if c.frustrated != ("frustration" in s.triggers):
            errors.append({"id": c.id, "kind": "missed frustration" if c.frustrated else "false frustration", "turns": c.turns})
    result = {
        "conversations": len(conversations),
        "escalation": escalation,
        "frustration_signal": frustration,
        "recall_by_labelled_reason": by_reason,
        "triggers_fired": dict(fired),
        "mean_turn_of_escalation": round(
            sum(o.at_turn or 0 for o in full if o.escalated) / max(1, sum(o.escalated for o in full)), 2
        ),
        "seconds": round(seconds, 1),
        "errors": errors,
        "command": "python -m benchmarks.escalation",
    }
    name = "escalation" if args.data == DATA else f"escalation_{args.data.stem.removeprefix('escalation_')}"
    result["command"] = "python -m benchmarks.escalation" + ("" if args.data == DATA else f" --data {args.data}")
    path = write_result(name, result)
    chart(by_reason, escalation, frustration, RESULTS / f"{name}.png")
    print(f"{len(conversations)} conversations in {seconds:.0f} s")
    print("escalation: precision {precision:.1%} recall {recall:.1%} F1 {f1:.3f} accuracy {accuracy:.1%}".format(**escalation))
    print("frustration signal alone: precision {precision:.1%} recall {recall:.1%} F1 {f1:.3f}".format(**frustration))
    for reason, counts in by_reason.items():
        print(f"  {reason}: {counts['escalated']}/{counts['labelled']} escalated")
    print(f"triggers fired: {dict(fired)}; errors: {len(errors)} (see {path})")


if __name__ == "__main__":
    main()

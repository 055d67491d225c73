"""Escalation decisions on labelled multi-turn conversations.

    python -m benchmarks.escalation --data benchmarks/data/escalation_heldout.yaml --sweep   # held-out
    python -m benchmarks.escalation                                                          # in-sample

Each conversation runs through the real bot (bundled model, knowledge base, policy, SQLite) as a new
customer with the labelled plan and account value; the bot's answers sit between the turns, as in
production (no button presses: only text). Two policies in the same run, on the same model:
`signals` (the bundled policy: the model's signals head, rules over it) and `keywords` (the same file
with `signals.enabled: false`: the word lists decide alone, as before the signals head). For each:
- the full policy: did the conversation reach an agent? (precision/recall against `escalate`)
- the frustration trigger alone: every other trigger switched off and every intent in the auto tier,
  so frustration is judged on every turn; did it fire? (precision/recall against `frustrated`)
Where the data labels each turn's signals (the held-out set does), an `observe` run with every trigger
off scores each signal per turn. `--sweep` reruns the signals policy with the three escalation
signals' thresholds set to one common value, for the precision/recall chart a lead picks a point on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
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
from models.signal_scoring import score_signals

DATA = REPO / "benchmarks" / "data" / "escalation_conversations.yaml"


@dataclass(frozen=True)
class Labelled:
    id: str
    tier: str
    account_value: float
    turns: list[str]
    turn_signals: list[set[str]] | None  # per-turn labels, where the data has them
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
            [set(t.get("signals", [])) for t in c["turns"]] if all(isinstance(t, dict) for t in c["turns"]) else None,
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


ESCALATING_SIGNALS = ("frustrated", "wants_human", "risk")
SWEEP = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def frustration_only(bot: SupportBot) -> None:
    for name in ("human_request", "low_confidence", "business_rules", "no_answer", "action_failed", "risk"):
        bot.tiers.set_trigger(name, False)
    for intent in bot.tiers.intents:
        bot.tiers.set_tier(intent, "auto")


def observe_only(bot: SupportBot) -> None:
    frustration_only(bot)
    bot.tiers.set_trigger("frustration", False)


def keywords_only(bot: SupportBot) -> None:
    bot.policy.signals.enabled = False


async def evaluate(bot: SupportBot, conversations: list[Labelled], run: str) -> list[Outcome]:
    return [await run_one(bot, c, run) for c in conversations]


class Runner:
    """Builds a fresh bot (own SQLite file) per run, all on one loaded model directory."""

    def __init__(self, scratch: str, model: Path | None) -> None:
        self.scratch, self.model, self.count = scratch, model, 0

    def bot(self, *setup: Callable[[SupportBot], None]) -> SupportBot:
        self.count += 1
        settings = load_settings().model_copy(update={"database_url": f"sqlite:///{self.scratch}/run{self.count}.db"})
        bot = build_bot(settings, self.model)
        bot.attach(discard)
        for step in setup:
            step(bot)
        return bot

    def run(self, conversations: list[Labelled], name: str, *setup: Callable[[SupportBot], None]) -> list[Outcome]:
        return asyncio.run(evaluate(self.bot(*setup), conversations, name))


def policy_result(conversations: list[Labelled], full: list[Outcome], solo: list[Outcome]) -> dict[str, Any]:
    escalation = scores([c.escalate for c in conversations], [o.escalated for o in full])
    frustration = scores([c.frustrated for c in conversations], ["frustration" in o.triggers for o in solo])
    by_reason: dict[str, dict[str, int]] = {}
    for reason in sorted({r for c in conversations for r in c.reasons}):
        labelled = [o for c, o in zip(conversations, full, strict=True) if reason in c.reasons]
        by_reason[reason] = {"labelled": len(labelled), "escalated": sum(o.escalated for o in labelled)}
    errors: list[dict[str, Any]] = []
    for c, o, s in zip(conversations, full, solo, strict=True):
        if c.escalate != o.escalated:
            kind = "missed escalation" if c.escalate else "needless escalation"
            errors.append({"id": c.id, "kind": kind, "reasons": c.reasons, "fired": list(o.triggers), "turns": c.turns})
        if c.frustrated != ("frustration" in s.triggers):
            errors.append({"id": c.id, "kind": "missed frustration" if c.frustrated else "false frustration", "turns": c.turns})
    return {
        "escalation": escalation,
        "frustration_signal": frustration,
        "recall_by_labelled_reason": by_reason,
        "triggers_fired": dict(Counter(t for o in full for t in o.triggers)),
        "mean_turn_of_escalation": round(
            sum(o.at_turn or 0 for o in full if o.escalated) / max(1, sum(o.escalated for o in full)), 2
        ),
        "errors": errors,
    }


async def turn_signals(bot: SupportBot, conversations: list[Labelled]) -> dict[str, dict[str, Any]]:
    """Every turn decided (no trigger can hand off), each signal's stored probability against its label."""
    probs: list[dict[str, float]] = []
    gold: list[set[str]] = []
    for convo in conversations:
        await run_one(bot, convo, "observe")
        for number, labels in enumerate(convo.turn_signals or [], start=1):
            decided = await bot.db(bot.store.decision_of, "bench", f"observe-{convo.id}-{number}")
            probs.append(json.loads(decided.signals) if decided is not None and decided.signals else {})
            gold.append(labels)
    manifest = bot.services.classifier.manifest.signals
    if manifest is None:
        return {}
    names = list(manifest.names)
    matrix = np.array([[p.get(n, 0.0) for n in names] for p in probs])
    truth = np.array([[n in g for n in names] for g in gold])
    return {row.name: asdict(row) for row in score_signals(matrix, truth, names, manifest.thresholds)}


def set_signal_thresholds(value: float) -> Callable[[SupportBot], None]:
    def setup(bot: SupportBot) -> None:
        for name in ESCALATING_SIGNALS:
            bot.policy.signals.setting(name).threshold = value

    return setup


def comparison_chart(policies: dict[str, dict[str, Any]], title: str, path: Path) -> Path:
    """Precision/recall of the decision and of frustration, per policy; recall by labelled reason."""
    plt = pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.2), gridspec_kw={"width_ratios": [3, 2]})
    colours = {"signals": "#4c72b0", "keywords": "#bbbbbb"}
    reasons = list(next(iter(policies.values()))["recall_by_labelled_reason"])
    x = np.arange(len(reasons))
    width = 0.8 / len(policies)
    for i, (name, result) in enumerate(policies.items()):
        counts = result["recall_by_labelled_reason"]
        values = [counts[r]["escalated"] / max(1, counts[r]["labelled"]) for r in reasons]
        left.bar(x + (i - (len(policies) - 1) / 2) * width, values, width=width, label=name, color=colours.get(name))
    counts = policies["signals"]["recall_by_labelled_reason"]
    left.set_xticks(x, [f"{r.replace('_', ' ')}\n(n={counts[r]['labelled']})" for r in reasons], fontsize=8, rotation=15)
    left.set_ylim(0, 1.1)
    left.set_ylabel("escalated / labelled")
    left.set_title("Recall by labelled reason")
    left.legend(loc="lower right")
    labels = ["decision P", "decision R", "frustr. P", "frustr. R"]
    for i, name in enumerate(policies):
        values = [policies[name][k][m] for k in ("escalation", "frustration_signal") for m in ("precision", "recall")]
        right.bar(np.arange(4) + (i - (len(policies) - 1) / 2) * width, values, width=width, label=name, color=colours.get(name))
    right.axhline(0.9, color="#c44e52", linestyle=":", linewidth=1)
    right.set_xticks(np.arange(4), labels)
    right.set_ylim(0, 1.1)
    right.set_title(title)
    return save_png(fig, path, dpi=120)


def sweep_chart(points: list[dict[str, Any]], path: Path) -> Path:
    plt = pyplot()
    fig, axis = plt.subplots(figsize=(6, 4))
    t = [p["threshold"] for p in points]
    axis.plot(t, [p["precision"] for p in points], marker="o", label="precision", color="#55a868")
    axis.plot(t, [p["recall"] for p in points], marker="o", label="recall", color="#c44e52")
    axis.plot(t, [p["f1"] for p in points], marker=".", linestyle="--", label="F1", color="#4c72b0")
    axis.set_xlabel("threshold of frustrated, wants_human and risk (one value for all three)")
    axis.set_ylabel("escalation decision")
    axis.set_ylim(0, 1.05)
    axis.legend(loc="lower left")
    axis.set_title("Operating points (held-out conversations)" if "heldout" in path.name else "Operating points")
    return save_png(fig, path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None, help="default: SUPPORTBOT_MODEL_DIR")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--sweep", action="store_true", help="also sweep the signal thresholds (9 more runs)")
    args = parser.parse_args()
    conversations = load(args.data)
    name = "escalation" if args.data == DATA else f"escalation_{args.data.stem.removeprefix('escalation_')}"
    started = time.perf_counter()
    policies: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        runner = Runner(scratch, args.model)
        for policy, setup in (("signals", ()), ("keywords", (keywords_only,))):
            full = runner.run(conversations, f"{policy}-full", *setup)
            solo = runner.run(conversations, f"{policy}-solo", *setup, frustration_only)
            policies[policy] = policy_result(conversations, full, solo)
        per_turn = {}
        if all(c.turn_signals is not None for c in conversations):
            per_turn = asyncio.run(turn_signals(runner.bot(observe_only), conversations))
        points = []
        for value in SWEEP if args.sweep else ():
            outcomes = runner.run(conversations, f"sweep-{value}", set_signal_thresholds(value))
            points.append({"threshold": value, **scores([c.escalate for c in conversations], [o.escalated for o in outcomes])})
            print(f"  sweep {value:.1f}: precision {points[-1]['precision']:.1%} recall {points[-1]['recall']:.1%}")
    seconds = time.perf_counter() - started
    result = {
        "conversations": len(conversations),
        "policies": policies,
        "turn_signals": per_turn,
        "sweep": points,
        "seconds": round(seconds, 1),
        "command": "python -m benchmarks.escalation"
        + ("" if args.data == DATA else f" --data {args.data}")
        + (" --sweep" if args.sweep else ""),
    }
    path = write_result(name, result)
    comparison_chart(policies, f"{len(conversations)} conversations", RESULTS / f"{name}.png")
    if points:
        sweep_chart(points, RESULTS / f"{name}_sweep.png")
    print(f"{len(conversations)} conversations in {seconds:.0f} s")
    for policy, outcome in policies.items():
        e, f = outcome["escalation"], outcome["frustration_signal"]
        print(
            f"{policy:>8}: escalation precision {e['precision']:.1%} recall {e['recall']:.1%} F1 {e['f1']:.3f}; "
            f"frustration precision {f['precision']:.1%} recall {f['recall']:.1%}"
        )
        for reason, counts in outcome["recall_by_labelled_reason"].items():
            print(f"           {reason}: {counts['escalated']}/{counts['labelled']} escalated")
    for signal, row in per_turn.items():
        print(f"  turn-level {signal}: precision {row['precision']:.1%} recall {row['recall']:.1%} (n+={row['support']})")
    print(f"errors: see {path}")


if __name__ == "__main__":
    main()

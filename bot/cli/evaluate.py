"""`supportbot eval`: score a trained model on labelled intents (YAML or CSV) and, when the model has
a signals head, its conversation signals on labelled conversations."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from bot.cli.evaluate_answers import chart as answer_chart
from bot.cli.evaluate_answers import evaluate_answers
from bot.cli.evaluate_answers import render as render_answers
from bot.config import BUNDLED_INTENTS_TEST, HELDOUT_ANSWERS, HELDOUT_SIGNALS, Settings
from bot.core.policy import load_policy
from models.charts import confusion_matrix_png
from models.classifier import IntentClassifier
from models.dataset import load_data
from models.evaluation import EvalReport, evaluate
from models.signal_data import load_signal_data
from models.signal_scoring import SignalScores, as_rows, score_signals

NAME = "eval"
HELP = "evaluate a model: intents (accuracy, macro-F1, calibration, out-of-scope) and conversation signals"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, help="model directory (default: SUPPORTBOT_MODEL_DIR)")
    parser.add_argument(
        "--data", type=Path, default=BUNDLED_INTENTS_TEST, help="labelled YAML or CSV (default: bundled test split)"
    )
    parser.add_argument("--text-column", default="text")
    parser.add_argument("--label-column", default="label")
    parser.add_argument(
        "--signals", type=Path, default=HELDOUT_SIGNALS, help="conversations with per-turn signals (default: the held-out set)"
    )
    parser.add_argument("--no-signals", action="store_true", help="intents only")
    parser.add_argument(
        "--answers", type=Path, default=HELDOUT_ANSWERS, help="questions labelled with their article (default: the held-out set)"
    )
    parser.add_argument("--budget", type=float, help="wrong-answer budget to show (default: the policy's answer.max_wrong_rate)")
    parser.add_argument("--no-answers", action="store_true", help="skip the answer gate")
    parser.add_argument("--answer-chart", type=Path, default=Path("risk_coverage.png"), help="risk–coverage PNG to write")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.add_argument("--chart", type=Path, default=Path("confusion_matrix.png"), help="confusion-matrix PNG to write")
    parser.add_argument("--no-chart", action="store_true")


def run(args: argparse.Namespace, settings: Settings) -> int:
    classifier = IntentClassifier.load(args.model or settings.model_dir)
    data = load_data(args.data, args.text_column, args.label_column)
    gold = [e.label for e in data.examples]
    predictions = classifier.classify_many([e.text for e in data.examples])
    report = evaluate(predictions, gold, classifier.intents)
    if not args.no_chart:
        confusion_matrix_png(gold, [p.intent for p in predictions], classifier.manifest.labels, args.chart)
    signals = None if args.no_signals or not classifier.signal_names else score_turns(classifier, args.signals)
    answers = None
    if not args.no_answers:
        policy = load_policy(settings.policy_file)
        budget = args.budget if args.budget is not None else policy.answer.max_wrong_rate
        floor = policy.low_confidence.threshold if policy.low_confidence.enabled else None
        answers = evaluate_answers(settings, classifier, args.model or settings.model_dir, args.answers, budget, floor)
        if answers is not None and not args.no_chart:
            answer_chart(answers, args.answer_chart)
    if args.json:
        gate = None if answers is None else {"threshold": answers.threshold, **answers.points()}
        print(json.dumps({**report.to_dict(), "signals": as_rows(signals or []), "answers": gate}, indent=2, default=vars))
    else:
        print(render(report, args.data))
        if signals is not None:
            print(render_signals(signals, args.signals))
        if answers is not None:
            print(render_answers(answers))
        if not args.no_chart:
            print(f"\nconfusion matrix: {args.chart}" + (f"; risk–coverage: {args.answer_chart}" if answers else ""))
    return 0


def score_turns(classifier: IntentClassifier, path: Path) -> list[SignalScores]:
    """Each labelled turn read in its conversation's context, at the model's thresholds."""
    names = tuple(classifier.signal_names)
    data = load_signal_data(path, names)
    turns = data.turns
    predictions = classifier.classify_many([t.text for t in turns], [t.context for t in turns])
    probs = np.array([[score.probability if (score := p.signal(n)) else 0.0 for n in names] for p in predictions])
    gold = np.array([[n in t.labels for n in names] for t in turns])
    thresholds = [classifier.manifest.signals.threshold(n) if classifier.manifest.signals else 0.5 for n in names]
    return score_signals(probs, gold, names, thresholds)


def render_signals(rows: list[SignalScores], source: Path) -> str:
    lines = ["", f"{source}: conversation signals per turn ({rows[0].n if rows else 0} turns, read in context)"]
    lines += [f"  {'signal':<14} {'threshold':>9} {'precision':>9} {'recall':>7} {'f1':>6} {'AUROC':>6} {'ECE':>6} {'n+':>4}"]
    for r in rows:
        scores = f"{r.precision:>9.2f} {r.recall:>7.2f} {r.f1:>6.2f} {r.auroc:>6.3f} {r.ece:>6.3f}"
        lines.append(f"  {r.name:<14} {r.threshold:>9.2f} {scores} {r.support:>4}")
    return "\n".join(lines)


def render(report: EvalReport, source: Path) -> str:
    lines = [
        f"{source}: {report.n} examples ({report.n_in_scope} in scope, {report.n_out_of_scope} out of scope)",
        f"  in-scope accuracy    {report.in_scope_accuracy:.2%}   (closed-set {report.closed_set_accuracy:.2%})",
        f"  macro-F1             {report.macro_f1:.4f}",
        f"  calibration error    {report.calibration_error:.4f} (ECE, 15 bins)",
    ]
    if report.oos_recall is not None:
        lines += [
            f"  out-of-scope recall  {report.oos_recall:.2%}   precision {report.oos_precision:.2%}"
            f"   F1 {report.oos_f1:.4f}   AUROC {report.oos_auroc:.4f}",
        ]
    lines += ["", f"  {'intent':<28} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>4}"]
    for row in report.per_intent:
        lines.append(f"  {row.label:<28} {row.precision:>9.2f} {row.recall:>7.2f} {row.f1:>6.2f} {row.support:>4}")
    if report.most_confused:
        lines += ["", "  most confused (gold → predicted):"]
        lines += [f"    {gold} → {pred}: {n}" for gold, pred, n in report.most_confused]
    return "\n".join(lines)

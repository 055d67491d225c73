"""Scoring predictions against gold labels: the figures `supportbot eval`, training and benchmarks report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from models.calibration import expected_calibration_error
from models.classifier import Prediction
from models.labels import OUT_OF_SCOPE
from models.metrics import PerLabel, auroc, confused_pairs, per_label_scores

OOS_KEYS = ("oos_recall", "oos_precision", "oos_f1", "oos_auroc")


@dataclass
class EvalReport:
    n: int
    n_in_scope: int
    n_out_of_scope: int
    in_scope_accuracy: float  # right intent and not flagged out of scope (Larson et al.'s definition)
    closed_set_accuracy: float  # right intent, ignoring the out-of-scope flag
    macro_f1: float  # over in-scope intents; an out-of-scope flag on an in-scope message is a miss
    calibration_error: float  # ECE of the calibrated confidence on in-scope messages
    oos_recall: float | None = None
    oos_precision: float | None = None
    oos_f1: float | None = None
    oos_auroc: float | None = None
    per_intent: list[PerLabel] = field(default_factory=list)
    most_confused: list[tuple[str, str, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> dict[str, float | None]:
        keys = ("in_scope_accuracy", "closed_set_accuracy", "macro_f1", "calibration_error", *OOS_KEYS)
        return {key: getattr(self, key) for key in keys}


def evaluate(predictions: Sequence[Prediction], gold: Sequence[str], labels: Sequence[str]) -> EvalReport:
    """`labels` are the model's in-scope intents; gold rows with other in-scope labels count as misses."""
    gold = list(gold)
    decided = [p.intent for p in predictions]
    in_rows = np.array([g != OUT_OF_SCOPE for g in gold])
    oos_rows = ~in_rows
    decided_arr = np.array(decided, dtype=object)
    gold_arr = np.array(gold, dtype=object)
    best = np.array([p.best_intent for p in predictions], dtype=object)
    flagged = np.array([p.out_of_scope for p in predictions])
    confidence = np.array([p.confidence for p in predictions])
    scores = np.array([p.in_scope_score for p in predictions])

    in_gold = [g for g in gold if g != OUT_OF_SCOPE]
    in_decided = [d for d, g in zip(decided, gold, strict=True) if g != OUT_OF_SCOPE]
    per_intent = per_label_scores(gold, decided, sorted(set(labels) | set(in_gold)))
    report = EvalReport(
        n=len(gold),
        n_in_scope=int(in_rows.sum()),
        n_out_of_scope=int(oos_rows.sum()),
        in_scope_accuracy=_mean(decided_arr[in_rows] == gold_arr[in_rows]),
        closed_set_accuracy=_mean(best[in_rows] == gold_arr[in_rows]),
        macro_f1=float(np.mean([row.f1 for row in per_intent])) if per_intent else 0.0,
        calibration_error=expected_calibration_error(confidence[in_rows], best[in_rows] == gold_arr[in_rows]),
        per_intent=per_intent,
        most_confused=confused_pairs(in_gold, in_decided),
    )
    if oos_rows.any():
        caught = flagged & oos_rows
        report.oos_recall = _mean(flagged[oos_rows])
        report.oos_precision = float(caught.sum() / flagged.sum()) if flagged.any() else 0.0
        total = report.oos_recall + report.oos_precision
        report.oos_f1 = 2 * report.oos_recall * report.oos_precision / total if total else 0.0
        report.oos_auroc = auroc(scores[in_rows], scores[oos_rows])
    return report


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if len(values) else 0.0

"""Classification metrics computed with numpy only (no scikit-learn at serving or training time)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np


def auroc(positive: np.ndarray, negative: np.ndarray) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    if len(positive) == 0 or len(negative) == 0:
        return float("nan")
    scores = np.concatenate([positive, negative])
    order = scores.argsort(kind="mergesort")
    ranks = np.empty(len(scores), dtype=float)
    sorted_scores = scores[order]
    # average ranks over ties
    _, starts, counts = np.unique(sorted_scores, return_index=True, return_counts=True)
    for start, count in zip(starts, counts, strict=True):
        ranks[order[start : start + count]] = start + (count + 1) / 2
    rank_sum = ranks[: len(positive)].sum()
    return float((rank_sum - len(positive) * (len(positive) + 1) / 2) / (len(positive) * len(negative)))


@dataclass(frozen=True)
class PerLabel:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


def per_label_scores(gold: list[str], predicted: list[str], labels: list[str]) -> list[PerLabel]:
    true_pos: Counter[str] = Counter()
    pred_count: Counter[str] = Counter(predicted)
    gold_count: Counter[str] = Counter(gold)
    for g, p in zip(gold, predicted, strict=True):
        if g == p:
            true_pos[g] += 1
    rows = []
    for label in labels:
        precision = true_pos[label] / pred_count[label] if pred_count[label] else 0.0
        recall = true_pos[label] / gold_count[label] if gold_count[label] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append(PerLabel(label, precision, recall, f1, gold_count[label]))
    return rows


def confused_pairs(gold: list[str], predicted: list[str], top: int = 10) -> list[tuple[str, str, int]]:
    """The most frequent (gold, predicted) mistakes."""
    mistakes = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    return [(g, p, n) for (g, p), n in mistakes.most_common(top)]


def confusion_matrix(gold: list[str], predicted: list[str], labels: list[str]) -> np.ndarray:
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=int)
    for g, p in zip(gold, predicted, strict=True):
        if g in index and p in index:
            matrix[index[g], index[p]] += 1
    return matrix

"""Turning signal logits into calibrated probabilities and decisions, and measuring them.

Each signal gets its own Platt scaling (a slope and a bias on its logit, fitted on validation data by
log-loss): the head is trained with class weights, so its raw sigmoid over-calls rare signals, and a
slope alone could not move the 50% point back. Each signal then gets the threshold that maximises F1
on the same validation turns; the model directory stores both, the policy may override a threshold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch

from models.calibration import expected_calibration_error
from models.metrics import auroc

THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


@dataclass(frozen=True)
class SignalConfig:
    """The signals head's calibration and thresholds; stored in the model manifest."""

    names: list[str]
    slope: list[float]
    bias: list[float]
    thresholds: list[float]
    context_features: int

    def probabilities(self, logits: torch.Tensor) -> torch.Tensor:
        slope = torch.tensor(self.slope, dtype=logits.dtype)
        bias = torch.tensor(self.bias, dtype=logits.dtype)
        return torch.sigmoid(logits * slope + bias)

    def threshold(self, name: str) -> float:
        return self.thresholds[self.names.index(name)]


def fit_platt(logits: np.ndarray, gold: np.ndarray) -> tuple[float, float]:
    """Slope and bias minimising log-loss of sigmoid(slope * logit + bias); (1, 0) without both classes."""
    if gold.min() == gold.max():
        return 1.0, 0.0
    z = torch.tensor(logits, dtype=torch.float64)
    y = torch.tensor(gold, dtype=torch.float64)
    params = torch.tensor([1.0, 0.0], dtype=torch.float64, requires_grad=True)
    optimiser = torch.optim.LBFGS([params], lr=0.5, max_iter=200, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimiser.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(z * params[0] + params[1], y)
        loss = loss + 1e-4 * (params[0] - 1) ** 2  # a touch of ridge keeps a separable signal finite
        loss.backward()
        return loss

    optimiser.step(closure)
    slope, bias = (float(v) for v in params.detach())
    return round(slope, 5), round(bias, 5)


@dataclass(frozen=True)
class SignalScores:
    name: str
    threshold: float
    precision: float
    recall: float
    f1: float
    auroc: float
    ece: float
    support: int
    n: int


def binary_scores(probs: np.ndarray, gold: np.ndarray, threshold: float) -> tuple[float, float, float]:
    predicted = probs >= threshold
    tp = float(np.sum(predicted & gold))
    precision = tp / predicted.sum() if predicted.sum() else 0.0
    recall = tp / gold.sum() if gold.sum() else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return float(precision), float(recall), float(f1)


PLATEAU = 0.01  # F1 within this of the best counts as equally good


def choose_threshold(probs: np.ndarray, gold: np.ndarray) -> float:
    """The middle of the thresholds whose F1 is within PLATEAU of the best.

    A well-separated signal scores the same F1 from 0.1 to 0.9 on validation data; the edge of that
    plateau is where new writers' messages fall over it, the middle is the most room on both sides."""
    if not gold.any():
        return 0.5
    f1 = np.array([binary_scores(probs, gold, float(t))[2] for t in THRESHOLD_GRID])
    near_best = THRESHOLD_GRID[f1 >= f1.max() - PLATEAU]
    return float(near_best[len(near_best) // 2])


def score_signals(probs: np.ndarray, gold: np.ndarray, names: Sequence[str], thresholds: Sequence[float]) -> list[SignalScores]:
    """Per-signal precision/recall/F1 at the threshold, AUROC and calibration error; rows are turns."""
    rows = []
    for i, name in enumerate(names):
        p, g = probs[:, i], gold[:, i].astype(bool)
        precision, recall, f1 = binary_scores(p, g, thresholds[i])
        rows.append(
            SignalScores(
                name,
                float(thresholds[i]),
                round(precision, 4),
                round(recall, 4),
                round(f1, 4),
                round(auroc(p[g], p[~g]), 4) if g.any() and (~g).any() else float("nan"),
                round(expected_calibration_error(p, g.astype(float), bins=10), 4),
                int(g.sum()),
                len(g),
            )
        )
    return rows


def as_rows(scores: Sequence[SignalScores]) -> list[dict[str, Any]]:
    return [asdict(s) for s in scores]

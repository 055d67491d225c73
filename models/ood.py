"""Out-of-scope scores, and choosing one with its threshold on validation data.

A score is "how in-scope does this look" (higher = more in-scope). Each scorer is registered by name;
training measures every candidate on validation data, keeps the one with the best AUROC, and picks the
threshold there. Max-softmax is one candidate among others, so it is only kept if it wins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from models.metrics import auroc


@dataclass(frozen=True)
class ScoreInputs:
    """What every scorer may look at, for a batch of texts."""

    logits: torch.Tensor  # calibrated logits (already divided by the temperature), (n, classes)
    embeddings: torch.Tensor  # L2-normalised sentence embeddings, (n, dim)
    in_scope: torch.Tensor  # bool mask over classes: False for the explicit out-of-scope class
    bank: torch.Tensor  # L2-normalised embeddings of the in-scope training examples, (m, dim)


@dataclass(frozen=True)
class OodConfig:
    """A chosen scorer and its threshold; stored in the model directory."""

    scorer: str
    threshold: float
    k: int = 1
    norm: dict[str, list[float]] = field(default_factory=dict)  # component -> [mean, std] on in-scope validation


def _max_softmax(x: ScoreInputs, cfg: OodConfig) -> np.ndarray:
    probs = torch.softmax(x.logits, dim=-1)[:, x.in_scope]
    return probs.max(dim=-1).values.numpy()


def _energy(x: ScoreInputs, cfg: OodConfig) -> np.ndarray:
    return torch.logsumexp(x.logits[:, x.in_scope], dim=-1).numpy()


def _knn(x: ScoreInputs, cfg: OodConfig) -> np.ndarray:
    """Cosine similarity to the k-th nearest in-scope training example (Sun et al., 2022)."""
    k = min(cfg.k, len(x.bank))
    sims = x.embeddings @ x.bank.T
    return sims.topk(k, dim=-1).values[:, -1].numpy()


def _oos_class(x: ScoreInputs, cfg: OodConfig) -> np.ndarray:
    probs = torch.softmax(x.logits, dim=-1)
    return 1.0 - probs[:, ~x.in_scope].sum(dim=-1).numpy()


def _standardised(name: str, values: np.ndarray, cfg: OodConfig) -> np.ndarray:
    mean, std = cfg.norm.get(name, [0.0, 1.0])
    return (values - mean) / (std or 1.0)


def _knn_softmax(x: ScoreInputs, cfg: OodConfig) -> np.ndarray:
    """Standardised sum of the neighbour similarity and the calibrated max probability."""
    return _standardised("knn", _knn(x, cfg), cfg) + _standardised("max_softmax", _max_softmax(x, cfg), cfg)


Scorer = Callable[[ScoreInputs, OodConfig], np.ndarray]
SCORERS: dict[str, Scorer] = {
    "max_softmax": _max_softmax,
    "energy": _energy,
    "knn": _knn,
    "oos_class": _oos_class,
    "knn+softmax": _knn_softmax,
}
COMPONENTS = {"knn+softmax": ("knn", "max_softmax")}
KNN_K = (1, 3, 10)


def score(x: ScoreInputs, cfg: OodConfig) -> np.ndarray:
    return SCORERS[cfg.scorer](x, cfg)


def vetoed(x: ScoreInputs) -> np.ndarray:
    """Texts whose most likely class is the explicit out-of-scope class are out of scope regardless."""
    if bool(x.in_scope.all()):
        return np.zeros(len(x.logits), dtype=bool)
    return (~x.in_scope[x.logits.argmax(dim=-1)]).numpy()


def is_out_of_scope(x: ScoreInputs, cfg: OodConfig) -> np.ndarray:
    return (score(x, cfg) < cfg.threshold) | vetoed(x)


def best_in_scope(x: ScoreInputs) -> torch.Tensor:
    """Per row, the class index of the most likely in-scope class."""
    return torch.nonzero(x.in_scope).squeeze(-1)[x.logits[:, x.in_scope].argmax(-1)]


def in_scope_correct(x: ScoreInputs, labels: list[str], gold: list[str]) -> np.ndarray:
    """Per row: is the most likely in-scope class the gold label? (False for out-of-scope gold rows.)"""
    return np.array([labels[int(b)] == g for b, g in zip(best_in_scope(x), gold, strict=True)], dtype=bool)


# --------------------------------------------------------------------------- choosing on validation


@dataclass(frozen=True)
class Candidate:
    scorer: str
    k: int
    auroc: float
    threshold: float
    in_scope_accuracy: float
    oos_recall: float
    norm: dict[str, list[float]] = field(default_factory=dict)

    def config(self) -> OodConfig:
        return OodConfig(self.scorer, self.threshold, self.k, self.norm)


def _candidates(x: ScoreInputs) -> list[OodConfig]:
    has_oos_class = not bool(x.in_scope.all())
    configs = [OodConfig("max_softmax", 0.0), OodConfig("energy", 0.0)]
    if has_oos_class:
        configs.append(OodConfig("oos_class", 0.0))
    for k in KNN_K:
        if k <= len(x.bank):
            configs.append(OodConfig("knn", 0.0, k=k))
            configs.append(OodConfig("knn+softmax", 0.0, k=k))
    return configs


def with_norm(x: ScoreInputs, in_scope_rows: np.ndarray, cfg: OodConfig) -> OodConfig:
    parts = COMPONENTS.get(cfg.scorer, ())
    norm = {}
    for part in parts:
        values = SCORERS[part](x, OodConfig(part, 0.0, k=cfg.k))[in_scope_rows]
        norm[part] = [float(values.mean()), float(values.std() or 1.0)]
    return OodConfig(cfg.scorer, cfg.threshold, cfg.k, norm)


def threshold_sweep(
    scores_in: np.ndarray, correct_in: np.ndarray, scores_oos: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every candidate threshold: in-scope accuracy and out-of-scope recall (vectorised)."""
    everything = np.unique(np.concatenate([scores_in, scores_oos]))
    thresholds = np.concatenate([[everything[0] - 1e-6], (everything[:-1] + everything[1:]) / 2, [everything[-1] + 1e-6]])
    kept_correct = np.sort(scores_in[correct_in])
    accuracy = (len(kept_correct) - np.searchsorted(kept_correct, thresholds, side="left")) / max(len(scores_in), 1)
    recall = np.searchsorted(np.sort(scores_oos), thresholds, side="left") / max(len(scores_oos), 1)
    return thresholds, accuracy, recall


Criterion = Callable[[np.ndarray, np.ndarray], np.ndarray]


def _in_scope_first(budget: float) -> Criterion:
    """Catch as many out-of-scope messages as possible while giving up at most `budget` of in-scope accuracy."""

    def objective(accuracy: np.ndarray, recall: np.ndarray) -> np.ndarray:
        return np.where(accuracy >= accuracy.max() - budget, recall, -1.0) + accuracy * 1e-3

    return objective


CRITERIA: dict[str, Criterion] = {
    # Equal weight on answering in-scope questions right and catching out-of-scope ones.
    "balanced": lambda accuracy, recall: accuracy + recall,
    "in_scope_first": _in_scope_first(0.01),
    "in_scope_strict": _in_scope_first(0.005),
}


def choose(
    x: ScoreInputs,
    gold_is_oos: np.ndarray,
    correct: np.ndarray,
    criterion: str = "balanced",
    rejection_without_oos: float = 0.05,
) -> tuple[OodConfig, list[Candidate]]:
    """Pick the scorer with the best validation AUROC and its threshold under `criterion`.

    `correct` says, per validation row, whether the in-scope prediction is the gold intent. Without
    out-of-scope validation rows there is nothing to measure against: the k-NN score is used and the
    threshold rejects `rejection_without_oos` of in-scope validation messages.
    """
    in_rows = ~gold_is_oos
    veto = vetoed(x)
    if not gold_is_oos.any():
        cfg = with_norm(x, in_rows, OodConfig("knn", 0.0, k=1))
        threshold = float(np.quantile(score(x, cfg)[in_rows], rejection_without_oos))
        return OodConfig(cfg.scorer, threshold, cfg.k, cfg.norm), []

    pick = CRITERIA[criterion]
    results: list[tuple[Candidate, OodConfig, float]] = []
    for raw in _candidates(x):
        cfg = with_norm(x, in_rows, raw)
        values = score(x, cfg)
        area = auroc(values[in_rows], values[gold_is_oos])
        # A vetoed row is rejected at any threshold: treat its score as -inf.
        effective = np.where(veto, -np.inf, values)
        thresholds, accuracy, recall = threshold_sweep(
            effective[in_rows], correct[in_rows] & ~veto[in_rows], effective[gold_is_oos]
        )
        finite = np.isfinite(thresholds)
        objective = np.where(finite, pick(accuracy, recall), -np.inf)
        best = int(np.argmax(objective))
        results.append(
            (
                Candidate(cfg.scorer, cfg.k, area, float(thresholds[best]), float(accuracy[best]), float(recall[best]), cfg.norm),
                cfg,
                float(objective[best]),
            )
        )
    winner, cfg, _ = max(results, key=lambda item: (item[0].auroc, item[2]))
    return OodConfig(cfg.scorer, winner.threshold, cfg.k, cfg.norm), [c for c, _, _ in results]

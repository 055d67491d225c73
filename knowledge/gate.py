"""The answer gate: answer only when the evidence agrees, within a wrong-answer budget.

A logistic model turns the evidence about the top-ranked article — its share of P(article | question),
its lead over the runner-up, the intent model's confidence and out-of-scope margin, how closely the
article's best section matches the question, whether open retrieval picked it too — into the
probability that it is the right article ("assurance"). It is fitted on a validation set of questions
labelled with the article that answers them (and out-of-scope ones), with the assurance of each
question taken from models fitted on the other folds, so the risk–coverage curve is not in-sample.

The budget (`answer.max_wrong_rate`) picks the operating point from that curve: the lowest assurance
threshold at which the wrong-answer share — questions given a wrong article, or any article when none
answers them, over all those questions — stays within the budget. Admins change the budget at runtime;
the curve stays with the model.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from knowledge.ranking import Ranking

FEATURES = ("share", "margin", "confidence", "in_scope_margin", "similarity", "agrees", "intent_led")
GATE_FILE = "answer_gate.json"
GATE_FORMAT = 2
NEVER = 1.01  # a threshold no assurance reaches: every answer becomes a choice


@dataclass(frozen=True)
class Evidence:
    """What the gate reads about one question's top article."""

    ranking: Ranking
    confidence: float  # the intent model's calibrated probability of its best intent
    in_scope_margin: float  # out-of-scope score minus its threshold (negative: out of scope)

    def vector(self) -> np.ndarray:
        best = self.ranking.best
        if best is None:
            return np.zeros(len(FEATURES))
        return np.array(
            [
                best.share,
                self.ranking.margin,
                self.confidence,
                self.in_scope_margin,
                best.similarity,
                float(self.ranking.open_top == best.article_id),
                best.from_intent / max(best.share, 1e-9),
            ]
        )


@dataclass(frozen=True)
class GateRow:
    """One validation question: its evidence, and whether the top article is right ("out of scope"
    questions are never right: any article is a wrong answer)."""

    evidence: Evidence
    answerable: bool
    correct: bool
    reaches: bool = True  # False: an earlier check (out of scope, low confidence) stops it before the gate


@dataclass(frozen=True)
class CurvePoint:
    threshold: float
    right: float  # share of answerable questions answered with a right article
    wrong: float  # share of answerable questions answered with a wrong article
    oos_answered: float  # share of out-of-scope questions answered with any article
    risk: float  # wrong-answer share: wrong articles plus out-of-scope questions answered, over both groups


@dataclass
class AnswerGate:
    mean: list[float]
    scale: list[float]
    weights: list[float]
    bias: float
    curve: list[CurvePoint]  # from high thresholds to low
    budget: float  # the budget the stored operating point was chosen for
    threshold: float
    fitted_on: dict[str, str | int] = field(default_factory=dict)  # hashes and counts: when to refit

    def assurance(self, evidence: Evidence) -> float:
        x = (evidence.vector() - np.array(self.mean)) / np.array(self.scale)
        return float(1 / (1 + math.exp(-float(x @ np.array(self.weights) + self.bias))))

    def threshold_for(self, budget: float | None) -> float:
        if budget is None or budget == self.budget:
            return self.threshold
        return operating_threshold(self.curve, budget)

    def point(self, threshold: float) -> CurvePoint | None:
        """The curve's point at (or just above) a threshold: what the validation set says it costs."""
        above = [p for p in self.curve if p.threshold >= threshold]
        return above[-1] if above else None

    def to_json(self) -> str:
        data = asdict(self)
        data["format"] = GATE_FORMAT
        data["features"] = list(FEATURES)
        return json.dumps(data, indent=1)

    @classmethod
    def from_json(cls, text: str) -> AnswerGate:
        data = json.loads(text)
        if data.get("format") != GATE_FORMAT or data.get("features") != list(FEATURES):
            raise ValueError("answer gate written by another version")
        curve = [CurvePoint(**p) for p in data.pop("curve")]
        data.pop("format")
        data.pop("features")
        return cls(curve=curve, **data)

    def save(self, directory: Path) -> Path:
        path = directory / GATE_FILE
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        tmp.replace(path)
        return path


def load_gate(directory: Path) -> AnswerGate | None:
    """The stored gate, or None when there is none or it cannot be trusted (it is then refitted)."""
    path = directory / GATE_FILE
    if not path.is_file():
        return None
    try:
        return AnswerGate.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, steps: int = 30) -> tuple[np.ndarray, float]:
    """Newton's method on the L2-penalised log loss (a handful of features: exact and fast)."""
    n, d = x.shape
    design = np.hstack([x, np.ones((n, 1))])
    theta = np.zeros(d + 1)
    penalty = np.diag([l2] * d + [0.0])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(design @ theta, -30, 30)))
        gradient = design.T @ (p - y) + penalty @ theta
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.abs(step).max() < 1e-8:
            break
    return theta[:-1], float(theta[-1])


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    return mean, np.where(scale > 1e-9, scale, 1.0)


def _scores(x: np.ndarray, mean: np.ndarray, scale: np.ndarray, weights: np.ndarray, bias: float) -> np.ndarray:
    return 1 / (1 + np.exp(-np.clip(((x - mean) / scale) @ weights + bias, -30, 30)))


def risk_coverage(
    assurance: np.ndarray, answerable: np.ndarray, correct: np.ndarray, reaches: np.ndarray | None = None
) -> list[CurvePoint]:
    """One point per distinct assurance value, from the strictest threshold to the loosest. Shares are
    of all questions: one stopped before the gate (`reaches` False) is never answered."""
    n_answerable = max(int(answerable.sum()), 1)
    n_oos = max(int((~answerable).sum()), 1)
    reaches = np.ones(len(assurance), dtype=bool) if reaches is None else reaches
    points = [CurvePoint(NEVER, 0.0, 0.0, 0.0, 0.0)]
    for threshold in sorted(set(np.round(assurance[reaches], 6).tolist()), reverse=True):
        answered = reaches & (assurance >= threshold - 1e-12)
        wrong, oos = int((answered & answerable & ~correct).sum()), int((answered & ~answerable).sum())
        points.append(
            CurvePoint(
                round(float(threshold), 6),
                float((answered & answerable & correct).sum() / n_answerable),
                wrong / n_answerable,
                oos / n_oos,
                (wrong + oos) / len(assurance),
            )
        )
    return points


def operating_threshold(curve: Sequence[CurvePoint], budget: float) -> float:
    """Loosen the threshold while every point so far stays within the budget."""
    chosen = NEVER
    for point in curve:
        if point.risk > budget + 1e-12:
            break
        chosen = point.threshold
    return chosen


def fit_gate(rows: Sequence[GateRow], budget: float, folds: int = 5, seed: int = 13) -> AnswerGate:
    if len(rows) < 2 * folds or len({r.correct for r in rows if r.reaches}) < 2:
        raise ValueError(f"the answer gate needs right and wrong answers among at least {2 * folds} questions")
    x = np.stack([r.evidence.vector() for r in rows])
    y = np.array([r.correct for r in rows], dtype=float)
    answerable = np.array([r.answerable for r in rows])
    reaches = np.array([r.reaches for r in rows])
    fold = np.random.default_rng(seed).permutation(len(rows)) % folds
    held_out = np.zeros(len(rows))
    for k in range(folds):
        train = (fold != k) & reaches  # fitted on what the gate will see
        mean, scale = _standardise(x[train])
        weights, bias = _fit_logistic((x[train] - mean) / scale, y[train])
        held_out[fold == k] = _scores(x[fold == k], mean, scale, weights, bias)
    curve = risk_coverage(held_out, answerable, y.astype(bool), reaches)
    mean, scale = _standardise(x[reaches])
    weights, bias = _fit_logistic((x[reaches] - mean) / scale, y[reaches])
    return AnswerGate(
        mean=mean.tolist(),
        scale=scale.tolist(),
        weights=weights.tolist(),
        bias=bias,
        curve=curve,
        budget=budget,
        threshold=operating_threshold(curve, budget),
    )

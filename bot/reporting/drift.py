"""Drift: has this week's traffic moved away from what the model was trained on and from the weeks before?

Three readings of the classified customer messages (typed ones: presses and relayed turns carry no
reading of the classifier), this week against the previous `drift.baseline_weeks` weeks:

- intent mix: Jensen–Shannon divergence, base 2 (0 bits: the same mix; 1 bit: no intent in common), of
  the in-scope intent shares; also against the training data's label shares (a balanced set by design,
  so that comparison uses a looser threshold);
- out-of-scope rate: the absolute change of its share;
- confidence: the change of the mean, and the Kolmogorov–Smirnov distance (the largest gap between the
  two cumulative distributions) over 20 bins of 0.05.

The database returns counts per (period, intent) and per (period, bin); the divergences are computed
here over those few dozen numbers. A week (or a baseline) with fewer than `drift.min_turns` classified
messages is reported but not judged: small samples move by chance.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import Connection, case, func, select
from sqlmodel import col

from bot.core.outcomes import Outcome
from bot.core.policy import Drift
from bot.reporting.queries import between, on_presses
from bot.reporting.sql import Window, share
from bot.storage.tables import Decision

BINS = 20
WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class Period:
    intents: dict[str, int]  # in-scope classified messages by intent
    out_of_scope: int
    histogram: tuple[int, ...]  # confidence, BINS bins of equal width
    confidence_sum: float

    @property
    def turns(self) -> int:
        return sum(self.intents.values()) + self.out_of_scope

    @property
    def oos_rate(self) -> float:
        return share(self.out_of_scope, self.turns)

    @property
    def mean_confidence(self) -> float | None:
        return self.confidence_sum / self.turns if self.turns else None


@dataclass(frozen=True)
class DriftReport:
    week: Window
    baseline: Window
    current: Period
    previous: Period
    training: dict[str, int] | None  # label → examples, out_of_scope included; None: not available
    jsd_previous: float | None
    jsd_training: float | None
    confidence_ks: float | None
    judged: bool  # enough messages this week and in the baseline
    movers: list[tuple[str, float, float]] = field(default_factory=list)  # intent, share now, share before
    warnings: list[str] = field(default_factory=list)

    @property
    def training_oos_share(self) -> float | None:
        if not self.training:
            return None
        return share(self.training.get("out_of_scope", 0), sum(self.training.values()))


def training_labels(intents_file: Path) -> dict[str, int]:
    """Examples per label in the training data (the intents YAML or CSV), read without the model."""
    from models.dataset import load_data

    return dict(load_data(intents_file).counts())


def measure(connection: Connection, end: dt.datetime, config: Drift, training: Mapping[str, int] | None = None) -> DriftReport:
    week = Window(end - WEEK, end)
    baseline = Window(end - WEEK * (1 + config.baseline_weeks), week.start)
    current, previous = _periods(connection, Window(baseline.start, end), week.start)
    labels = dict(training) if training else None
    in_scope_training = {k: v for k, v in (labels or {}).items() if k != "out_of_scope"}
    jsd_previous = jensen_shannon(current.intents, previous.intents) if current.intents and previous.intents else None
    jsd_training = jensen_shannon(current.intents, in_scope_training) if current.intents and in_scope_training else None
    ks = kolmogorov_smirnov(current.histogram, previous.histogram) if current.turns and previous.turns else None
    judged = current.turns >= config.min_turns and previous.turns >= config.min_turns
    report = DriftReport(
        week,
        baseline,
        current,
        previous,
        labels,
        jsd_previous,
        jsd_training,
        ks,
        judged,
        movers(current.intents, previous.intents),
    )
    return _warn(report, config)


def _periods(connection: Connection, span: Window, split: dt.datetime) -> tuple[Period, Period]:
    """One GROUP BY (period, out of scope, intent, confidence bin) over all decisions, less the same over
    the decisions on presses (see queries.on_presses): a few thousand rows at most, summed here."""
    period = case((col(Decision.created_at) >= split, "week"), else_="before").label("period")
    edges = [(col(Decision.confidence) < (i + 1) / BINS, i) for i in range(BINS - 1)]
    bin_ = case(*edges, else_=BINS - 1).label("bin")
    oos, intent = col(Decision.out_of_scope), col(Decision.intent)
    query = (
        select(period, oos, intent, bin_, func.count(), func.sum(col(Decision.confidence)))
        .where(between(col(Decision.created_at), span), col(Decision.outcome) != Outcome.RELAYED.value)
        .group_by(period, oos, intent, bin_)
    )
    intents: dict[str, dict[str, int]] = {"week": {}, "before": {}}
    out_of_scope = {"week": 0, "before": 0}
    bins = {"week": [0] * BINS, "before": [0] * BINS}
    sums = {"week": 0.0, "before": 0.0}
    for sign, statement in ((1, query), (-1, on_presses(query, span))):
        for name, is_oos, label, index, n, total in connection.execute(statement):
            if is_oos:
                out_of_scope[name] += sign * int(n)
            else:
                intents[name][str(label)] = intents[name].get(str(label), 0) + sign * int(n)
            bins[name][int(index)] += sign * int(n)
            sums[name] += sign * float(total or 0.0)
    kept = {name: {k: v for k, v in counts.items() if v > 0} for name, counts in intents.items()}
    week, before = (Period(kept[p], out_of_scope[p], tuple(bins[p]), sums[p]) for p in ("week", "before"))
    return week, before


def _distribution(counts: Mapping[str, int], keys: list[str]) -> list[float]:
    total = sum(counts.get(k, 0) for k in keys)
    return [counts.get(k, 0) / total if total else 0.0 for k in keys]


def jensen_shannon(p_counts: Mapping[str, int], q_counts: Mapping[str, int]) -> float:
    """JSD in bits between two count vectors over the union of their keys; 0 to 1."""
    keys = sorted(set(p_counts) | set(q_counts))
    p, q = _distribution(p_counts, keys), _distribution(q_counts, keys)
    mid = [(a + b) / 2 for a, b in zip(p, q, strict=True)]

    def kl(x: list[float]) -> float:
        return sum(a * math.log2(a / m) for a, m in zip(x, mid, strict=True) if a > 0)

    return max(0.0, min(1.0, (kl(p) + kl(q)) / 2))


def kolmogorov_smirnov(p_hist: tuple[int, ...], q_hist: tuple[int, ...]) -> float:
    """The largest gap between the two cumulative distributions, read at the bin edges."""
    p_total, q_total = sum(p_hist) or 1, sum(q_hist) or 1
    gap, p_cum, q_cum = 0.0, 0, 0
    for a, b in zip(p_hist, q_hist, strict=True):
        p_cum, q_cum = p_cum + a, q_cum + b
        gap = max(gap, abs(p_cum / p_total - q_cum / q_total))
    return gap


def movers(now: Mapping[str, int], before: Mapping[str, int], top: int = 5) -> list[tuple[str, float, float]]:
    """The intents whose share moved most, with their share this week and before."""
    keys = sorted(set(now) | set(before))
    p, q = _distribution(now, keys), _distribution(before, keys)
    moved = sorted(zip(keys, p, q, strict=True), key=lambda r: (-abs(r[1] - r[2]), r[0]))
    return [(k, a, b) for k, a, b in moved[:top] if a != b]


def _warn(report: DriftReport, config: Drift) -> DriftReport:
    if not report.judged:
        return report
    warnings = []
    weeks = f"the previous {config.baseline_weeks} week{'s' if config.baseline_weeks != 1 else ''}"
    if report.jsd_previous is not None and report.jsd_previous > config.intent_mix_jsd:
        moved = ", ".join(f"{k} {b:.0%} → {a:.0%}" for k, a, b in report.movers[:3])
        warnings.append(
            f"Intent mix moved from {weeks}: Jensen–Shannon divergence {report.jsd_previous:.3f} bits "
            f"(threshold {config.intent_mix_jsd:g}); most: {moved}."
        )
    if report.jsd_training is not None and report.jsd_training > config.training_mix_jsd:
        warnings.append(
            f"Intent mix is far from the training data's: Jensen–Shannon divergence {report.jsd_training:.3f} bits "
            f"(threshold {config.training_mix_jsd:g}); consider adding examples for the intents customers ask most."
        )
    before_oos, now_oos = report.previous.oos_rate, report.current.oos_rate
    if abs(now_oos - before_oos) >= config.oos_rate_change:
        warnings.append(
            f"Out-of-scope rate {now_oos:.1%} this week against {before_oos:.1%} over {weeks} "
            f"(change threshold {config.oos_rate_change:.0%} points): new topics, or the model is missing something."
        )
    now_mean, before_mean = report.current.mean_confidence, report.previous.mean_confidence
    mean_moved = now_mean is not None and before_mean is not None and abs(now_mean - before_mean) >= config.confidence_mean_change
    if mean_moved or (report.confidence_ks is not None and report.confidence_ks > config.confidence_ks):
        warnings.append(
            f"Confidence distribution shifted: mean {now_mean or 0:.2f} this week against {before_mean or 0:.2f}, "
            f"Kolmogorov–Smirnov distance {report.confidence_ks or 0:.3f} (thresholds {config.confidence_mean_change:g} "
            f"for the mean, {config.confidence_ks:g} for the distance)."
        )
    return replace(report, warnings=warnings)

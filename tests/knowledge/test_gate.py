"""The answer gate on constructed evidence: its curve, its budget, its file."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from knowledge.gate import (
    GATE_FILE,
    NEVER,
    AnswerGate,
    Evidence,
    GateRow,
    fit_gate,
    load_gate,
    operating_threshold,
    risk_coverage,
)
from knowledge.ranking import Ranking
from knowledge.types import Candidate


def evidence(share: float, similarity: float, agrees: bool, confidence: float, margin: float = 0.3) -> Evidence:
    best = Candidate("a", "A", share, similarity, share * 0.8)
    second = Candidate("b", "B", max(share - margin, 0.0), similarity - 0.1, 0.0)
    return Evidence(Ranking((best, second), "a" if agrees else "b"), confidence, 0.2)


def rows(n: int = 400, seed: int = 1) -> list[GateRow]:
    """Right answers come with agreeing, confident evidence more often than wrong ones."""
    rng = random.Random(seed)
    made = []
    for i in range(n):
        answerable = i % 5 != 0
        right = answerable and rng.random() < 0.75
        strength = rng.gauss(0.7 if right else 0.35, 0.15)
        made.append(GateRow(evidence(strength, strength, rng.random() < (0.9 if right else 0.4), strength), answerable, right))
    return made


def test_risk_coverage_runs_from_nothing_answered_to_everything() -> None:
    assurance = np.array([0.9, 0.8, 0.7, 0.2])
    answerable = np.array([True, True, False, True])
    correct = np.array([True, False, False, True])
    curve = risk_coverage(assurance, answerable, correct)
    assert curve[0].threshold == NEVER and curve[0].right == curve[0].wrong == 0
    assert [round(p.right + p.wrong, 3) for p in curve] == [0, 0.333, 0.667, 0.667, 1.0]
    assert curve[3].oos_answered == 1.0 and curve[3].risk == 0.5  # the out-of-scope question is answered from 0.7 down
    assert curve[-1].wrong == pytest.approx(1 / 3)


def test_the_budget_picks_the_loosest_threshold_within_it() -> None:
    gate = fit_gate(rows(), budget=0.03)
    strict, loose = gate.threshold_for(0.01), gate.threshold_for(0.15)
    assert loose < gate.threshold <= strict
    for budget in (0.01, 0.03, 0.15):
        point = gate.point(gate.threshold_for(budget))
        assert point is not None and point.risk <= budget
    assert gate.point(loose).right > gate.point(gate.threshold).right  # type: ignore[union-attr]


def test_a_zero_budget_stops_before_the_first_wrong_answer() -> None:
    curve = fit_gate(rows(), budget=0.0).curve
    threshold = operating_threshold(curve, 0.0)
    answered = [p for p in curve if p.threshold >= threshold]
    assert all(p.wrong == 0 and p.oos_answered == 0 for p in answered)
    assert curve[len(answered)].risk > 0  # the next step down would have given a wrong answer


def test_assurance_rises_with_agreeing_evidence() -> None:
    gate = fit_gate(rows(), budget=0.03)
    assert gate.assurance(evidence(0.85, 0.8, True, 0.9)) > 0.8
    assert gate.assurance(evidence(0.3, 0.3, False, 0.3)) < 0.3


def test_too_few_or_one_sided_questions_are_refused() -> None:
    with pytest.raises(ValueError, match="right and wrong answers"):
        fit_gate(rows(6), budget=0.03)
    same = [GateRow(r.evidence, True, True) for r in rows(50)]
    with pytest.raises(ValueError, match="right and wrong answers"):
        fit_gate(same, budget=0.03)


def test_the_gate_file_round_trips_and_a_damaged_one_is_refitted(tmp_path: Path) -> None:
    gate = fit_gate(rows(), budget=0.03)
    gate.fitted_on = {"model": "abc", "n_questions": 3}
    gate.save(tmp_path)
    loaded = load_gate(tmp_path)
    assert isinstance(loaded, AnswerGate)
    assert loaded.fitted_on == gate.fitted_on and loaded.threshold == gate.threshold
    assert loaded.assurance(evidence(0.6, 0.6, True, 0.6)) == pytest.approx(gate.assurance(evidence(0.6, 0.6, True, 0.6)))
    (tmp_path / GATE_FILE).write_text("{not json", encoding="utf-8")
    assert load_gate(tmp_path) is None
    data = json.loads(gate.to_json())
    data["features"] = ["share"]
    (tmp_path / GATE_FILE).write_text(json.dumps(data), encoding="utf-8")
    assert load_gate(tmp_path) is None  # written for other features: never misread
    assert load_gate(tmp_path / "missing") is None

"""The answer part of `supportbot eval`: the gate's operating point on its validation questions, the
same threshold on held-out questions, and the risk–coverage chart of both."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.answer_chart import risk_coverage_png
from bot.answer_gate import judge, prepare_gate, reaches_gate
from bot.config import Settings
from bot.knowledge_service import build_resolver, open_index
from knowledge.answer_set import load_answer_set
from knowledge.gate import AnswerGate, CurvePoint, risk_coverage
from models.classifier import IntentClassifier


@dataclass(frozen=True)
class AnswerEval:
    gate: AnswerGate
    budget: float
    threshold: float
    validation: CurvePoint | None
    held_out: CurvePoint | None
    held_out_curve: list[CurvePoint]
    source: Path

    def points(self) -> dict[str, object]:
        return {"validation": self.validation, "held_out": self.held_out}


def evaluate_answers(
    settings: Settings, classifier: IntentClassifier, model_dir: Path, questions: Path, budget: float, floor: float | None
) -> AnswerEval | None:
    if settings.answer_set is None:
        return None
    index, _ = open_index(settings)
    resolver = build_resolver(settings, index)
    gate = prepare_gate(classifier, resolver, model_dir, settings.answer_set, budget, floor)
    if gate is None:
        return None
    threshold = gate.threshold_for(budget)
    held = [q for q in load_answer_set(questions, index.kb.articles).questions if q.expect != "person"]
    judged = judge(classifier, resolver, held)
    assurance = np.array([gate.assurance(j.evidence) for j in judged])
    reaches = np.array([reaches_gate(j.prediction, floor) for j in judged])
    answerable = np.array([q.expect == "article" for q in held])
    curve = risk_coverage(assurance, answerable, np.array([j.right for j in judged]), reaches)
    point = next((p for p in reversed(curve) if p.threshold >= threshold), None)
    return AnswerEval(gate, budget, threshold, gate.point(threshold), point, curve, questions)


def chart(result: AnswerEval, path: Path) -> Path:
    curves = {"validation questions (threshold chosen here)": result.gate.curve, f"{result.source.name}": result.held_out_curve}
    points = {}
    if result.validation:
        points["operating point, validation"] = (result.validation.right + result.validation.wrong, result.validation.wrong)
    if result.held_out:
        points[f"operating point, {result.source.name}"] = (result.held_out.right + result.held_out.wrong, result.held_out.wrong)
    return risk_coverage_png(curves, points, result.budget, path)


def render(result: AnswerEval) -> str:
    def line(name: str, p: CurvePoint | None) -> str:
        if p is None:
            return f"  {name:<22} -"
        return f"  {name:<22} right {p.right:6.1%}   wrong {p.wrong:5.1%}   out-of-scope given an article {p.oos_answered:5.1%}"

    return "\n".join(
        [
            "",
            f"answer gate (resolver alone, before triggers and tiers): budget {result.budget:.1%} → "
            f"assurance threshold {result.threshold:.3f}",
            line("validation questions", result.validation),
            line(result.source.name, result.held_out),
        ]
    )

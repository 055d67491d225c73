"""Fitting the answer gate for a model and knowledge base, and keeping it with the model.

The gate depends on the model (its beliefs), the articles (the ranking) and the validation questions;
its file in the model directory records a fingerprint of all three, so a retrained model, an edited
article or new questions refit it (a few seconds: one batched classification and one ranking per
question), while an unchanged setup loads it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.core.evidence import request_for
from knowledge.answer_set import AnswerSet, LabelledQuestion, load_answer_set
from knowledge.gate import AnswerGate, Evidence, GateRow, fit_gate, load_gate
from knowledge.index import QUESTION_WEIGHT, KnowledgeIndex, file_hash
from knowledge.ranking import OPEN_TEMPERATURE, RETRIEVAL_SHARE, WITHIN_INTENT_TEMPERATURE, Ranking
from knowledge.resolver import Resolver
from models.artifact import MANIFEST
from models.classifier import IntentClassifier, Prediction

log = logging.getLogger("supportbot.answer_gate")
DEFAULT_BUDGET = 0.03
DEFAULT_FLOOR = 0.45  # the bundled policy's low-confidence threshold


@dataclass(frozen=True)
class Judged:
    """One question as the bot sees it: the model's reading, the ranking and the gate's evidence."""

    question: LabelledQuestion
    prediction: Prediction
    ranking: Ranking
    evidence: Evidence

    @property
    def right(self) -> bool:
        best = self.ranking.best
        return best is not None and best.article_id in self.question.articles


def judge(classifier: IntentClassifier, resolver: Resolver, questions: Sequence[LabelledQuestion]) -> list[Judged]:
    predictions = classifier.classify_many([q.text for q in questions])
    judged = []
    for question, prediction in zip(questions, predictions, strict=True):
        request = request_for(classifier, prediction, question.text)
        ranking = resolver.rank(request)
        judged.append(Judged(question, prediction, ranking, resolver.evidence(request, ranking)))
    return judged


def reaches_gate(prediction: Prediction, floor: float | None) -> bool:
    """Whether a message gets as far as the resolver: not out of scope, and not below the policy's
    low-confidence threshold (None: that trigger is off)."""
    return not prediction.out_of_scope and (floor is None or prediction.confidence >= floor)


def fit_for(
    classifier: IntentClassifier, resolver: Resolver, answers: AnswerSet, budget: float, floor: float | None
) -> AnswerGate:
    """Fit on the answerable and out-of-scope questions (people cases are the triggers' job), as the
    pipeline meets them: what the low-confidence check stops never reaches the gate."""
    judged = judge(classifier, resolver, [q for q in answers.questions if q.expect != "person"])
    rows = [GateRow(j.evidence, j.question.expect == "article", j.right, reaches_gate(j.prediction, floor)) for j in judged]
    return fit_gate(rows, budget)


def fingerprint(model_dir: Path, index: KnowledgeIndex, answers: AnswerSet, floor: float | None) -> dict[str, str | int]:
    articles = hashlib.sha256()
    for article in sorted(index.kb.articles.values(), key=lambda a: a.id):
        articles.update(f"{article.id}:{file_hash(article.path)}\n".encode())
    return {
        "model": file_hash(model_dir / MANIFEST),
        "articles": articles.hexdigest(),
        "questions": answers.sha256,
        "ranking": f"{RETRIEVAL_SHARE}/{WITHIN_INTENT_TEMPERATURE}/{OPEN_TEMPERATURE}/{QUESTION_WEIGHT}",
        "low_confidence": f"{floor}",
        "n_questions": len(answers.questions),
    }


def prepare_gate(
    classifier: IntentClassifier,
    resolver: Resolver,
    model_dir: Path,
    answer_set: Path | None,
    budget: float = DEFAULT_BUDGET,
    floor: float | None = DEFAULT_FLOOR,
    refit: bool = False,
) -> AnswerGate | None:
    """The model directory's gate if it was fitted on this exact setup, else a fresh fit (saved)."""
    if answer_set is None:
        log.info("answer_gate.off: no answer set configured; the intent mapping decides alone")
        return None
    answers = load_answer_set(answer_set, resolver.index.kb.articles)
    wanted = fingerprint(model_dir, resolver.index, answers, floor)
    stored = None if refit else load_gate(model_dir)
    if stored is not None and stored.fitted_on == wanted:
        return stored
    try:
        gate = fit_for(classifier, resolver, answers, budget, floor)
    except ValueError as exc:  # e.g. a model so weak that it gets no answer right: serve without a gate, loudly
        log.warning("answer_gate.not_fitted set=%s: %s; the intent mapping decides alone", answer_set, exc)
        return None
    gate.fitted_on = wanted
    try:
        gate.save(model_dir)
    except OSError as exc:
        log.warning("answer_gate.not_saved dir=%s: %s", model_dir, exc.strerror)
    point = gate.point(gate.threshold)
    log.info(
        "answer_gate.fitted questions=%s threshold=%.3f right=%.3f wrong=%.3f oos_answered=%.3f",
        len(answers.questions),
        gate.threshold,
        point.right if point else 0.0,
        point.wrong if point else 0.0,
        point.oos_answered if point else 0.0,
    )
    return gate

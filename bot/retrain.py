"""Retraining on what agents and customers confirmed, without ever serving a worse model.

The confirmed examples (`bot.core.feedback`) join the intents file; the model is trained into a
candidate directory beside the serving one, both are scored on the held-out test split, and the
candidate replaces the serving model only when the held-out figures did not get worse (within a
small tolerance: training noise alone moves macro-F1 by a few thousandths). The previous model is
kept as `<dir>.previous` so a replacement can be undone by hand.
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from bot.core import feedback
from bot.storage import open_database
from models.classifier import IntentClassifier
from models.dataset import Example, LabelledData
from models.evaluation import EvalReport, evaluate
from models.text import clean_text

DEFAULT_MAX_DROP = 0.005  # macro-F1 and in-scope accuracy on the held-out split


@dataclass(frozen=True)
class FeedbackExamples:
    examples: list[Example]
    by_source: Counter[str]
    skipped: dict[str, int] = field(default_factory=dict)  # why rows were left out: duplicate, unknown intent, ...


def from_database(database_url: str) -> list[tuple[str, str, str]]:
    """(text, intent, source) of every confirmed example stored by the bot."""
    engine = open_database(database_url)
    with Session(engine) as session:
        return [(row.text, row.intent or "", row.source) for row in feedback.confirmed(session)]


def merge(data: LabelledData, rows: list[tuple[str, str, str]]) -> FeedbackExamples:
    """Confirmed examples whose intent the intents file knows, once each, not already in the file."""
    known = set(data.labels)
    seen = {clean_text(e.text).lower() for e in data.examples}
    examples, sources, skipped = [], Counter[str](), Counter[str]()
    for raw, intent, source in rows:
        text = clean_text(raw)
        if intent not in known:
            skipped["intent not in the intents file"] += 1
        elif not text:
            skipped["empty text"] += 1
        elif text.lower() in seen:
            skipped["already an example"] += 1
        else:
            seen.add(text.lower())
            examples.append(Example(text, intent))
            sources[source] += 1
    return FeedbackExamples(examples, sources, dict(skipped))


def with_feedback(data: LabelledData, extra: FeedbackExamples) -> LabelledData:
    return LabelledData(data.source, [*data.examples, *extra.examples], data.intents)


def score(model_dir: Path, test: LabelledData) -> EvalReport:
    classifier = IntentClassifier.load(model_dir)
    predictions = classifier.classify_many([e.text for e in test.examples])
    return evaluate(predictions, [e.label for e in test.examples], classifier.intents)


@dataclass(frozen=True)
class Verdict:
    before: EvalReport | None
    after: EvalReport
    accepted: bool
    reason: str

    def changes(self, least: float = 0.02) -> list[tuple[str, float, float]]:
        """Intents whose held-out F1 moved by at least `least`: (intent, before, after)."""
        if self.before is None:
            return []
        old = {row.label: row.f1 for row in self.before.per_intent}
        return [
            (row.label, old.get(row.label, 0.0), row.f1)
            for row in self.after.per_intent
            if abs(row.f1 - old.get(row.label, 0.0)) >= least
        ]


def judge(before: EvalReport | None, after: EvalReport, max_drop: float = DEFAULT_MAX_DROP) -> Verdict:
    if before is None:
        return Verdict(None, after, True, "no serving model to compare with")
    worse = [
        f"{name} {old:.3f} → {new:.3f}"
        for name, old, new in (
            ("macro-F1", before.macro_f1, after.macro_f1),
            ("in-scope accuracy", before.in_scope_accuracy, after.in_scope_accuracy),
        )
        if new < old - max_drop
    ]
    if worse:
        return Verdict(before, after, False, "held-out figures got worse: " + "; ".join(worse))
    return Verdict(before, after, True, "held-out figures held or improved")


def replace_model(serving: Path, candidate: Path) -> Path:
    """Swap the candidate in; the old model moves to `<serving>.previous`."""
    previous = serving.with_name(serving.name + ".previous")
    if previous.exists():
        shutil.rmtree(previous)
    if serving.exists():
        serving.rename(previous)
    candidate.rename(serving)
    return previous

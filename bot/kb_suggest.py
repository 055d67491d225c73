"""Intents for articles that have none, suggested by the trained intent model.

An article without intents is answered through retrieval alone; mapping it to the intents customers ask
it with lets the intent model's beliefs vote for it as well. The model reads what the article says of
itself as a customer would ask it (its title, its `questions`, its first paragraph), and the intents
it believes across those texts, averaged, are the suggestions. Here in bot/, since knowledge/ never
imports the model.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from knowledge.article import Article
from models.classifier import IntentClassifier, IntentScore

HIGH_CONFIDENCE = 0.7  # `kb import --suggest-intents` fills an intent in only above this
SHOWN = 3
FLOOR = 0.05  # suggestions below this are noise (the best one is always shown)
WEAK = 0.5  # a best suggestion below this is said to be a poor fit
_MARKUP = re.compile(r"[*`>#]|!?\[([^\]]*)\]\([^)]*\)")


@dataclass(frozen=True)
class IntentSuggestion:
    article_id: str
    intents: tuple[IntentScore, ...]  # best first

    def describe(self) -> str:
        listed = ", ".join(f"{s.intent} ({s.confidence:.2f})" for s in self.intents)
        weak = " — none fits well: perhaps a new intent" if not self.intents or self.intents[0].confidence < WEAK else ""
        return f"{self.article_id}: no intents (answered through retrieval only); the model suggests: {listed}{weak}"


class IntentSuggester:
    def __init__(self, classifier: IntentClassifier) -> None:
        self.classifier = classifier

    @classmethod
    def load(cls, model_dir: Path) -> IntentSuggester:
        """SupportbotModelError (naming the directory) when there is no usable model."""
        return cls(IntentClassifier.load(model_dir))

    def suggest(self, title: str, questions: Iterable[str], body: str) -> tuple[IntentScore, ...]:
        texts = [title, *list(questions)[:5], first_paragraph(body)]
        texts = [t for t in texts if t.strip()]
        totals: dict[str, float] = defaultdict(float)
        for prediction in self.classifier.classify_many(texts):
            for alternative in prediction.alternatives:
                totals[alternative.intent] += alternative.confidence / len(texts)
        ranked = sorted(totals.items(), key=lambda item: -item[1])
        kept = [IntentScore(i, round(c, 2)) for n, (i, c) in enumerate(ranked) if n == 0 or (c >= FLOOR and n < SHOWN)]
        return tuple(kept)

    def for_articles(self, articles: Iterable[Article]) -> list[IntentSuggestion]:
        """One suggestion per customer article without intents, in id order."""
        bare = sorted((a for a in articles if a.customer_facing and not a.intents), key=lambda a: a.id)
        return [IntentSuggestion(a.id, self.suggest(a.title, a.questions, a.body)) for a in bare]

    def confident_intent(self, title: str, body: str) -> str | None:
        """The one intent to fill in on import: only when the model is sure of it."""
        best = self.suggest(title, (), body)
        return best[0].intent if best and best[0].confidence >= HIGH_CONFIDENCE else None


def first_paragraph(markdown: str, limit: int = 300) -> str:
    """The first paragraph of text (not a heading, note or list), without Markdown markup."""
    for block in re.split(r"\n\s*\n", markdown):
        text = " ".join(block.split())
        if text and not text.startswith(("#", "*(", "|", "```", "- ", "1. ")):
            return _MARKUP.sub(lambda m: m.group(1) or "", text)[:limit]
    return ""

"""The models the core consults, swappable at runtime by `/model reload` and `/kb reload`.

Loaders are injected so the core never decides where a model or knowledge base comes from; a failed
reload raises and leaves the running ones in place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.core.sentiment import SentimentAnalyzer
from knowledge.gate import AnswerGate
from knowledge.index import KnowledgeIndex
from knowledge.resolver import Resolver
from models.classifier import IntentClassifier


@dataclass
class Services:
    classifier: IntentClassifier
    index: KnowledgeIndex
    resolver: Resolver
    sentiment: SentimentAnalyzer
    load_classifier: Callable[[], IntentClassifier] | None = None
    load_knowledge: Callable[[], tuple[KnowledgeIndex, Resolver]] | None = None
    load_gate: Callable[[IntentClassifier, Resolver], AnswerGate | None] | None = None  # fits or loads the gate

    def reload_classifier(self) -> IntentClassifier:
        if self.load_classifier is None:
            raise RuntimeError("this bot was started without a model loader")
        classifier = self.load_classifier()
        gate = self.load_gate(classifier, self.resolver) if self.load_gate else self.resolver.gate
        self.classifier, self.resolver.gate = classifier, gate
        return self.classifier

    def reload_knowledge(self) -> KnowledgeIndex:
        if self.load_knowledge is None:
            raise RuntimeError("this bot was started without a knowledge-base loader")
        index, resolver = self.load_knowledge()
        resolver.gate = self.load_gate(self.classifier, resolver) if self.load_gate else self.resolver.gate
        self.index, self.resolver = index, resolver
        return self.index

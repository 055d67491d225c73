"""The inference API the bot calls: load a model directory once, classify texts from any task.

Tokenisers are not safe to share between threads mid-call and torch intra-op threads are already
used for one forward pass, so calls are serialised with a lock; `aclassify` runs the work in a worker
thread so an event loop is never blocked.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import torch

from models import ood
from models.artifact import LoadedModel, Manifest, load_model
from models.context import TurnContext
from models.forward import encode_all, signal_logits
from models.labels import OUT_OF_SCOPE
from models.text import clean_text


@dataclass(frozen=True)
class IntentScore:
    intent: str
    confidence: float


@dataclass(frozen=True)
class SignalScore:
    """A conversation signal's calibrated probability and the model's threshold for it."""

    name: str
    probability: float
    threshold: float

    @property
    def fired(self) -> bool:
        return self.probability >= self.threshold

    def describe(self) -> str:
        return f"{self.name} {self.probability:.2f} (threshold {self.threshold:.2f})"


@dataclass(frozen=True)
class Prediction:
    """One message's classification.

    `intent` is the decision (OUT_OF_SCOPE when the message is out of scope); `best_intent` is the
    most likely in-scope intent either way, so a clarifying question or an agent still sees it.
    """

    text: str
    intent: str
    best_intent: str
    confidence: float  # calibrated probability of best_intent
    out_of_scope: bool
    in_scope_score: float  # the chosen out-of-scope scorer's value; below the threshold means out of scope
    alternatives: tuple[IntentScore, ...]  # top 3 in-scope intents with calibrated probabilities
    signals: tuple[SignalScore, ...] = ()  # empty when the model was trained without signals

    def signal(self, name: str) -> SignalScore | None:
        return next((s for s in self.signals if s.name == name), None)


class IntentClassifier:
    def __init__(self, loaded: LoadedModel, batch_size: int = 64) -> None:
        self._model = loaded
        self._lock = threading.Lock()
        self.batch_size = batch_size
        labels = loaded.manifest.labels
        self._in_scope = torch.tensor([label != OUT_OF_SCOPE for label in labels])
        self._in_scope_labels = [label for label in labels if label != OUT_OF_SCOPE]

    @classmethod
    def load(cls, directory: Path | str) -> IntentClassifier:
        return cls(load_model(directory))

    @property
    def manifest(self) -> Manifest:
        return self._model.manifest

    @property
    def intents(self) -> list[str]:
        return list(self._in_scope_labels)

    def without_signals(self) -> IntentClassifier:
        """The same loaded weights with the signals head and its pooling skipped (for cost comparisons)."""
        loaded = self._model
        plain = replace(loaded, manifest=replace(loaded.manifest, signals=None), network=loaded.network.intents_only())
        return IntentClassifier(plain, self.batch_size)

    @property
    def signal_names(self) -> list[str]:
        signals = self._model.manifest.signals
        return list(signals.names) if signals else []

    def classify(self, text: str, context: TurnContext | None = None) -> Prediction:
        return self.classify_many([text], [context or TurnContext()])[0]

    async def aclassify(self, text: str, context: TurnContext | None = None) -> Prediction:
        return await asyncio.to_thread(self.classify, text, context)

    def classify_many(self, texts: Sequence[str], contexts: Sequence[TurnContext] | None = None) -> list[Prediction]:
        """Intents, and signals read in each text's context (default: a first message out of the blue)."""
        if not texts:
            return []
        manifest = self._model.manifest
        contexts = list(contexts) if contexts is not None else [TurnContext()] * len(texts)
        if len(contexts) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(contexts)} contexts")
        with self._lock:
            logits, embeddings, features = encode_all(
                self._model.network, self._model.tokenizer, list(texts), manifest.max_length, self.batch_size
            )
            signals = self._signals(texts, contexts, features)
        calibrated = logits / manifest.temperature
        inputs = ood.ScoreInputs(calibrated, embeddings, self._in_scope, self._model.bank)
        scores = ood.score(inputs, manifest.ood)
        flagged = ood.is_out_of_scope(inputs, manifest.ood)
        probs = torch.softmax(calibrated, dim=-1)[:, self._in_scope]
        top = probs.topk(min(3, probs.shape[1]), dim=-1)
        predictions = []
        for row, text in enumerate(texts):
            alternatives = tuple(
                IntentScore(self._in_scope_labels[int(i)], round(float(p), 4))
                for p, i in zip(top.values[row], top.indices[row], strict=True)
            )
            empty = not clean_text(text)
            out = bool(flagged[row]) or empty
            best = alternatives[0]
            predictions.append(
                Prediction(
                    text=text,
                    intent=OUT_OF_SCOPE if out else best.intent,
                    best_intent=best.intent,
                    confidence=best.confidence,
                    out_of_scope=out,
                    in_scope_score=round(float(scores[row]), 4),
                    alternatives=alternatives,
                    signals=signals[row],
                )
            )
        return predictions

    def _signals(
        self, texts: Sequence[str], contexts: Sequence[TurnContext], features: torch.Tensor | None
    ) -> list[tuple[SignalScore, ...]]:
        config = self._model.manifest.signals
        if config is None or features is None:
            return [()] * len(texts)
        probs = config.probabilities(signal_logits(self._model.network, features, texts, contexts, config.names))
        return [
            tuple(
                SignalScore(name, round(float(p), 4), threshold)
                for name, p, threshold in zip(config.names, row, config.thresholds, strict=True)
            )
            for row in probs
        ]

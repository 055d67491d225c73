"""The inference API the bot calls: load a model directory once, classify texts from any task.

Tokenisers are not safe to share between threads mid-call and torch intra-op threads are already
used for one forward pass, so calls are serialised with a lock; `aclassify` runs the work in a worker
thread so an event loop is never blocked.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from models import ood
from models.artifact import LoadedModel, Manifest, load_model
from models.forward import encode
from models.labels import OUT_OF_SCOPE
from models.text import clean_text


@dataclass(frozen=True)
class IntentScore:
    intent: str
    confidence: float


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

    def classify(self, text: str) -> Prediction:
        return self.classify_many([text])[0]

    async def aclassify(self, text: str) -> Prediction:
        return await asyncio.to_thread(self.classify, text)

    def classify_many(self, texts: Sequence[str]) -> list[Prediction]:
        if not texts:
            return []
        manifest = self._model.manifest
        with self._lock:
            logits, embeddings = encode(
                self._model.network, self._model.tokenizer, list(texts), manifest.max_length, self.batch_size
            )
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
                )
            )
        return predictions

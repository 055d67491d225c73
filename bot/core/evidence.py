"""What the resolver is told about a classified message: the text, the model's beliefs about its
intent and how far inside the model's scope it reads, so the answer gate weighs all of them."""

from __future__ import annotations

from knowledge.types import CustomerContext, IntentBelief, ResolveRequest
from models.classifier import IntentClassifier, Prediction


def request_for(
    classifier: IntentClassifier,
    prediction: Prediction,
    text: str,
    customer: CustomerContext | None = None,
    idempotency_key: str | None = None,
    max_wrong_rate: float | None = None,
    article_id: str | None = None,
) -> ResolveRequest:
    return ResolveRequest(
        text,
        prediction.intent if not prediction.out_of_scope else prediction.best_intent,
        prediction.confidence,
        customer or CustomerContext(),
        idempotency_key,
        beliefs=tuple(IntentBelief(a.intent, a.confidence) for a in prediction.alternatives),
        in_scope_margin=prediction.in_scope_score - classifier.manifest.ood.threshold,
        max_wrong_rate=max_wrong_rate,
        article_id=article_id,
    )

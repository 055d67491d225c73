"""Each past ticket read the way the bot would read it as a first message: the intent model's decision,
and the escalation triggers that would hand it to a person anyway.

A ticket is *unknown* exactly when the bot would be unsure: the model calls it out of scope, or its
calibrated confidence is below the policy's low-confidence threshold. The other triggers (risk, business
rules, a request for a person, frustration) come from the bot's own trigger registry, so the audit and
the running bot can never disagree about which tickets escalate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tqdm import tqdm

from bot.core.entities import extract
from bot.core.policy import Policy
from bot.core.sentiment import SentimentAnalyzer
from bot.core.triggers import fired
from bot.core.turn import CustomerInfo, Turn
from bot.history.tickets import HistoricalTicket
from models.classifier import IntentClassifier, Prediction

CHUNK = 64  # tickets per classify_many call: one progress step, bounded memory


@dataclass(frozen=True, slots=True)
class Reading:
    """One ticket as the bot would have read it."""

    intent: str | None  # None: unknown (out of scope, or below the policy's confidence threshold)
    best_intent: str  # the most likely in-scope intent either way
    confidence: float  # calibrated probability of best_intent
    out_of_scope: bool
    triggers: tuple[str, ...]  # escalation triggers that fire on it, low confidence excluded

    @property
    def unknown(self) -> bool:
        return self.intent is None


def is_unsure(prediction: Prediction, policy: Policy) -> bool:
    """The bot's own rule (bot.core.triggers.is_unsure), honouring the policy's switch for it."""
    if prediction.out_of_scope:
        return True
    return policy.low_confidence.enabled and prediction.confidence < policy.low_confidence.threshold


def categorise(
    tickets: Sequence[HistoricalTicket], classifier: IntentClassifier, policy: Policy, *, progress: bool = False
) -> list[Reading]:
    """Readings in ticket order; batched through the model, with a progress bar on stderr when asked."""
    sentiment = SentimentAnalyzer()
    order = sorted(range(len(tickets)), key=lambda i: len(tickets[i].text))  # similar lengths batch with less padding
    readings: list[Reading | None] = [None] * len(tickets)
    with tqdm(total=len(tickets), desc="categorising", unit="ticket", disable=not progress) as bar:
        for start in range(0, len(order), CHUNK):
            chunk = order[start : start + CHUNK]
            predictions = classifier.classify_many([tickets[i].text for i in chunk])
            for i, prediction in zip(chunk, predictions, strict=True):
                readings[i] = _reading(tickets[i], prediction, policy, sentiment)
            bar.update(len(chunk))
    return [r for r in readings if r is not None]


def _reading(ticket: HistoricalTicket, prediction: Prediction, policy: Policy, sentiment: SentimentAnalyzer) -> Reading:
    text = prediction.text
    turn = Turn(
        text=text,
        prediction=prediction,
        sentiment=sentiment.score(text),
        customer=CustomerInfo(tier=ticket.plan or "free"),
        history=(),
        entities=tuple(extract(text)),
    )
    triggers = tuple(hit.trigger for hit in fired(turn, policy, "message") if hit.trigger != "low_confidence")
    unsure = is_unsure(prediction, policy)
    return Reading(
        intent=None if unsure else prediction.intent,
        best_intent=prediction.best_intent,
        confidence=prediction.confidence,
        out_of_scope=prediction.out_of_scope,
        triggers=triggers,
    )

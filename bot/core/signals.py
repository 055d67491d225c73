"""Conversation signals in the decision: the context the model reads, the policy's thresholds over
its probabilities, and the sentence that carried a signal (for the agent's card).

The model's signals head is the primary detector of frustration, requests for a person, risk and
sign-offs; the policy's phrase and keyword lists stay as a transparent layer over it, and count only
where the model sees at least a trace (`signals.rule_floor`) of the signal they claim.
"""

from __future__ import annotations

import re

from bot.core.outcomes import Outcome
from bot.core.policy import Policy
from bot.core.turn import PastTurn, Turn, typed
from models.classifier import IntentClassifier, SignalScore
from models.context import TurnContext

_ACTIONS: dict[str, str] = {
    Outcome.ANSWERED: "answered",
    Outcome.ACTION_OK: "answered",
    Outcome.DRAFTED: "answered",
    Outcome.UNANSWERED: "answered",
    Outcome.CLARIFIED: "clarified",
    Outcome.HANDED_OFF: "handed_off",
    Outcome.RELAYED: "handed_off",
    Outcome.SMALLTALK: "smalltalk",
}
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")


def context_of(history: tuple[PastTurn, ...]) -> TurnContext:
    """What the model reads besides the text, from the stored history (the same features training built
    from the labelled conversations: presses of "Not quite", the bot's last action, earlier signals)."""
    written = typed(history)
    last = written[-1] if written else None
    pressed = "not_quite" if history and history[-1].outcome == Outcome.ANSWER_REJECTED else None
    return TurnContext(
        bot_last="none" if last is None else _ACTIONS.get(last.outcome, "answered"),
        pressed=pressed,
        previous=dict(last.signals) if last else {},
        failed_answers=sum(t.outcome == Outcome.ANSWER_REJECTED for t in history),
        turn_index=len(written),
        earlier_texts=tuple(t.text for t in written),
    )


def threshold(policy: Policy, name: str, model_threshold: float) -> float | None:
    """The threshold the policy applies to a signal (its own, else the model's); None when it is off."""
    setting = policy.signals.setting(name)
    if not policy.signals.enabled or not setting.enabled:
        return None
    return setting.threshold if setting.threshold is not None else model_threshold


def reading(turn: Turn, policy: Policy, name: str) -> SignalScore | None:
    """The signal on this turn under the policy; None when signals are off, this one is switched off,
    or the model has no such signal (the rule lists then decide alone)."""
    score = turn.prediction.signal(name)
    applied = threshold(policy, name, score.threshold) if score is not None else None
    if score is None or applied is None:
        return None
    return SignalScore(name, score.probability, applied)


def rule_counts(turn: Turn, policy: Policy, name: str) -> bool:
    """Whether a phrase or keyword rule for this signal may count: always without the model's view,
    otherwise only where the model sees at least `rule_floor` of it ("a lawsuit tracker project" does not)."""
    found = reading(turn, policy, name)
    return found is None or found.probability >= policy.signals.rule_floor


def sentences(text: str) -> list[str]:
    parts = [p.strip() for p in _SENTENCE.split(text) if p and p.strip()]
    return parts or [text.strip()]


def evidence(classifier: IntentClassifier, text: str, context: TurnContext, name: str) -> str:
    """The sentence of the message that carries the signal most: each sentence read in the same context
    (one batched pass, only when a signal escalates). A one-sentence message is its own evidence."""
    parts = sentences(text)
    if len(parts) == 1 or name not in classifier.signal_names:
        return parts[0][:300]
    scored = classifier.classify_many(parts, [context] * len(parts))
    strength = [score.probability if (score := p.signal(name)) else 0.0 for p in scored]
    return parts[strength.index(max(strength))][:300]

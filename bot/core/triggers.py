"""Escalation triggers, in a registry: each is named, configured in the policy, switchable, and
reports the values that made it fire so the agent (and the audit) can see why.

`message` triggers judge the customer's message; `resolution` triggers judge what the resolver
came back with. Adding a trigger is a function and a decorator; the pipeline does not change.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.core import frustration, signals
from bot.core.outcomes import ANSWERING
from bot.core.policy import AmountOver, CustomerTier, Keywords, Policy, Rule, Switch
from bot.core.turn import Turn
from knowledge.types import ActionResult, NoAnswer
from models.classifier import SignalScore

Stage = Literal["message", "resolution"]


@dataclass(frozen=True)
class TriggerHit:
    trigger: str
    reason: str  # with the values, e.g. "confidence 0.31 < 0.45"
    signal: str | None = None  # the model's signal that fired, when one did
    evidence: str | None = None  # the customer's sentence that carried the signal (set when escalating)

    def describe(self) -> str:
        return f"{self.trigger}: {self.reason}"


Check = Callable[[Turn, Policy], TriggerHit | None]


@dataclass(frozen=True)
class Trigger:
    name: str
    stage: Stage
    summary: str
    check: Check

    def enabled(self, policy: Policy) -> bool:
        section = getattr(policy, self.name)
        assert isinstance(section, Switch)
        return section.enabled


TRIGGERS: dict[str, Trigger] = {}


def trigger(name: str, stage: Stage) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        TRIGGERS[name] = Trigger(name, stage, (check.__doc__ or "").strip().splitlines()[0], check)
        return check

    return register


def fired(turn: Turn, policy: Policy, stage: Stage) -> list[TriggerHit]:
    hits = []
    for item in TRIGGERS.values():
        if item.stage == stage and item.enabled(policy):
            hit = item.check(turn, policy)
            if hit is not None:
                hits.append(hit)
    return hits


@trigger("human_request", "message")
def _human_request(turn: Turn, policy: Policy) -> TriggerHit | None:
    """The customer asks for a person: the intent, the wants_human signal (explicit or implied), or a phrase."""
    config = policy.human_request
    p = turn.prediction
    if not p.out_of_scope and p.intent in config.intents and p.confidence >= config.min_confidence:
        return TriggerHit("human_request", f"intent {p.intent} at {p.confidence:.2f}")
    found = signals.reading(turn, policy, "wants_human")
    if found is not None and found.fired:
        return TriggerHit("human_request", found.describe(), signal=found.name)
    if not signals.rule_counts(turn, policy, "wants_human"):
        return None
    for pattern in config.phrases:
        match = re.search(pattern, turn.text, re.IGNORECASE)
        if match:
            return TriggerHit("human_request", f'asked "{match.group(0)}"')
    return None


def is_unsure(turn: Turn, policy: Policy) -> bool:
    return turn.prediction.out_of_scope or turn.prediction.confidence < policy.low_confidence.threshold


def is_closing(turn: Turn, policy: Policy) -> bool:
    """A message that thanks or signs off (a question never is): the closing signal, or without it an
    unsure message with a closing phrase. A first message the classifier confidently files under a
    request is that request, however it signs off ("… Thanks in advance!"); after an answer, a thanks
    closes whatever else it mentions ("reauthorised and it works now, thanks")."""
    if turn.text.rstrip().endswith("?"):
        return False
    found = signals.reading(turn, policy, "closing")
    if found is not None:
        a_request = not is_unsure(turn, policy) and turn.prediction.intent not in policy.roles.small_talk
        answered = any(past.outcome in ANSWERING for past in turn.history)
        return found.fired and (answered or not a_request)
    return is_unsure(turn, policy) and any(re.search(p, turn.text, re.IGNORECASE) for p in policy.low_confidence.closing_phrases)


@trigger("low_confidence", "message")
def _low_confidence(turn: Turn, policy: Policy) -> TriggerHit | None:
    """The classifier is unsure, or the message is out of scope."""
    p = turn.prediction
    threshold = policy.low_confidence.threshold
    if is_closing(turn, policy):
        return None  # "reauthorised and it works now, thanks": a sign-off, answered as small talk
    if p.out_of_scope:
        return TriggerHit("low_confidence", f"out of scope (in-scope score {p.in_scope_score:.2f}; best guess {p.best_intent})")
    if p.confidence < threshold:
        return TriggerHit("low_confidence", f"confidence {p.confidence:.2f} < {threshold:.2f} for {p.intent}")
    return None


@trigger("frustration", "message")
def _frustration(turn: Turn, policy: Policy) -> TriggerHit | None:
    """The customer is frustrated: the frustrated signal read in context, answers that did not help,
    exasperated wording the model also sees; without the signal, a score of rule cues."""
    config = policy.frustration
    found = signals.reading(turn, policy, "frustrated")
    if found is not None:
        return _frustration_signal(turn, policy, found)
    cues = frustration.cues(turn, config, policy.roles)
    total = frustration.score(cues)
    if total >= config.score_to_fire:
        return TriggerHit("frustration", f"score {total} >= {config.score_to_fire}: " + "; ".join(c.describe() for c in cues))
    return None


def _frustration_signal(turn: Turn, policy: Policy, found: SignalScore) -> TriggerHit | None:
    config = policy.frustration
    if found.fired:
        return TriggerHit("frustration", found.describe(), signal=found.name)
    failures = frustration.failed_answers(turn.history, turn.text, turn.intent, policy.roles)
    if failures >= config.failed_answers:
        return TriggerHit("frustration", f"{failures} answers did not help ({found.describe()})")
    if signals.rule_counts(turn, policy, "frustrated"):
        for pattern in config.exasperation:
            match = re.search(pattern, turn.text, re.IGNORECASE)
            if match:
                return TriggerHit("frustration", f'mentions "{match.group(0)}" ({found.describe()})')
    return None


@trigger("risk", "message")
def _risk(turn: Turn, policy: Policy) -> TriggerHit | None:
    """A legal or chargeback threat, a security incident or a data-protection request (the risk signal)."""
    found = signals.reading(turn, policy, "risk")
    if found is not None and found.fired:
        return TriggerHit("risk", found.describe(), signal=found.name)
    return None


def _rule_hit(rule: Rule, turn: Turn, policy: Policy) -> str | None:
    if isinstance(rule, AmountOver):
        if rule.intents and turn.intent not in rule.intents:
            return None
        over = [e for e in turn.entities if e.kind == "amount" and e.value is not None and e.value > rule.amount]
        return f"{over[0].text} > {rule.amount:,.0f} ({turn.intent})" if over else None
    if isinstance(rule, CustomerTier):
        intent_ok = not rule.intents or (turn.intent in rule.intents and not turn.prediction.out_of_scope)
        return f"{turn.customer.tier} customer, {turn.intent}" if turn.customer.tier in rule.tiers and intent_ok else None
    if isinstance(rule, Keywords):
        if rule.signal is not None and not signals.rule_counts(turn, policy, rule.signal):
            return None  # the word is there, but the model does not read the message as about it
        for pattern in rule.keywords:
            match = re.search(pattern, turn.text, re.IGNORECASE)
            if match:
                return f'mentions "{match.group(0)}"'
    return None


@trigger("business_rules", "message")
def _business_rules(turn: Turn, policy: Policy) -> TriggerHit | None:
    """A configured business rule matches (billing amount, customer tier, keywords)."""
    reasons = []
    for rule in policy.business_rules.rules:
        reason = _rule_hit(rule, turn, policy)
        if reason:
            reasons.append(f"{rule.name}: {reason}")
    return TriggerHit("business_rules", "; ".join(reasons)) if reasons else None


@trigger("no_answer", "resolution")
def _no_answer(turn: Turn, policy: Policy) -> TriggerHit | None:
    """The resolver found no good answer in the knowledge base."""
    if isinstance(turn.resolution, NoAnswer):
        return TriggerHit("no_answer", turn.resolution.reason)
    return None


@trigger("action_failed", "resolution")
def _action_failed(turn: Turn, policy: Policy) -> TriggerHit | None:
    """An action run for the customer failed."""
    if isinstance(turn.resolution, ActionResult) and not turn.resolution.ok:
        return TriggerHit("action_failed", f"{turn.resolution.action}: {turn.resolution.detail or 'failed'}")
    return None

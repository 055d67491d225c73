"""The escalation and automation policy, from YAML, checked on load.

A typo in the file fails the start with the file, the setting's dotted path and what is valid,
instead of silently switching a trigger off.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

BUNDLED_POLICY = Path(__file__).resolve().parent / "policy.yaml"
TIERS = ("auto", "assisted", "human", "off")
PRIORITIES = ("low", "normal", "high", "urgent")


class PolicyError(Exception):
    """The policy file cannot be used; the message names the file and each bad setting."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _compile(patterns: list[str]) -> list[str]:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except (re.error, OverflowError, RecursionError) as exc:  # a{99999999999}; thousands of nested groups
            raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
    return patterns


class Switch(_Section):
    enabled: bool = True


class HumanRequest(Switch):
    intents: list[str] = []  # intents that mean "a person, please" (the bundled policy: talk_to_human)
    min_confidence: float = Field(default=0.5, ge=0, le=1)
    phrases: list[str] = []

    _check = field_validator("phrases")(_compile)


class LowConfidence(Switch):
    threshold: float = Field(default=0.45, ge=0, le=1)
    clarify_first: bool = True
    closing_phrases: list[str] = []

    _check = field_validator("closing_phrases")(_compile)


class Frustration(Switch):
    strong_sentiment: float = Field(default=-0.6, ge=-1, le=0)
    shouting_min_letters: int = Field(default=12, ge=1)
    shouting_ratio: float = Field(default=0.7, gt=0, le=1)
    repeat_similarity: float = Field(default=0.7, gt=0, le=1)
    failed_answers: int = Field(default=2, ge=1)
    score_to_fire: int = Field(default=2, ge=1)
    # A first message whose only trigger is frustration is answered when the answer gate is sure (a person
    # one click away); a "Not quite" or more frustration then hands off. False: frustration always hands off.
    answer_first: bool = True
    exasperation: list[str] = []
    weak: list[str] = []

    _check = field_validator("exasperation", "weak")(_compile)


class SignalSetting(_Section):
    enabled: bool = True
    threshold: float | None = Field(default=None, ge=0, le=1)  # None: the model's, chosen on its validation split


SIGNALS = ("frustrated", "wants_human", "risk", "closing")


class Signals(Switch):
    """The model's conversation signals (its signals head). Off, or with a model trained without
    signals, the rule lists (phrases, exasperation and weak cues, keywords) decide alone."""

    rule_floor: float = Field(default=0.1, ge=0, le=1)  # a phrase or keyword rule counts only at this probability or more
    frustrated: SignalSetting = SignalSetting()
    wants_human: SignalSetting = SignalSetting()
    risk: SignalSetting = SignalSetting()
    closing: SignalSetting = SignalSetting()

    def setting(self, name: str) -> SignalSetting:
        if name not in SIGNALS:
            raise KeyError(name)
        setting = getattr(self, name)
        assert isinstance(setting, SignalSetting)
        return setting


class AmountOver(_Section):
    name: str
    kind: Literal["amount_over"]
    amount: float = Field(gt=0)
    intents: list[str] = []


class CustomerTier(_Section):
    name: str
    kind: Literal["customer_tier"]
    tiers: list[str]
    intents: list[str] = []  # empty: any intent


class Keywords(_Section):
    name: str
    kind: Literal["keywords"]
    keywords: list[str]
    signal: Literal["frustrated", "wants_human", "risk", "closing"] | None = None  # counts only where the model sees it

    _check = field_validator("keywords")(_compile)


Rule = Annotated[AmountOver | CustomerTier | Keywords, Field(discriminator="kind")]


class BusinessRules(Switch):
    rules: list[Rule] = []


class SmallTalk(_Section):
    """Texts may name the product as {product} (SUPPORTBOT_PRODUCT_NAME)."""

    greeting: str = "Hi! What can I help you with?"
    thanks: str = "Glad I could help!"
    welcome: str = "You're welcome! Anything else I can help with?"
    back_to_bot: str = "You're back with the {product} bot; ask me anything, or ask for a person again at any time."


class IntentRoles(_Section):
    """What some of your intents mean to the conversation, so the core never hard-codes intent names."""

    greeting: list[str] = []  # hello: answered with small_talk.greeting, never a question to clarify
    closing: list[str] = []  # thanks / sign-off: after an answer, closes the conversation
    money: list[str] = []  # refunds, disputes: a ticket's priority goes up

    @property
    def small_talk(self) -> frozenset[str]:
        """Intents that carry no issue: skipped by summaries, repeats and knowledge-gap reports."""
        return frozenset(self.greeting) | frozenset(self.closing)


class Conversations(_Section):
    idle_close_minutes: int = Field(default=1440, ge=1)  # a conversation the bot has ends after this much silence (and is rated)


class Approval(_Section):
    min_rate: float = Field(default=0.9, gt=0, le=1)
    min_drafts: int = Field(default=100, ge=1)
    min_days: int = Field(default=14, ge=1)
    min_drafts_for_days: int = Field(default=20, ge=1)


class Answering(Switch):
    """The answer gate: answer only where the validation questions say at most `max_wrong_rate` of
    answers would be wrong; otherwise offer a choice of articles (auto tier) or draft (assisted)."""

    max_wrong_rate: float = Field(default=0.03, ge=0.0, le=0.5)
    options: int = Field(default=3, ge=1, le=5)  # articles offered in a clarifying choice


Level = Literal["urgent", "high", "normal", "low"]


class Priority(_Section):
    sla_minutes: dict[Level, int] = {"urgent": 15, "high": 60, "normal": 240, "low": 1440}  # first reply due
    # An unclaimed ticket's thread hears this long before its first reply is due (bot.core.sla_jobs).
    reminder_before_minutes: dict[Level, int] = {"urgent": 5, "high": 15, "normal": 30, "low": 120}
    high_value_account: float = 50000
    complex_at: int = Field(default=8, ge=1)  # distinct issues + details found + customer turns: +1 from here


class Reports(_Section):
    """The weekly report to the agents' room (bot.core.sla_jobs), at this weekday and hour (UTC)."""

    weekly: bool = True
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    hour_utc: int = Field(default=9, ge=0, le=23)


class Quality(_Section):
    """The weekly quality sample (bot.core.quality_jobs): automated answers posted to the agents' room for
    a Good / Bad verdict. `supportbot report` suggests demoting an auto-tier intent whose audited accuracy
    or answer feedback is below `demote_below` over at least `min_evidence` verdicts or presses."""

    sample: bool = True
    sample_size: int = Field(default=20, ge=1, le=200)
    demote_below: float = Field(default=0.8, gt=0, le=1)
    min_evidence: int = Field(default=10, ge=1)


class Drift(_Section):
    """When a week's traffic has moved far enough from the previous weeks' (and the training data's) to
    warn (bot.reporting.drift). Intent mixes are compared by Jensen–Shannon divergence in bits (0: the
    same mix, 1: no intent in common), confidence distributions by the Kolmogorov–Smirnov distance."""

    baseline_weeks: int = Field(default=4, ge=1, le=52)
    min_turns: int = Field(default=200, ge=1)  # fewer classified turns this week or in the baseline: no verdict
    intent_mix_jsd: float = Field(default=0.1, gt=0, le=1)  # vs the previous weeks
    training_mix_jsd: float = Field(default=0.3, gt=0, le=1)  # vs the training data's labels (a balanced set: looser)
    oos_rate_change: float = Field(default=0.05, gt=0, le=1)  # out-of-scope share, absolute change
    confidence_ks: float = Field(default=0.15, gt=0, le=1)
    confidence_mean_change: float = Field(default=0.05, gt=0, le=1)


class Policy(_Section):
    signals: Signals = Signals()
    human_request: HumanRequest = HumanRequest()
    low_confidence: LowConfidence = LowConfidence()
    answer: Answering = Answering()
    frustration: Frustration = Frustration()
    risk: Switch = Switch()
    business_rules: BusinessRules = BusinessRules()
    no_answer: Switch = Switch()
    action_failed: Switch = Switch()
    tiers: dict[str, Literal["auto", "assisted", "human", "off"]] = {}
    small_talk: SmallTalk = SmallTalk()
    approval: Approval = Approval()
    priority: Priority = Priority()
    roles: IntentRoles = IntentRoles()
    conversations: Conversations = Conversations()
    reports: Reports = Reports()
    quality: Quality = Quality()
    drift: Drift = Drift()

    def check_intents(self, known: set[str]) -> None:
        """Intents named in the policy must exist in the model; a typo would never match."""
        named = set(self.tiers) | set(self.human_request.intents)
        named |= set(self.roles.greeting) | set(self.roles.closing) | set(self.roles.money)
        for rule in self.business_rules.rules:
            if not isinstance(rule, Keywords):
                named |= set(rule.intents)
        unknown = sorted(named - known)
        if unknown:
            raise PolicyError(f"policy names unknown intents: {', '.join(unknown)}; valid: {', '.join(sorted(known))}")

    def check_signals(self, model_signals: list[str]) -> list[str]:
        """Signals the policy relies on that the model lacks: returned for a warning at start (the rules
        then decide alone for them), never a silent no-op."""
        if not self.signals.enabled:
            return []
        return [name for name in SIGNALS if self.signals.setting(name).enabled and name not in model_signals]


def load_policy(path: Path | None = None) -> Policy:
    path = path or BUNDLED_POLICY
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise PolicyError(f"{path}: cannot read the policy file: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise PolicyError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except yaml.YAMLError as exc:
        raise PolicyError(f"{path}: invalid YAML: {exc}") from None
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:  # PyYAML's constructors: 2026-02-30, !!int x
        raise PolicyError(f"{path}: invalid YAML value: {exc}") from None
    if not isinstance(raw, dict):
        raise PolicyError(f"{path}: expected a mapping of settings at the top level")
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        raise PolicyError(f"{path}: invalid policy:\n  " + "\n  ".join(problems)) from None

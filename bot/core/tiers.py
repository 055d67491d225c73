"""Automation tiers per intent and the other runtime-changeable knobs, layered:
model manifest (intents file) < policy file < admin changes stored in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.policy import SIGNALS, TIERS, Policy
from bot.core.triggers import TRIGGERS


@dataclass(frozen=True)
class Threshold:
    """A number admins may change with `/threshold NAME VALUE`."""

    section: str
    field: str
    low: float
    high: float
    meaning: str


THRESHOLDS: dict[str, Threshold] = {
    "confidence": Threshold("low_confidence", "threshold", 0.0, 1.0, "calibrated confidence below which the bot is unsure"),
    "sentiment": Threshold(
        "frustration", "strong_sentiment", -1.0, 0.0, "VADER score at or below which sentiment is a frustration cue"
    ),
    "frustration": Threshold("frustration", "score_to_fire", 1, 10, "frustration cue score that escalates"),
    "failed_answers": Threshold("frustration", "failed_answers", 1, 10, "failed answers that escalate on their own"),
    "approval": Threshold("approval", "min_rate", 0.01, 1.0, "share of drafts approved unmodified to suggest promotion"),
    **{
        name: Threshold(
            f"signals.{name}", "threshold", 0.0, 1.0, f"probability of the {name} signal that counts (unset: the model's)"
        )
        for name in SIGNALS
    },
    "wrong_rate": Threshold(
        "answer", "max_wrong_rate", 0.0, 0.5, "wrong-answer budget: the answer gate's operating point on its validation curve"
    ),
    "rule_floor": Threshold("signals", "rule_floor", 0.0, 1.0, "signal probability a phrase or keyword rule needs to count"),
}


class TierTable:
    def __init__(self, defaults: dict[str, str | None], policy: Policy) -> None:
        self.defaults = dict(defaults)
        self.intents = sorted(defaults)
        self._tiers = {intent: tier or "auto" for intent, tier in defaults.items()}
        self._tiers.update(policy.tiers)
        self.policy = policy

    def fresh(self, policy: Policy) -> TierTable:
        """The same intents' defaults under another policy (admin changes are applied after)."""
        return TierTable(self.defaults, policy)

    def tier(self, intent: str) -> str:
        return self._tiers.get(intent, "auto")

    def set_tier(self, intent: str, tier: str) -> None:
        if intent not in self._tiers:
            raise KeyError(intent)
        if tier not in TIERS:
            raise ValueError(tier)
        self._tiers[intent] = tier

    def all(self) -> dict[str, str]:
        return dict(sorted(self._tiers.items()))

    def _section(self, spec: Threshold) -> Any:
        section: Any = self.policy
        for part in spec.section.split("."):
            section = getattr(section, part)
        return section

    def set_threshold(self, name: str, value: float) -> None:
        spec = THRESHOLDS[name]
        section = self._section(spec)
        current: Any = getattr(section, spec.field)
        setattr(section, spec.field, int(value) if isinstance(current, int) and not isinstance(current, bool) else value)

    def threshold(self, name: str) -> float | None:
        """The value, or None for a signal threshold left to the model."""
        value = getattr(self._section(THRESHOLDS[name]), THRESHOLDS[name].field)
        return None if value is None else float(value)

    def set_trigger(self, name: str, enabled: bool) -> None:
        getattr(self.policy, TRIGGERS[name].name).enabled = enabled

    def apply(self, stored: dict[str, str]) -> list[str]:
        """Re-apply admin changes saved in the database; returns the keys that no longer apply."""
        stale = []
        for key, value in stored.items():
            kind, _, name = key.partition(".")
            try:
                if kind == "tier":
                    self.set_tier(name, value)
                elif kind == "threshold":
                    self.set_threshold(name, float(value))
                elif kind == "trigger":
                    self.set_trigger(name, value == "on")
                else:
                    stale.append(key)
            except (KeyError, ValueError):
                stale.append(key)
        return stale

"""Ticket priority from who the customer is and why the bot escalated, with the reasons shown to agents.

Points: Enterprise +2, Business +1, Free -1, a high-value account +1, frustration +1, a business rule +1
(legal or security wording +2 instead), an intent in the policy's `money` role (refunds, disputes) +1,
a complex conversation +1 (distinct issues + details found + customer turns at `complex_at` or more:
one long, many-sided conversation takes an agent longer, but it is never urgent on that alone).
The sum maps to a level, and the level to a first-response SLA from the policy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.core.entities import extract
from bot.core.policy import PRIORITIES, IntentRoles, Priority
from bot.core.triggers import TriggerHit
from bot.core.turn import CustomerInfo, PastTurn, typed

TIER_POINTS = {"enterprise": 2, "business": 1, "free": -1}


@dataclass(frozen=True)
class Complexity:
    issues: int  # distinct intents that are an issue (not small talk, not "a person, please")
    details: int  # distinct entities found: amounts, invoice and order ids, errors, emails, links
    turns: int  # messages the customer wrote

    @property
    def total(self) -> int:
        return self.issues + self.details + self.turns


def complexity(turns: list[PastTurn] | tuple[PastTurn, ...], skip: frozenset[str] | set[str]) -> Complexity:
    written = typed(turns)
    issues = {t.intent for t in written if t.intent not in skip and t.intent not in ("", "-")}
    details = {(e.kind, e.text.lower()) for t in written for e in extract(t.text)}
    return Complexity(len(issues), len(details), len(written))


def raised(level: str) -> str:
    """One step up (urgent stays urgent): an overdue first reply."""
    at = PRIORITIES.index(level) if level in PRIORITIES else 1
    return PRIORITIES[min(at + 1, len(PRIORITIES) - 1)]


@dataclass(frozen=True)
class PriorityScore:
    level: str  # low | normal | high | urgent
    points: int
    reasons: tuple[str, ...]
    due_at: dt.datetime


def level(points: int) -> str:
    if points >= 4:
        return "urgent"
    if points >= 2:
        return "high"
    return "normal" if points >= 0 else "low"


def score(
    customer: CustomerInfo,
    hits: list[TriggerHit],
    intent: str,
    config: Priority,
    roles: IntentRoles,
    now: dt.datetime,
    involved: Complexity | None = None,
) -> PriorityScore:
    reasons: list[tuple[str, int]] = []
    if customer.tier in TIER_POINTS:
        reasons.append((f"{customer.tier} customer", TIER_POINTS[customer.tier]))
    if customer.account_value >= config.high_value_account:
        reasons.append((f"account value {customer.account_value:,.0f}", 1))
    names = {h.trigger: h for h in hits}
    if "frustration" in names:
        reasons.append(("frustrated customer", 1))
    if "risk" in names:  # an account takeover is high priority even on the free plan
        reasons.append(("legal, security or data-protection risk", 3))
    if "business_rules" in names:
        reason = names["business_rules"].reason
        if "account_takeover" in reason and "risk" not in names:  # a takeover is high priority on any plan
            reasons.append(("account-takeover wording", 3))
        elif "legal_or_security" in reason and "risk" not in names:  # the same risk, counted once
            reasons.append(("legal or security wording", 2))
        elif "risk" not in names or not ("legal_or_security" in reason or "account_takeover" in reason):
            reasons.append(("business rule", 1))
    if intent in roles.money:
        reasons.append((f"money at stake ({intent})", 1))
    if involved is not None and involved.total >= config.complex_at:
        c = involved
        reasons.append((f"complex conversation ({c.issues} issues, {c.details} details, {c.turns} turns)", 1))
    points = sum(p for _, p in reasons)
    name = level(points)
    return PriorityScore(
        level=name,
        points=points,
        reasons=tuple(f"{text} +{p}" for text, p in reasons),
        due_at=now + dt.timedelta(minutes=config.sla_minutes.get(name, 240)),  # type: ignore[call-overload]
    )

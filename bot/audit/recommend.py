"""The recommended automation tier for one category, from its evidence, and the deflection it implies.

The rule, in order (the first that applies decides):
1. human: the team already decided it (the intent's tier is human or off in the model or the policy, or
   the policy names it a money intent: refunds, disputes);
2. assisted: fewer than `min_tickets` tickets: too few to judge either way;
3. human: risky tickets (the risk signal or a business rule fires) exceed `max_risk` of the category;
4. assisted: fewer replies than the pattern score needs: no evidence it is templated;
5. human: replies written case by case (pattern below `assisted_pattern`): judgment;
6. auto: templated replies (pattern at least `auto_pattern`), the model sure of it (mean confidence at
   least `auto_confidence`) and customers not unhappy with the answers (at most `max_low_csat` of at
   least `min_ratings` ratings are 1-2); a discovered topic has no intent yet, so it is auto once one is
   trained;
7. assisted: everything else (the bot drafts, an agent checks).

Expected deflection of a category = the share of its tickets the recommended tier resolves without an
agent: for auto, the tickets the model classified confidently on which no escalation trigger (risk,
business rule, request for a person, frustration) fires; assisted and human deflect none (assisted saves
agent time on each draft, but an agent still sends every reply).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.audit.pattern import MIN_REPLIES


@dataclass(frozen=True, slots=True)
class TierRule:
    auto_pattern: float = 0.8  # a macro with a few words changed scores above this
    assisted_pattern: float = 0.4  # below: replies share little beyond the topic's words
    auto_confidence: float = 0.8  # mean calibrated confidence of the category's tickets
    max_low_csat: float = 0.3  # share of ratings that are 1 or 2
    min_ratings: int = 5  # fewer ratings say nothing about satisfaction
    max_risk: float = 0.2  # share of tickets with the risk signal or a business rule
    min_tickets: int = 5  # fewer: one odd ticket would decide the tier


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the audit knows about one category."""

    tickets: int
    pattern: float | None  # None: not enough replies
    replies: int
    confidence: float | None  # mean calibrated confidence; None for a discovered topic (no intent yet)
    ratings: int
    low_ratings: int  # CSAT 1 or 2
    risky: int  # tickets where the risk signal or a business rule fires
    deflectable: int  # tickets on which no escalation trigger fires
    decided: str | None = None  # why the team already made it human, if it did


@dataclass(frozen=True, slots=True)
class Recommendation:
    tier: str  # auto, assisted or human
    reasons: tuple[str, ...]
    deflection: float  # share of the category's tickets resolved without an agent under this tier


def recommend(evidence: Evidence, rule: TierRule = TierRule()) -> Recommendation:
    """The tier for one category (see the module docstring for the rule)."""
    e = evidence
    if e.decided:
        return Recommendation("human", (e.decided,), 0.0)
    if e.tickets < rule.min_tickets:
        few = f"only {e.tickets} ticket{'s' if e.tickets != 1 else ''}"
        return Recommendation("assisted", (f"{few}: too few to judge",), 0.0)
    risk = e.risky / e.tickets
    if risk > rule.max_risk:
        return Recommendation("human", (f"{risk:.0%} of tickets risky (risk signal or business rule)",), 0.0)
    if e.pattern is None:
        replies = f"only {e.replies} agent repl{'ies' if e.replies != 1 else 'y'}" if e.replies else "no agent replies"
        return Recommendation("assisted", (f"{replies}: too few to judge how alike they are",), 0.0)
    if e.pattern < rule.assisted_pattern:
        return Recommendation("human", (f"replies written case by case (pattern {e.pattern:.2f})",), 0.0)
    held: list[str] = []
    if e.pattern < rule.auto_pattern:
        held.append(f"replies partly templated (pattern {e.pattern:.2f})")
    if e.confidence is not None and e.confidence < rule.auto_confidence:
        held.append(f"model confidence {e.confidence:.2f}")
    low = e.low_ratings / e.ratings if e.ratings else 0.0
    if e.ratings >= rule.min_ratings and low > rule.max_low_csat:
        held.append(f"{low:.0%} of ratings are 1-2")
    if held:
        return Recommendation("assisted", tuple(held), 0.0)
    why = [f"templated replies (pattern {e.pattern:.2f})"]
    why.append("once an intent is trained for it" if e.confidence is None else f"model confidence {e.confidence:.2f}")
    return Recommendation("auto", tuple(why), e.deflectable / e.tickets)


DEFLECTION_FORMULA = (
    "expected deflection = Σ over auto-tier categories of (tickets the model classified confidently on which no "
    "escalation trigger fires) ÷ all tickets; assisted and human categories deflect none (an agent sends every reply)"
)


def describe(rule: TierRule) -> tuple[str, ...]:
    """The rule in words, with its numbers, for the report's method notes."""
    return (
        "human: the intent's tier is already human or off in the model or policy, or the policy names it a money intent",
        f"assisted: fewer than {rule.min_tickets} tickets (too few to judge)",
        f"human: more than {rule.max_risk:.0%} of its tickets trip the risk signal or a business rule",
        f"assisted: fewer than {MIN_REPLIES} agent replies (no pattern score)",
        f"human: pattern below {rule.assisted_pattern:g} (replies written case by case)",
        f"auto: pattern at least {rule.auto_pattern:g}, mean model confidence at least {rule.auto_confidence:g} (a "
        f"discovered topic: once an intent is trained) and at most {rule.max_low_csat:.0%} of ratings 1-2 (given "
        f"{rule.min_ratings}+ ratings)",
        "assisted: everything else",
    )

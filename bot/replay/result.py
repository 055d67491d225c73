"""The replay as typed, frozen data: what the terminal report, the HTML report and `--json` render, so
the three never disagree. Each ticket's decision is the `Decision` row the real pipeline stored."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.outcomes import Outcome
from bot.replay.labels import TicketLabel

BUCKETS = ("answered", "drafted", "escalated", "clarified", "other")
BUCKET_OF = {
    Outcome.ANSWERED.value: "answered",  # the customer got an answer with nobody involved
    Outcome.ACTION_OK.value: "answered",
    Outcome.DRAFTED.value: "drafted",  # an agent checks the draft first
    Outcome.HANDED_OFF.value: "escalated",
    Outcome.CLARIFIED.value: "clarified",
}  # anything else (small talk, "no good answer", a failure) is "other"
# An escalation is counted under the most specific trigger that fired: a legal threat that is also out of
# scope is a risk escalation; low confidence counts only when nothing else fired.
PRIMARY = ("human_request", "risk", "business_rules", "frustration", "tier", "no_answer", "action_failed", "low_confidence")
FAILED = "failed"  # no decision was stored: the pipeline failed on the ticket (the customer would have been told)
FORMAT = 1


@dataclass(frozen=True)
class TicketDecision:
    """What the pipeline decided on one ticket, read back from its `Decision` row."""

    index: int  # position in the history file's tickets
    ticket_id: str
    outcome: str  # Decision.outcome, or FAILED
    intent: str
    confidence: float
    triggers: tuple[str, ...]  # escalation triggers that fired, in the registry's order ("tier" for a human-tier intent)
    tier: str

    @property
    def bucket(self) -> str:
        return BUCKET_OF.get(self.outcome, "other")

    @property
    def trigger(self) -> str | None:
        """What the report counts an escalation under (PRIMARY order); None when it was no escalation."""
        if self.bucket != "escalated":
            return None
        ranked = sorted(self.triggers, key=lambda t: PRIMARY.index(t) if t in PRIMARY else len(PRIMARY))
        return ranked[0] if ranked else "other"

    def describe(self) -> str:
        return f"escalated ({self.trigger})" if self.trigger else self.outcome


@dataclass(frozen=True)
class Count:
    name: str
    tickets: int


@dataclass(frozen=True)
class IntentRow:
    intent: str  # the model's (out_of_scope when out of scope)
    tickets: int
    answered: int
    drafted: int
    escalated: int
    clarified: int
    other: int

    @property
    def automation_rate(self) -> float:
        return self.answered / self.tickets if self.tickets else 0.0


@dataclass(frozen=True)
class Confusion:
    category: str  # the history's category (an intent name)
    intent: str  # what the model said instead
    tickets: int


@dataclass(frozen=True)
class AgainstHistory:
    """The decisions against the history's labels (bot.replay.labels)."""

    compared: int  # tickets whose category is an intent name
    agreed: int  # ... on which the model chose that intent
    confusions: tuple[Confusion, ...]  # the most common disagreements
    needed_work: int
    needed_by_reason: tuple[Count, ...]
    missed: int  # needed real work, answered by the bot alone
    routine: int  # answered by an agent with a macro, in a category the bot covers
    needless: int  # routine, handed off by the bot
    off_category: int  # answered by the bot under another intent than the ticket's category

    @property
    def agreement(self) -> float:
        return self.agreed / self.compared if self.compared else 0.0

    @property
    def missed_rate(self) -> float:
        return self.missed / self.needed_work if self.needed_work else 0.0

    @property
    def needless_rate(self) -> float:
        return self.needless / self.routine if self.routine else 0.0


@dataclass(frozen=True)
class RunSummary:
    """One policy's replay, counted."""

    name: str  # "baseline", "variant", or a sweep value as key=value
    changes: tuple[str, ...]  # from the baseline, in words
    tickets: int
    buckets: tuple[Count, ...]  # in BUCKETS order
    outcomes: tuple[Count, ...]  # the stored outcomes, most common first
    escalated_by: tuple[Count, ...]  # escalations by their most specific trigger (PRIMARY)
    fired: tuple[Count, ...]  # escalations each trigger took part in (one may fire with others)
    intents: tuple[IntentRow, ...]  # most tickets first
    history: AgainstHistory
    seconds: float

    def count(self, bucket: str) -> int:
        return next((c.tickets for c in self.buckets if c.name == bucket), 0)

    def share(self, bucket: str) -> float:
        return self.count(bucket) / self.tickets if self.tickets else 0.0

    @property
    def automation_rate(self) -> float:
        """Answered without a person (an action run counts): the bot resolved it alone."""
        return self.share("answered")


@dataclass(frozen=True)
class SweepPoint:
    value: float
    automation_rate: float
    answered: int
    escalated: int
    clarified: int
    missed: int
    needed_work: int
    needless: int
    routine: int
    current: bool  # the value of the policy the sweep starts from


@dataclass(frozen=True)
class SweepResult:
    key: str
    current: float | None  # None: unset in the policy (the model's own, for a signal threshold)
    points: tuple[SweepPoint, ...]


@dataclass(frozen=True)
class TicketRow:
    """One ticket in `--json`: its labels and what each policy did with it."""

    ticket_id: str
    category: str | None
    needed_work: str | None
    intent: str
    confidence: float
    baseline: str
    variant: str | None


@dataclass(frozen=True)
class Timing:
    tickets: int
    batched: bool  # classified ahead in batches (False: one call per message, as the live bot does)
    classify_seconds: float  # the batched classification (0 when not batched)
    replays: int  # policies replayed
    seconds: float  # everything: classification and every replay
    per_1000_seconds: float  # classification and one replay, per 1,000 tickets


@dataclass(frozen=True)
class ReplayResult:
    source: str
    tickets: int
    skipped: int
    model: str
    policy: str
    definition: str  # the needed-real-work rule, in words
    baseline: RunSummary
    variant: RunSummary | None
    changed: int  # tickets whose outcome differs between baseline and variant
    sweep: SweepResult | None
    timing: Timing
    rows: tuple[TicketRow, ...]

    def to_json(self, indent: int | None = 2) -> str:
        data = _plain(self)
        data["format"] = FORMAT
        data["baseline"]["automation_rate"] = round(self.baseline.automation_rate, 4)
        if self.variant is not None:
            data["variant"]["automation_rate"] = round(self.variant.automation_rate, 4)
        return json.dumps(data, indent=indent, ensure_ascii=False)


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _counts(counter: Counter[str]) -> tuple[Count, ...]:
    return tuple(Count(name, n) for name, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def against_history(decisions: Sequence[TicketDecision], labels: Sequence[TicketLabel]) -> AgainstHistory:
    compared = agreed = missed = needless = off_category = 0
    confusions: Counter[tuple[str, str]] = Counter()
    reasons: Counter[str] = Counter()
    for decision, label in zip(decisions, labels, strict=True):
        if label.category_intent is not None:
            compared += 1
            if decision.intent == label.category_intent:
                agreed += 1
            else:
                confusions[(label.category_intent, decision.intent)] += 1
                off_category += decision.bucket == "answered"
        if label.needed_work is not None:
            reasons[label.needed_work] += 1
            missed += decision.bucket == "answered"
        if label.routine and decision.bucket == "escalated":
            needless += 1
    return AgainstHistory(
        compared=compared,
        agreed=agreed,
        confusions=tuple(Confusion(c, i, n) for (c, i), n in confusions.most_common(10)),
        needed_work=sum(reasons.values()),
        needed_by_reason=_counts(reasons),
        missed=missed,
        routine=sum(label.routine for label in labels),
        needless=needless,
        off_category=off_category,
    )


def summarise(
    name: str, changes: Sequence[str], decisions: Sequence[TicketDecision], labels: Sequence[TicketLabel], seconds: float
) -> RunSummary:
    buckets = Counter(d.bucket for d in decisions)
    per_intent: dict[str, Counter[str]] = {}
    for d in decisions:
        per_intent.setdefault(d.intent, Counter())[d.bucket] += 1
    intents = tuple(
        IntentRow(intent, sum(c.values()), *(c[b] for b in BUCKETS))
        for intent, c in sorted(per_intent.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    )
    escalated = [d for d in decisions if d.bucket == "escalated"]
    return RunSummary(
        name=name,
        changes=tuple(changes),
        tickets=len(decisions),
        buckets=tuple(Count(b, buckets[b]) for b in BUCKETS),
        outcomes=_counts(Counter(d.outcome for d in decisions)),
        escalated_by=_counts(Counter(d.trigger or "other" for d in escalated)),
        fired=_counts(Counter(t for d in escalated for t in d.triggers)),
        intents=intents,
        history=against_history(decisions, labels),
        seconds=round(seconds, 2),
    )


def sweep_point(value: float, summary: RunSummary, current: bool) -> SweepPoint:
    h = summary.history
    return SweepPoint(
        value=value,
        automation_rate=round(summary.automation_rate, 4),
        answered=summary.count("answered"),
        escalated=summary.count("escalated"),
        clarified=summary.count("clarified"),
        missed=h.missed,
        needed_work=h.needed_work,
        needless=h.needless,
        routine=h.routine,
        current=current,
    )

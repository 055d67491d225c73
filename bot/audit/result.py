"""The whole audit as typed, frozen data: what the terminal table, the HTML report and `--json` all
render, so the three can never disagree. `to_json` and `from_json` round-trip exactly."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.audit.baseline import Baseline
from bot.audit.recommend import TierRule

INTENT, DISCOVERED, OTHER = "intent", "discovered", "other"


@dataclass(frozen=True, slots=True)
class CategoryRow:
    """One category: a known intent, a discovered topic, or the unknown tickets in no topic ("other")."""

    name: str
    kind: str  # INTENT, DISCOVERED or OTHER
    tickets: int
    share: float  # of all tickets
    first_response_hours: float | None  # median
    resolution_hours: float | None  # median
    csat: float | None  # average, 1-5
    rated: int
    confidence: float | None  # mean calibrated confidence (intents only)
    pattern: float | None  # None: not enough replies
    replies: int
    escalating: float  # share of its tickets on which an escalation trigger fires
    current_tier: str | None  # the intent's tier in the model and policy today
    tier: str  # recommended
    reasons: tuple[str, ...]
    deflection: float  # share of its tickets the recommended tier resolves without an agent


@dataclass(frozen=True, slots=True)
class LabelCount:
    label: str
    tickets: int


@dataclass(frozen=True, slots=True)
class TopicRow:
    """A discovered cluster of unknown tickets."""

    name: str
    words: tuple[str, ...]
    tickets: int
    cohesion: float  # average cosine similarity between its tickets
    examples: tuple[str, ...]  # subject and start of its most typical tickets
    labels: tuple[LabelCount, ...]  # the export's own categories of its tickets, most common first


@dataclass(frozen=True, slots=True)
class Confusion:
    label: str  # the export's category (an intent name)
    intent: str  # what the model said ("unknown" when unsure)
    tickets: int


@dataclass(frozen=True, slots=True)
class Uncovered:
    """A label of the export that no intent covers, and where the model put its tickets."""

    label: str
    tickets: int
    unknown: int  # the model was unsure: they could be discovered as a topic
    read_as: str | None  # the intent the model put most of the others in


@dataclass(frozen=True, slots=True)
class Agreement:
    """Model vs your labels: the export's category column against the model's intent."""

    compared: int  # tickets whose category is an intent name
    matched: int  # the model chose that intent
    unknown: int  # the model was unsure of them
    uncovered: int  # tickets whose category is no intent
    uncovered_unknown: int  # of those, the ones the model was unsure of (found as new, as it should)
    confusions: tuple[Confusion, ...]  # the most common disagreements
    uncovered_labels: tuple[Uncovered, ...] = ()  # most tickets first

    @property
    def rate(self) -> float:
        return self.matched / self.compared if self.compared else 0.0


@dataclass(frozen=True, slots=True)
class Deflection:
    """Expected tickets resolved without an agent, as shares of all tickets."""

    now: float  # the known intents at their recommended tiers
    with_new_intents: float  # plus discovered topics recommended auto, once intents are trained for them
    auto_categories: int
    assisted_categories: int
    human_categories: int


@dataclass(frozen=True, slots=True)
class Method:
    """The settings the audit ran with, so a report says how its numbers were made."""

    model: str
    confidence_threshold: float | None  # the policy's low-confidence threshold (None: switched off)
    similarity: float  # average cosine similarity a discovered cluster needs
    min_cluster: int
    rule: TierRule


@dataclass(frozen=True, slots=True)
class AuditResult:
    source: str
    tickets: int
    skipped: int
    categorised: int  # tickets the model put in a known intent
    unknown: int  # out of scope or below the confidence threshold
    categories: tuple[CategoryRow, ...]  # most tickets first, "other" last
    topics: tuple[TopicRow, ...]
    deflection: Deflection
    agreement: Agreement | None  # None when the export has no category column matching any intent
    baseline: Baseline
    method: Method

    @property
    def discovered(self) -> int:
        return sum(t.tickets for t in self.topics)

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(_plain(self), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> AuditResult:
        built = _build(AuditResult, json.loads(text))
        assert isinstance(built, AuditResult)
        return built


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _build(kind: Any, value: Any) -> Any:
    """`value` (parsed JSON) as `kind`: dataclasses, tuple[X, ...], X | None, date and plain values."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        return _build(next(a for a in typing.get_args(kind) if a is not type(None)), value)
    if origin is tuple:
        return tuple(_build(typing.get_args(kind)[0], v) for v in value)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: _build(hints[f.name], value[f.name]) for f in dataclasses.fields(kind) if f.name in value})
    if kind is date:
        return date.fromisoformat(value)
    if kind is float and isinstance(value, int):
        return float(value)
    return value

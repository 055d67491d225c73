"""The report as one typed value: every figure of `supportbot report`, the definitions it was computed
with, and how long each query took; `as_json` writes it with the derived rates included."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection

from bot.core.policy import Policy
from bot.reporting import activity, drift, queries
from bot.reporting.intents import IntentRow, QualitySummary, per_intent, quality
from bot.reporting.sql import Window

T = TypeVar("T")
SLA_NOTE = (
    "First replies are judged against each ticket's due time, set when it opened from the policy's "
    "priority.sla_minutes; the policy sets no resolution target, so resolution is shown as times only."
)
_SINCE = re.compile(r"^(\d+(?:\.\d+)?)\s*([dwh])$")


@dataclass(frozen=True)
class Report:
    window: Window
    generated_at: dt.datetime
    turns: queries.Turns
    conversations: queries.Conversations
    escalations: list[queries.TriggerCount]
    csat: list[queries.CsatRow]
    tickets: list[queries.TicketRow]
    intents: list[IntentRow]
    quality: QualitySummary
    gaps: activity.Gaps
    timeline: list[activity.Period]
    drift: drift.DriftReport
    timings_ms: dict[str, float] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=lambda: dict(queries.DEFINITIONS))
    sla_note: str = SLA_NOTE

    def trigger_rate(self, trigger: queries.TriggerCount) -> float:
        return trigger.conversations / self.conversations.started if self.conversations.started else 0.0

    def as_json(self) -> dict[str, Any]:
        plain: dict[str, Any] = _plain(self)
        return plain


def build_report(
    connection: Connection,
    window: Window,
    policy: Policy,
    training: Mapping[str, int] | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """Run every query of the report on `connection` (drift: the week up to the window's end)."""
    now = now or window.end
    timings: dict[str, float] = {}

    def timed(name: str, run: Callable[[], T]) -> T:
        started = time.perf_counter()
        result = run()
        timings[name] = round((time.perf_counter() - started) * 1000, 2)
        return result

    return Report(
        window=window,
        generated_at=now,
        turns=timed("turns", lambda: queries.turns(connection, window)),
        conversations=timed("conversations", lambda: queries.conversations(connection, window)),
        escalations=timed("escalations", lambda: queries.escalations_by_trigger(connection, window)),
        csat=timed("csat", lambda: queries.csat(connection, window)),
        tickets=timed("tickets", lambda: queries.tickets(connection, window)),
        intents=timed("intents", lambda: per_intent(connection, window, policy, now)),
        quality=timed("quality", lambda: quality(connection, window)),
        gaps=timed("gaps", lambda: activity.gaps(connection, window)),
        timeline=timed("timeline", lambda: activity.timeline(connection, window)),
        drift=timed("drift", lambda: drift.measure(connection, window.end, policy.drift, training)),
        timings_ms=timings,
    )


def parse_since(text: str, now: dt.datetime) -> Window:
    """`7d`, `12w`, `36h`, or a UTC date (`2026-11-01`) or time (`2026-11-01T08:00`) to now."""
    value = text.strip().lower()
    match = _SINCE.match(value)
    if match:
        amount, unit = float(match.group(1)), match.group(2)
        span = (
            dt.timedelta(days=amount)
            if unit == "d"
            else dt.timedelta(weeks=amount)
            if unit == "w"
            else dt.timedelta(hours=amount)
        )
        if span <= dt.timedelta(0):
            raise ValueError(f"--since {text!r}: the window must be longer than zero")
        return Window(now - span, now)
    try:
        start = dt.datetime.fromisoformat(value.upper() if "t" in value else value)
    except ValueError:
        raise ValueError(f"--since {text!r}: expected a span such as 7d, 4w or 36h, or a date such as 2026-11-01") from None
    start = start if start.tzinfo else start.replace(tzinfo=dt.UTC)
    if start >= now:
        raise ValueError(f"--since {text!r} is not in the past")
    return Window(start, now)


def _plain(value: Any) -> Any:
    """Dataclasses as dicts with their properties (the derived rates) added; times as ISO 8601."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        for name in dir(type(value)):
            if isinstance(getattr(type(value), name, None), property) and not name.startswith("_"):
                out[name] = _plain(getattr(value, name))
        return out
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return round(value, 6)
    return value

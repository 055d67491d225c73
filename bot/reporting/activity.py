"""What happened over time and what the bot could not answer: the outcome mix per day or week, and the
knowledge gaps (by kind, by intent, and the questions asked most often word for word).

`supportbot kb gaps` groups gap questions by meaning with the embedding model; the report stays on SQL
(no model to load) and groups by intent and by identical wording.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select
from sqlmodel import col

from bot.core.outcomes import Outcome
from bot.reporting.queries import ERASED, between
from bot.reporting.sql import Window, bucket
from bot.storage.tables import Decision
from knowledge.gaps import KnowledgeGap

WEEKLY_FROM_DAYS = 62  # longer windows are charted per ISO week


@dataclass(frozen=True)
class Period:
    start: str  # YYYY-MM-DD: the UTC day, or the Monday of the week
    outcomes: dict[str, int]

    @property
    def turns(self) -> int:
        return sum(self.outcomes.values())


def timeline(connection: Connection, window: Window) -> list[Period]:
    """Turns per day (per week for long windows) by outcome, relayed ones aside."""
    when = bucket(connection, col(Decision.created_at), weekly=window.days > WEEKLY_FROM_DAYS).label("period")
    inner = (
        select(when, col(Decision.outcome).label("outcome"))
        .where(between(col(Decision.created_at), window), col(Decision.outcome) != Outcome.RELAYED.value)
        .subquery()
    )
    query = select(inner.c.period, inner.c.outcome, func.count()).group_by(inner.c.period, inner.c.outcome)
    periods: dict[str, dict[str, int]] = {}
    for period, outcome, n in connection.execute(query):
        periods.setdefault(str(period), {})[str(outcome)] = int(n)
    return [Period(start, outcomes) for start, outcomes in sorted(periods.items())]


@dataclass(frozen=True)
class GapIntent:
    intent: str
    events: int
    kinds: dict[str, int]
    example: str


@dataclass(frozen=True)
class RepeatedQuestion:
    text: str
    times: int
    intent: str


@dataclass(frozen=True)
class Gaps:
    by_kind: dict[str, int]
    by_intent: list[GapIntent]  # the most events first
    repeated: list[RepeatedQuestion]  # asked word for word at least twice, most often first

    @property
    def events(self) -> int:
        return sum(self.by_kind.values())


def gaps(connection: Connection, window: Window, top: int = 10) -> Gaps:
    in_window = between(col(KnowledgeGap.created_at), window)
    intent = func.coalesce(col(KnowledgeGap.intent), "unknown")
    example = func.max(func.nullif(col(KnowledgeGap.text), ERASED))
    query = (
        select(intent, col(KnowledgeGap.kind), func.count(), example).where(in_window).group_by(intent, col(KnowledgeGap.kind))
    )
    kinds: dict[str, dict[str, int]] = {}
    examples: dict[str, tuple[int, str]] = {}
    for name, kind, n, text in connection.execute(query):
        kinds.setdefault(str(name), {})[str(kind)] = int(n)
        if text and int(n) > examples.get(str(name), (0, ""))[0]:
            examples[str(name)] = (int(n), str(text))
    by_intent = [GapIntent(name, sum(k.values()), k, examples.get(name, (0, ""))[1]) for name, k in kinds.items()]
    by_kind: dict[str, int] = {}
    for k in kinds.values():
        for kind, n in k.items():
            by_kind[kind] = by_kind.get(kind, 0) + n
    words = func.lower(func.trim(col(KnowledgeGap.text)))
    repeated_query = (
        select(words.label("words"), func.count().label("times"), func.min(intent))
        .where(in_window, col(KnowledgeGap.text) != ERASED)
        .group_by(words)
        .having(func.count() >= 2)
        .order_by(func.count().desc(), words)
        .limit(top)
    )
    repeated = [RepeatedQuestion(str(w), int(n), str(i)) for w, n, i in connection.execute(repeated_query)]
    return Gaps(dict(sorted(by_kind.items())), sorted(by_intent, key=lambda r: (-r.events, r.intent))[:top], repeated)

"""The history's service levels before the bot: what to compare against after launch.

Volume per ISO week (weeks without tickets count as 0, the first and last week flagged as partial when
the history starts or ends mid-week), medians of first response and resolution (tickets that never got
one are left out of that median and counted apart), CSAT average and the share of tickets rated; for
the whole history and per plan. Medians, not means: one ticket left open for a month would otherwise
move the figure more than a hundred answered within the hour.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.history.tickets import HistoricalTicket

NO_PLAN = "(no plan)"


@dataclass(frozen=True, slots=True)
class Week:
    week: str  # ISO week, "2026-W36"
    start: date  # its Monday
    tickets: int
    partial: bool  # the history starts or ends inside it


@dataclass(frozen=True, slots=True)
class Levels:
    """Service levels of a group of tickets; hours, None when no ticket had the time."""

    group: str
    tickets: int
    first_response_hours: float | None  # median
    no_first_response: int
    resolution_hours: float | None  # median
    unresolved: int
    csat: float | None  # average, 1-5
    rated: int

    @property
    def rated_share(self) -> float:
        return self.rated / self.tickets if self.tickets else 0.0


@dataclass(frozen=True, slots=True)
class Baseline:
    first_day: date
    last_day: date
    weeks: tuple[Week, ...]
    overall: Levels
    per_plan: tuple[Levels, ...]  # most tickets first, tickets without a plan last

    @property
    def weekly_average(self) -> float:
        """Tickets per full week (partial weeks would understate it); all weeks when none is full."""
        full = [w.tickets for w in self.weeks if not w.partial] or [w.tickets for w in self.weeks]
        return statistics.fmean(full) if full else 0.0


def levels(group: str, tickets: Sequence[HistoricalTicket]) -> Levels:
    first = [t.first_response_time.total_seconds() / 3600 for t in tickets if t.first_response_time is not None]
    resolved = [t.resolution_time.total_seconds() / 3600 for t in tickets if t.resolution_time is not None]
    ratings = [t.csat for t in tickets if t.csat is not None]
    return Levels(
        group=group,
        tickets=len(tickets),
        first_response_hours=round(statistics.median(first), 2) if first else None,
        no_first_response=len(tickets) - len(first),
        resolution_hours=round(statistics.median(resolved), 2) if resolved else None,
        unresolved=len(tickets) - len(resolved),
        csat=round(statistics.fmean(ratings), 2) if ratings else None,
        rated=len(ratings),
    )


def weeks(tickets: Sequence[HistoricalTicket]) -> tuple[Week, ...]:
    days = [t.created_at.date() for t in tickets]
    if not days:
        return ()
    first, last = min(days), max(days)
    counts = Counter(day - timedelta(days=day.weekday()) for day in days)
    start, end = first - timedelta(days=first.weekday()), last - timedelta(days=last.weekday())
    monday = start
    out = []
    while monday <= end:
        year, number, _ = monday.isocalendar()
        partial = (monday == start and first.weekday() > 0) or (monday == end and last.weekday() < 6)
        out.append(Week(f"{year}-W{number:02d}", monday, counts.get(monday, 0), partial))
        monday += timedelta(days=7)
    return tuple(out)


def baseline(tickets: Sequence[HistoricalTicket]) -> Baseline:
    plans: dict[str, list[HistoricalTicket]] = {}
    for ticket in tickets:
        plans.setdefault(ticket.plan or NO_PLAN, []).append(ticket)
    per_plan = sorted((levels(p, g) for p, g in plans.items()), key=lambda lv: (lv.group == NO_PLAN, -lv.tickets, lv.group))
    days = [t.created_at.date() for t in tickets]
    return Baseline(min(days), max(days), weeks(tickets), levels("all tickets", tickets), tuple(per_plan))

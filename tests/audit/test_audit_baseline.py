"""The baseline: ISO weeks with gaps and partial ends, medians that leave out missing times, per plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.audit.baseline import NO_PLAN, baseline
from bot.history.tickets import HistoricalTicket


def ticket(
    day: date, first_hours: float | None, resolve_hours: float | None, plan: str | None, csat: int | None
) -> HistoricalTicket:
    created = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    first = None if first_hours is None else created + timedelta(hours=first_hours)
    resolved = None if resolve_hours is None else created + timedelta(hours=resolve_hours)
    return HistoricalTicket("x", created, first, resolved, "s", "b", "", None, (), plan, csat, None, 2)


def test_weeks_medians_and_plans() -> None:
    tickets = [
        ticket(date(2026, 6, 3), 1, 10, "team", 5),  # Wednesday of W23: the first week is partial
        ticket(date(2026, 6, 4), 3, None, "team", None),
        ticket(date(2026, 6, 4), None, 2, "free", 1),
        ticket(date(2026, 6, 21), 2, 30, None, 4),  # Sunday of W25; W24 has no ticket
    ]
    b = baseline(tickets)
    assert [(w.week, w.tickets, w.partial) for w in b.weeks] == [
        ("2026-W23", 3, True),
        ("2026-W24", 0, False),
        ("2026-W25", 1, False),
    ]
    assert b.weekly_average == 0.5  # full weeks only
    assert (b.overall.first_response_hours, b.overall.no_first_response) == (2.0, 1)
    assert (b.overall.resolution_hours, b.overall.unresolved) == (10.0, 1)
    assert b.overall.csat == 3.33 and b.overall.rated_share == 0.75
    assert [(lv.group, lv.tickets) for lv in b.per_plan] == [("team", 2), ("free", 1), (NO_PLAN, 1)]
    assert b.first_day == date(2026, 6, 3) and b.last_day == date(2026, 6, 21)

"""One export record, through its column mapping, into a HistoricalTicket, or the reason it cannot be one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from bot.history.mappings import ColumnMapping
from bot.history.records import RawRecord
from bot.history.tickets import HistoricalTicket
from bot.history.values import normalise_label, normalise_plan, parse_csat, parse_datetime, parse_duration, split_tags

T = TypeVar("T")
_CLOCK_SKEW = timedelta(minutes=1)  # helpdesks stamp events from different servers


class RowProblem(ValueError):
    """Why a record was skipped, phrased for `path:line: message`."""


def build_ticket(record: RawRecord, mapping: ColumnMapping) -> HistoricalTicket:
    if record.problem is not None:
        raise RowProblem(record.problem)
    cells = _Cells(record, mapping)
    ticket_id = cells.text("id")
    if not ticket_id:
        raise RowProblem(f"empty id{cells.where('id')}")
    created_at = cells.time("created_at")
    if created_at is None:
        raise RowProblem(f"empty created_at{cells.where('created_at')}")
    subject, body = cells.text("subject"), cells.text("body")
    if not subject and not body:
        raise RowProblem(f"empty subject and body{cells.where('subject', 'body')}: nothing the customer asked")
    return HistoricalTicket(
        ticket_id=ticket_id,
        created_at=created_at,
        first_response_at=cells.later_time(created_at, "first_response_at", "first_response_minutes"),
        resolved_at=cells.later_time(created_at, "resolved_at", "resolution_minutes"),
        subject=subject,
        body=body,
        agent_reply=cells.text("agent_reply"),
        category=normalise_label(cells.text("category")),
        tags=split_tags(cells.text("tags")),
        plan=normalise_plan(cells.text("plan")),
        csat=cells.parsed("csat", parse_csat),
        agent=cells.text("agent") or None,
        source_line=record.line,
    )


class _Cells:
    """The mapped cells of one record, each parsed with a message naming the field and its column."""

    def __init__(self, record: RawRecord, mapping: ColumnMapping) -> None:
        self._values = record.values
        self._mapping = mapping

    def where(self, *fields: str) -> str:
        columns = [repr(c) for f in fields if (c := self._mapping.column(f))]
        return f" (column{'s' if len(columns) > 1 else ''} {' and '.join(columns)})" if columns else ""

    def text(self, field: str) -> str:
        column = self._mapping.column(field)
        return (self._values.get(column) or "").replace("\r\n", "\n").strip() if column else ""

    def parsed(self, field: str, parse: Callable[[str], T | None]) -> T | None:
        value = self.text(field)
        if not value:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            raise RowProblem(f"{field}{self.where(field)}: {exc}") from None

    def time(self, field: str) -> datetime | None:
        return self.parsed(field, lambda value: parse_datetime(value, us_dates=self._mapping.us_dates))

    def later_time(self, created_at: datetime, moment: str, duration: str) -> datetime | None:
        """An absolute time if the export has one, else created_at plus the export's duration; never before created_at."""
        at = self.time(moment)
        if at is None:
            unit = self._mapping.minutes_per_unit(duration)
            after = self.parsed(duration, lambda value: parse_duration(value, unit))
            return None if after is None else created_at + after
        if at < created_at - _CLOCK_SKEW:
            raise RowProblem(f"{moment}{self.where(moment)} {at:%Y-%m-%d %H:%M} is before created_at {created_at:%Y-%m-%d %H:%M}")
        return max(at, created_at)

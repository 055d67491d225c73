"""Load a ticket-history export: pick the column mapping, read every record, keep the good tickets and say
exactly which rows were skipped and why, so a messy real export is still usable."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.history.errors import HistoryFileError
from bot.history.mappings import choose_mapping
from bot.history.records import open_records
from bot.history.rows import RowProblem, build_ticket
from bot.history.tickets import HistoricalTicket, HistoryFile, Problem


def load_history(
    path: str | Path, preset: str | None = None, overrides: Mapping[str, str] | None = None, *, strict: bool = False
) -> HistoryFile:
    """Every usable ticket in `path`. Rows with a bad date, no text, an impossible CSAT or a repeated id are
    skipped and listed in `skipped` (`strict` raises on the first instead); a file that cannot be read as
    asked raises HistoryFileError with `path` (and `:line` where there is one)."""
    path = Path(path)
    tickets: list[HistoricalTicket] = []
    skipped: list[Problem] = []
    first_line: dict[str, int] = {}
    with open_records(path) as records:
        mapping = choose_mapping(path, records.header, preset, overrides or {})
        for record in records.rows:
            try:
                ticket = build_ticket(record, mapping)
                if ticket.ticket_id in first_line:
                    raise RowProblem(f"duplicate id {ticket.ticket_id!r} (first on line {first_line[ticket.ticket_id]})")
            except RowProblem as exc:
                problem = Problem(record.line, str(exc), path)
                if strict:
                    raise HistoryFileError(str(problem)) from None
                skipped.append(problem)
                continue
            first_line[ticket.ticket_id] = record.line
            tickets.append(ticket)
    if not tickets:
        reasons = "; ".join(str(problem) for problem in skipped[:3])
        raise HistoryFileError(f"{path}: no usable tickets" + (f" ({len(skipped)} rows skipped: {reasons})" if skipped else ""))
    return HistoryFile(path=path, tickets=tuple(tickets), skipped=tuple(skipped), mapping=mapping)

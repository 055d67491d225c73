"""One past support ticket, whatever helpdesk exported it, and the file it came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.history.mappings import ColumnMapping


@dataclass(frozen=True, slots=True)
class HistoricalTicket:
    """A ticket as the audit and replay commands need it; times are aware UTC."""

    ticket_id: str
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    subject: str
    body: str
    agent_reply: str  # "" when no agent answered
    category: str | None  # the export's category, type or topic, lowercased
    tags: tuple[str, ...]
    plan: str | None  # free, team, business or enterprise when recognisable, else the raw value lowercased
    csat: int | None  # 1-5 (see bot/history/values.py for how other scales map)
    agent: str | None
    source_line: int  # where the record starts in the file, for messages

    @property
    def text(self) -> str:
        """The customer's question as the bot would have seen it: subject and body, without repeating the subject."""
        subject, body = self.subject.strip(), self.body.strip()
        if not subject:
            return body
        if not body:
            return subject
        if body.casefold().startswith(subject.rstrip(".…").casefold()):
            return body  # chat tools often make the subject from the message's first words
        return f"{subject}\n\n{body}"

    @property
    def first_response_time(self) -> timedelta | None:
        return None if self.first_response_at is None else self.first_response_at - self.created_at

    @property
    def resolution_time(self) -> timedelta | None:
        return None if self.resolved_at is None else self.resolved_at - self.created_at


@dataclass(frozen=True, slots=True)
class Problem:
    """A row that was skipped; `str()` gives `path:line: message`, the form editors jump to."""

    line: int
    message: str
    path: Path

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class HistoryFile:
    """What a load produced: the usable tickets in file order, the rows skipped and why, and the mapping used."""

    path: Path
    tickets: tuple[HistoricalTicket, ...]
    skipped: tuple[Problem, ...]
    mapping: ColumnMapping

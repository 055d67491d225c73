"""Which column of an export holds which ticket field: a registry of helpdesk presets, picked by name or
from the header row, each overridable with `--map field=Column`.

Column names are matched ignoring case and repeated spaces. A preset lists several names per field
because each helpdesk's exports differ between report types and years; the first one present wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.history.errors import HistoryFileError

# The fields a column can be mapped to: `--map FIELD=Column`.
FIELDS: dict[str, str] = {
    "id": "ticket or conversation id (required)",
    "created_at": "when the customer wrote (required)",
    "first_response_at": "when an agent first replied",
    "resolved_at": "when the ticket was solved or closed (blank: unresolved)",
    "first_response_minutes": "time to first reply, from created_at, when the export has no first_response_at",
    "resolution_minutes": "time to resolution, from created_at, when the export has no resolved_at",
    "subject": "subject line (subject or body required)",
    "body": "the customer's first message (subject or body required)",
    "agent_reply": "the agent's (first) public reply",
    "category": "category, type or topic",
    "tags": "tags, comma- or space-separated",
    "plan": "the customer's plan",
    "csat": "satisfaction rating",
    "agent": "the agent who handled it",
}
REQUIRED = ("id", "created_at")
ONE_OF_REQUIRED = ("subject", "body")
_ALIASES = {"ticket_id": "id", "description": "body", "rating": "csat", "assignee": "agent"}


@dataclass(frozen=True)
class Preset:
    """One helpdesk's export layout: candidate column names per field, and how its values are written."""

    name: str
    title: str
    columns: Mapping[str, tuple[str, ...]]
    signature: tuple[str, ...] = ()  # columns typical of this helpdesk only, to tell presets apart
    us_dates: bool = False  # MM/DD/YYYY dates
    example: str = ""


PRESETS: dict[str, Preset] = {}


def register(preset: Preset) -> Preset:
    unknown = set(preset.columns) - set(FIELDS)
    assert not unknown, f"preset {preset.name} maps unknown fields {unknown}"
    PRESETS[preset.name] = preset
    return preset


NATIVE = register(
    Preset(
        name="native",
        title="supportbot's own layout (the sample in examples/history/)",
        columns={name: (name,) for name in FIELDS},
        example="supportbot audit examples/history/orbitask_tickets.csv",
    )
)
register(
    Preset(
        name="zendesk",
        title="Zendesk Support ticket export (CSV or JSON)",
        columns={
            "id": ("Id", "Ticket ID", "Ticket Id"),
            "created_at": ("Created at", "Ticket created - Timestamp"),
            "first_response_at": ("First reply at",),
            "resolved_at": ("Solved at", "Ticket solved - Timestamp"),
            "first_response_minutes": ("First reply time in minutes", "First reply time (min)"),
            "resolution_minutes": ("Full resolution time in minutes", "Full resolution time (min)"),
            "subject": ("Subject",),
            "body": ("Description",),
            "agent_reply": ("Agent reply", "First public reply", "Latest public comment"),
            "category": ("Category [list]", "Category", "Topic [list]", "Topic", "Type"),
            "tags": ("Tags",),
            "plan": ("Plan [list]", "Plan", "Customer plan", "Organization plan"),
            "csat": ("Satisfaction Score", "Satisfaction rating"),
            "agent": ("Assignee", "Assignee name"),
        },
        signature=("Requester", "Requester organization", "Group", "Via", "Satisfaction Score", "Priority"),
        example='supportbot audit tickets.csv --preset zendesk --map plan="Plan [list]"',
    )
)
register(
    Preset(
        name="intercom",
        title="Intercom conversation export (CSV)",
        columns={
            "id": ("Conversation ID", "Conversation Id"),
            "created_at": ("Created at", "Conversation started at", "Started at", "Created at (UTC)"),
            "first_response_at": ("First response at", "First teammate reply at", "First admin reply at"),
            "resolved_at": ("Closed at", "Last closed at", "First closed at"),
            "first_response_minutes": ("Time to first response", "First response time"),
            "resolution_minutes": ("Time to close", "Time to first close"),
            "subject": ("Conversation title", "Title", "Subject"),
            "body": ("Initial message", "First message", "Conversation initial message", "Message body", "Body"),
            "agent_reply": ("First teammate reply", "First admin reply", "Teammate reply"),
            "category": ("Topic", "Topics", "Conversation topic", "Category"),
            "tags": ("Tags", "Conversation tags"),
            "plan": ("Plan", "Company plan", "User plan"),
            "csat": ("Conversation rating", "Rating"),
            "agent": ("Teammate assigned", "Assignee", "Assigned to"),
        },
        signature=("Conversation URL", "Conversation rating", "Teammate assigned", "Channel", "Conversation tags"),
        example='supportbot audit conversations.csv --preset intercom --map body="Conversation body"',
    )
)
register(
    Preset(
        name="freshdesk",
        title="Freshdesk ticket export (CSV)",
        columns={
            "id": ("Ticket ID", "Ticket Id"),
            "created_at": ("Created time", "Created at"),
            "first_response_at": ("First responded time", "First response at"),
            "resolved_at": ("Resolved time", "Closed time"),
            "first_response_minutes": ("First response time (in hrs)", "First response time"),
            "resolution_minutes": ("Resolution time (in hrs)", "Resolution time"),
            "subject": ("Subject",),
            "body": ("Description",),
            "agent_reply": ("Agent reply", "First agent reply"),
            "category": ("Type", "Category", "Ticket type"),
            "tags": ("Tags",),
            "plan": ("Plan", "Customer plan", "Company plan"),
            "csat": ("Satisfaction rating", "Customer satisfaction", "Survey result"),
            "agent": ("Agent", "Responder"),
        },
        signature=("Ticket ID", "Created time", "Resolved time", "Due by Time", "Source", "Group", "Agent interactions"),
        us_dates=True,
        example='supportbot audit tickets.csv --preset freshdesk --map category="Product area"',
    )
)
register(
    Preset(
        name="helpscout",
        title="Help Scout conversation export (CSV)",
        columns={
            "id": ("Conversation ID", "Number", "Conversation Number"),
            "created_at": ("Created At", "Date Created", "Created"),
            "first_response_at": ("First Response At", "First Reply At"),
            "resolved_at": ("Closed At", "Resolved At"),
            "first_response_minutes": ("First Response Time", "Response Time"),
            "resolution_minutes": ("Resolution Time",),
            "subject": ("Subject",),
            "body": ("Body", "Preview", "Customer Message", "First Message"),
            "agent_reply": ("Reply", "First Reply", "Agent Reply"),
            "category": ("Category", "Custom Field: Category", "Type"),
            "tags": ("Tags",),
            "plan": ("Plan", "Custom Field: Plan", "Customer Plan"),
            "csat": ("Rating", "Happiness Rating", "Customer Rating"),
            "agent": ("Assigned To", "Assignee", "Closed By"),
        },
        signature=("Number", "Mailbox", "Preview", "Customer", "Assigned To", "Waiting Since"),
        us_dates=True,
        example="supportbot audit conversations.csv --preset helpscout --map body=Preview",
    )
)


def _key(column: str) -> str:
    return " ".join(column.replace("\ufeff", "").split()).casefold()


@dataclass(frozen=True)
class ColumnMapping:
    """The columns one file is read through: field -> the column's name as written in that file."""

    preset: str
    columns: Mapping[str, str] = field(default_factory=dict)
    us_dates: bool = False

    def column(self, name: str) -> str | None:
        return self.columns.get(name)

    def minutes_per_unit(self, name: str) -> float:
        """Durations are minutes unless the column's own name says hours or seconds ("... (in hrs)")."""
        words = set(re.split(r"[^a-z]+", _key(self.columns.get(name, ""))))
        if words & {"hrs", "hr", "hours", "hour", "h"}:
            return 60.0
        if words & {"seconds", "secs", "sec", "s"}:
            return 1 / 60
        return 1.0

    def missing(self) -> list[str]:
        """Required fields with no column."""
        absent = [name for name in REQUIRED if name not in self.columns]
        if not any(name in self.columns for name in ONE_OF_REQUIRED):
            absent.append(" or ".join(ONE_OF_REQUIRED))
        return absent

    def describe(self) -> str:
        pairs = ", ".join(f"{name}={column}" for name, column in self.columns.items())
        return f"preset {self.preset}: {pairs}"


def resolve(preset: Preset, header: Sequence[str], overrides: Mapping[str, str] | None = None) -> ColumnMapping:
    """The preset's columns found in this header, with `--map` overrides on top (an empty column unmaps a field)."""
    present: dict[str, str] = {}
    for column in header:
        present.setdefault(_key(column), column)
    columns: dict[str, str] = {}
    for name in FIELDS:
        wanted = (overrides or {}).get(name)
        if wanted is not None:
            if wanted.strip():
                if _key(wanted) not in present:
                    raise HistoryFileError(f"--map {name}={wanted}: no column {wanted!r} in the file; it has {_listing(header)}")
                columns[name] = present[_key(wanted)]
            continue
        found = next((present[_key(c)] for c in preset.columns.get(name, ()) if _key(c) in present), None)
        if found is not None:
            columns[name] = found
    return ColumnMapping(preset=preset.name, columns=columns, us_dates=preset.us_dates)


def detect_preset(header: Sequence[str], overrides: Mapping[str, str] | None = None) -> str | None:
    """The preset whose columns fit this header best; on a tie the native one if it is among the best, else None."""
    try:
        best = _best_fits(header, overrides or {})
    except HistoryFileError:  # an override names a column the file lacks: resolve() will say so
        return None
    if len(best) == 1:
        return best[0]
    return NATIVE.name if NATIVE.name in best else None


def choose_mapping(path: Path, header: Sequence[str], preset: str | None, overrides: Mapping[str, str]) -> ColumnMapping:
    """The mapping to read this file with, or a HistoryFileError naming what is missing and what the file has."""
    if preset is not None and preset not in PRESETS:
        raise HistoryFileError(f"unknown preset {preset!r}; presets: {', '.join(PRESETS)}")
    name = preset
    if name is None:
        best = _best_fits(header, overrides)
        if len(best) > 1 and NATIVE.name not in best:
            raise HistoryFileError(f"{path}: the columns fit several presets ({', '.join(best)}); pick one with --preset")
        name = best[0] if len(best) == 1 else NATIVE.name
    chosen = PRESETS[name]
    mapping = resolve(chosen, header, overrides)
    absent = mapping.missing()
    if absent:
        wanted = "; ".join(f"{field_name} (column {_columns_for(chosen, field_name, overrides)})" for field_name in absent)
        hint = "" if preset else " (no preset fits; choose one with --preset)"
        raise HistoryFileError(
            f"{path}: missing required field(s) for preset {chosen.name}{hint}: {wanted}; the file has {_listing(header)}. "
            f"Map columns with --map FIELD=COLUMN; presets: {', '.join(PRESETS)}"
        )
    return mapping


def _best_fits(header: Sequence[str], overrides: Mapping[str, str]) -> list[str]:
    """Presets that find every required field, scored by fields found plus signature columns present; the best."""
    keys = {_key(column) for column in header}
    scores = {}
    for preset in PRESETS.values():
        mapping = resolve(preset, header, overrides)
        if not mapping.missing():
            scores[preset.name] = len(mapping.columns) + sum(_key(c) in keys for c in preset.signature)
    best = max(scores.values(), default=0)
    return [name for name, score in scores.items() if score == best]


def _columns_for(preset: Preset, name: str, overrides: Mapping[str, str]) -> str:
    names = [name] if name in FIELDS else name.split(" or ")
    candidates = [c for n in names for c in ((overrides[n],) if n in overrides else preset.columns.get(n, ())) if c]
    return " or ".join(repr(c) for c in dict.fromkeys(candidates)) or "unmapped"


def _listing(header: Sequence[str]) -> str:
    shown = ", ".join(repr(column) for column in header[:30])
    more = f" and {len(header) - 30} more" if len(header) > 30 else ""
    return f"columns {shown}{more}" if header else "no columns"


_ITEM_SPLIT = re.compile(r",\s*(?=(?:" + "|".join(map(re.escape, [*FIELDS, *_ALIASES])) + r")\s*=)")


def parse_map(items: Iterable[str]) -> dict[str, str]:
    """`--map` values ("created_at=Created", or several joined by commas) as field -> column."""
    mapping: dict[str, str] = {}
    for item in items:
        for pair in _ITEM_SPLIT.split(item):
            name, equals, column = pair.partition("=")
            name = _ALIASES.get(name.strip(), name.strip())
            if not equals or not name:
                raise HistoryFileError(f"--map expects FIELD=COLUMN, not {pair!r}")
            if name not in FIELDS:
                raise HistoryFileError(f"--map {pair}: unknown field {name!r}; fields: {', '.join(FIELDS)}")
            if name in mapping:
                raise HistoryFileError(f"--map maps {name} twice ({mapping[name]!r} and {column.strip()!r})")
            mapping[name] = column.strip()
    return mapping

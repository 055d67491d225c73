"""Model vs your labels: where the export has its own category column, how often the model's intent is
the category the agents chose. Categories are matched to intent names ignoring case, spaces and hyphens
("Password reset" is password_reset); a category that is no intent tells instead whether the model
knew it did not know."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from bot.audit.categorise import Reading
from bot.audit.result import Agreement, Confusion, Uncovered
from bot.history.tickets import HistoricalTicket

UNKNOWN = "unknown"
SHOWN = 8


def as_intent(label: str | None) -> str:
    return re.sub(r"[\s\-/]+", "_", (label or "").strip().lower())


def agreement(tickets: Sequence[HistoricalTicket], readings: Sequence[Reading], intents: Sequence[str]) -> Agreement | None:
    """None when no ticket's category names an intent (the column is absent or uses other names)."""
    known = set(intents)
    compared = matched = unknown = uncovered = uncovered_unknown = 0
    wrong: Counter[tuple[str, str]] = Counter()
    elsewhere: dict[str, Counter[str]] = {}
    for ticket, reading in zip(tickets, readings, strict=True):
        label = as_intent(ticket.category)
        if not label:
            continue
        if label not in known:
            uncovered += 1
            uncovered_unknown += reading.unknown
            elsewhere.setdefault(label, Counter())[reading.intent or UNKNOWN] += 1
            continue
        compared += 1
        if reading.intent == label:
            matched += 1
            continue
        unknown += reading.unknown
        wrong[(label, reading.intent or UNKNOWN)] += 1
    if not compared:
        return None
    confusions = tuple(
        Confusion(label, intent, n) for (label, intent), n in sorted(wrong.items(), key=lambda x: (-x[1], x[0]))[:SHOWN]
    )
    return Agreement(compared, matched, unknown, uncovered, uncovered_unknown, confusions, _uncovered(elsewhere))


def _uncovered(elsewhere: dict[str, Counter[str]]) -> tuple[Uncovered, ...]:
    rows = []
    for label, intents in elsewhere.items():
        known = [(n, intent) for intent, n in intents.items() if intent != UNKNOWN]
        read_as = min(known, key=lambda x: (-x[0], x[1]))[1] if known else None
        rows.append(Uncovered(label, sum(intents.values()), intents[UNKNOWN], read_as))
    return tuple(sorted(rows, key=lambda u: (-u.tickets, u.label)))

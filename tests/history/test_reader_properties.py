"""Property tests: whatever a helpdesk (or a hand edit) puts in an export, loading it either gives tickets
that keep the HistoricalTicket promises or raises HistoryFileError; never any other exception."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import UTC
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.history.errors import HistoryFileError
from bot.history.mappings import FIELDS, PRESETS
from bot.history.reader import load_history
from bot.history.tickets import HistoryFile

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SUFFIXES = st.sampled_from([".csv", ".jsonl", ".ndjson", ".json", ".txt", ""])

# Cell values that trip date, number, CSV and JSON parsing.
SNIPPETS = st.sampled_from(
    ["2026-11-03T12:00:00Z", "2026-02-30", "11/03/2026 12:00", "1793707200", "99999999999999999999", "-1", "0", "4.5",
     "1e999", "nan", "inf", "Good", "Offered", "80%", "7/5", "1h 30m", "1:30", "", " ", '"', '""', "\n", "\r\n", ",", ";",
     "\t", "\x00", "\ufeff", "{", "[", "]", "null", "true", "Nov 3, 2026 9:00 AM", "Tue, 03 Nov 2026 12:00:00 +0000",
     "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "a" * 300, "Business (yearly)", "password, login"]
)  # fmt: skip
CELLS = st.one_of(SNIPPETS, st.text(max_size=15))
COLUMN_NAMES = st.one_of(
    st.sampled_from(sorted({c for preset in PRESETS.values() for names in preset.columns.values() for c in names})),
    st.sampled_from(list(FIELDS)),
    st.text(max_size=8),
)


def load(content: bytes, suffix: str, strict: bool = False) -> HistoryFile | None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export{suffix}"
        path.write_bytes(content)
        try:
            history = load_history(path, strict=strict)
        except HistoryFileError as exc:
            assert str(exc)
            return None
    check(history)
    return history


def check(history: HistoryFile) -> None:
    for ticket in history.tickets:
        assert ticket.ticket_id and (ticket.subject or ticket.body) and ticket.text
        assert ticket.created_at.tzinfo == UTC
        assert ticket.first_response_at is None or ticket.first_response_at >= ticket.created_at
        assert ticket.resolved_at is None or ticket.resolved_at >= ticket.created_at
        assert ticket.csat is None or 1 <= ticket.csat <= 5
        assert ticket.source_line >= 1
    assert len({t.ticket_id for t in history.tickets}) == len(history.tickets)
    assert all(f":{p.line}: " in str(p) for p in history.skipped)


@FAST
@given(content=st.binary(max_size=400), suffix=SUFFIXES)
def test_any_bytes(content: bytes, suffix: str) -> None:
    load(content, suffix)


@FAST
@given(content=st.text(max_size=400), suffix=SUFFIXES)
def test_any_text(content: str, suffix: str) -> None:
    load(content.encode("utf-8", errors="surrogatepass"), suffix)


@FAST
@given(
    header=st.lists(COLUMN_NAMES, min_size=1, max_size=10),
    rows=st.lists(st.lists(CELLS, max_size=12), max_size=8),
    strict=st.booleans(),
)
def test_csv_rows_with_any_cells(header: list[str], rows: list[list[str]], strict: bool) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    load(out.getvalue().encode("utf-8", errors="surrogatepass"), ".csv", strict)


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), CELLS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@FAST
@given(records=st.lists(st.dictionaries(COLUMN_NAMES, JSON_VALUES, max_size=8), max_size=6), as_array=st.booleans())
def test_json_records_with_any_values(records: list[dict[str, object]], as_array: bool) -> None:
    if as_array:
        load(json.dumps(records, indent=1).encode(), ".json")
    else:
        load("\n".join(json.dumps(r) for r in records).encode(), ".jsonl")


@FAST
@given(
    rows=st.lists(st.fixed_dictionaries({name: CELLS for name in ("id", "created_at", "subject", "body", "csat")}), max_size=8)
)
def test_native_rows_that_load_keep_their_line_numbers(rows: list[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["id", "created_at", "subject", "body", "csat"])
    writer.writeheader()
    writer.writerows(rows)
    history = load(out.getvalue().encode("utf-8", errors="surrogatepass"), ".csv")
    if history is not None:
        lines = [t.source_line for t in history.tickets] + [p.line for p in history.skipped]
        assert len(lines) == len(set(lines))

"""The rows of an export file as (line, column -> text) records, whatever the file format.

CSV (comma, semicolon or tab separated; UTF-8 with or without BOM, or UTF-16 as Excel saves it), JSON lines
(`.jsonl`, `.ndjson`: one object per line) and a JSON array of objects (`.json`). Records are read lazily so a
large export is never held twice. Each record knows the line it starts on, so a quoted multi-line CSV
field still points to the right place. Nested JSON objects are flattened to dotted keys ("source.body").
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.history.errors import HistoryFileError

if TYPE_CHECKING:
    from _csv import Reader

JSON_LINES_SUFFIXES = (".jsonl", ".ndjson")
_HEADER_SAMPLE = 200  # JSON records whose keys make up the header (later ones may omit null keys)
_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record before any mapping; `problem` says why it cannot be read at all (then `values` is empty)."""

    line: int
    values: Mapping[str, str]
    problem: str | None = None


@dataclass(frozen=True)
class Records:
    """The header (column names in file order) and a one-shot iterator over the records."""

    format: str
    header: tuple[str, ...]
    rows: Iterator[RawRecord]


@contextmanager
def open_records(path: Path) -> Iterator[Records]:
    """Open `path` and read its header; errors about the file itself are HistoryFileErrors naming it."""
    try:
        with path.open("rb") as probe:
            start = probe.read(4096)
        utf16 = start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        if b"\x00" in start and not utf16:
            raise HistoryFileError(f"{path}: binary data, not a CSV or JSON lines export")
        handle = path.open(encoding="utf-16" if utf16 else "utf-8-sig", newline="")
    except OSError as exc:
        raise HistoryFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with handle:
        try:
            yield _records(path, handle)
        except UnicodeDecodeError:
            raise HistoryFileError(f"{path}: not UTF-8 text (save the export as UTF-8 CSV or JSON lines)") from None


def _records(path: Path, handle: TextIO) -> Records:
    first = handle.read(1)
    while first.isspace():
        first = handle.read(1)
    if not first:
        raise HistoryFileError(f"{path}: the file is empty")
    handle.seek(0)
    suffix = path.suffix.lower()
    if suffix in JSON_LINES_SUFFIXES or (first == "{" and suffix != ".csv"):
        return _json_lines(path, handle)
    if first == "[" and suffix != ".csv":
        return _json_array(path, handle)
    if suffix in (".json", *JSON_LINES_SUFFIXES):
        raise HistoryFileError(f"{path}: not JSON lines or a JSON array (it starts with {first!r})")
    return _csv(path, handle)


def _csv(path: Path, handle: TextIO) -> Records:
    first_line = handle.readline()
    handle.seek(0)
    delimiter = max(_DELIMITERS, key=first_line.count)
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        header = next((row for row in reader if any(cell.strip() for cell in row)), None)
    except csv.Error as exc:
        raise HistoryFileError(f"{path}:{reader.line_num}: malformed CSV header: {exc}") from None
    if header is None:
        raise HistoryFileError(f"{path}: the file has no header row")
    names = tuple(cell.strip() for cell in header)
    return Records("csv", names, _csv_rows(path, reader, names))


def _csv_rows(path: Path, reader: Reader, header: tuple[str, ...]) -> Iterator[RawRecord]:
    previous = reader.line_num
    width = len(header)
    while True:
        start = previous + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. an unclosed quote that swallowed the rest of the file
            raise HistoryFileError(f"{path}:{start}: malformed CSV (unclosed quote?): {exc}") from None
        except UnicodeDecodeError:
            raise HistoryFileError(f"{path}:{start}: not UTF-8 text (save the export as UTF-8 CSV)") from None
        previous = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            yield RawRecord(start, {}, f"{len(row)} fields but the header has {width} (a stray delimiter or quote?)")
            continue
        yield RawRecord(start, dict(zip(header, row, strict=False)))


def _json_lines(path: Path, handle: TextIO) -> Records:
    parsed = (_json_record(line, number) for number, line in enumerate(handle, start=1) if line.strip())
    return _with_json_header(path, "jsonl", parsed)


def _json_record(text: str, line: int) -> RawRecord:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return RawRecord(line, {}, f"not valid JSON: {str(exc)[:80]}")
    return _object_record(value, line)


def _json_array(path: Path, handle: TextIO) -> Records:
    text = handle.read()
    return _with_json_header(path, "json", _array_items(path, text))


def _array_items(path: Path, text: str) -> Iterator[RawRecord]:
    """Each element of a top-level JSON array, with the line it starts on."""
    decoder = json.JSONDecoder()
    index = text.index("[") + 1
    line = 1 + text.count("\n", 0, index)
    while True:
        after = _skip_space(text, index)
        line += text.count("\n", index, after)
        index = after
        if index >= len(text):
            raise HistoryFileError(f"{path}:{line}: the JSON array is not closed")
        if text[index] == "]":
            return
        try:
            value, end = decoder.raw_decode(text, index)
        except (ValueError, RecursionError) as exc:
            raise HistoryFileError(f"{path}:{line}: not valid JSON: {str(exc)[:80]}") from None
        yield _object_record(value, line)
        line += text.count("\n", index, end)
        index = _skip_space(text, end)
        line += text.count("\n", end, index)
        if index < len(text) and text[index] == ",":
            index += 1
        elif index < len(text) and text[index] != "]":
            raise HistoryFileError(f"{path}:{line}: expected ',' or ']' between array items")


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _object_record(value: object, line: int) -> RawRecord:
    if not isinstance(value, dict):
        return RawRecord(line, {}, f"expected a JSON object, found {type(value).__name__}")
    flat: dict[str, str] = {}
    _flatten(value, "", flat, depth=0)
    return RawRecord(line, flat)


def _flatten(value: dict[Any, Any], prefix: str, out: dict[str, str], depth: int) -> None:
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict) and depth < 3:
            _flatten(item, f"{name}.", out, depth + 1)
        else:
            out[name] = _cell(item)


def _cell(value: object) -> str:
    """A JSON value as the text a CSV cell would hold: lists (tags) joined with commas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return ", ".join(_cell(item) for item in value if not isinstance(item, dict | list))
    try:
        return json.dumps(value)[:10_000]
    except (ValueError, RecursionError):
        return ""


def _with_json_header(path: Path, kind: str, records: Iterator[RawRecord]) -> Records:
    """The header is the keys of the first records, in the order first seen."""
    head = []
    keys: dict[str, None] = {}
    for record in records:
        head.append(record)
        keys.update(dict.fromkeys(record.values))
        if sum(r.problem is None for r in head) >= _HEADER_SAMPLE:
            break
    if not keys:
        first = next((r for r in head if r.problem), None)
        reason = f"{path}:{first.line}: {first.problem}" if first else f"{path}: no records"
        raise HistoryFileError(f"{reason} (expected one JSON object per line)")
    return Records(kind, tuple(keys), chain(head, records))

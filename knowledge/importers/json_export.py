"""Reading a JSON export: one document (an object or a list) or JSON lines, each record with its position."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from knowledge.importers.types import Export, ExportError, SourceArticle, SourceProblem


@dataclass(frozen=True)
class Parsed:
    document: object = None  # the whole file as one JSON value
    lines: tuple[tuple[int, str], ...] = ()  # or, for JSON lines, (line number, text) of each non-blank line


@dataclass(frozen=True)
class Records:
    items: tuple[tuple[str, object], ...]  # (position, record) in export order
    problems: tuple[SourceProblem, ...] = ()


def parse(path: Path) -> Parsed:
    """ExportError when the file is missing, unreadable, or neither JSON nor JSON lines."""
    if not path.is_file():
        raise ExportError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"{path}: unreadable: {exc}") from None
    try:
        return Parsed(document=json.loads(text))
    except json.JSONDecodeError as whole:
        lines = tuple((n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip())
        if len(lines) < 2 or not isinstance(_loads(lines[0][1]), dict):
            raise ExportError(f"{path}: not JSON ({whole.msg} at line {whole.lineno}, column {whole.colno})") from None
        return Parsed(lines=lines)


def records(path: Path, list_keys: tuple[str, ...]) -> Records:
    """Article records from a document `{KEY: [...]}` (KEY in list_keys), a plain list, or JSON lines."""
    parsed = parse(path)
    if parsed.lines:
        items, problems = [], []
        for number, line in parsed.lines:
            value = _loads(line)
            if value is None:
                problems.append(SourceProblem(f"line {number}", "not JSON: skipped"))
            else:
                items.append((f"line {number}", value))
        return Records(tuple(items), tuple(problems))
    data = parsed.document
    if isinstance(data, list):
        return Records(tuple((f"[{i}]", item) for i, item in enumerate(data)))
    if isinstance(data, dict):
        for key in list_keys:
            if isinstance(data.get(key), list):
                return Records(tuple((f"{key}[{i}]", item) for i, item in enumerate(data[key])))
    wanted = " or ".join(f"an object with a '{k}' list" for k in list_keys)
    raise ExportError(f"{path}: expected {wanted}, a list of articles, or one article per line (JSON lines)")


@dataclass(frozen=True)
class Fields:
    """What every help-centre article record must have, checked; `record` for the rest."""

    where: str  # position, id and title, for messages
    id: str
    title: str
    body: str
    record: dict[str, object]


def read_articles(path: Path, list_keys: tuple[str, ...], build: Callable[[Fields], SourceArticle]) -> Export:
    """Every record with an id, a title and a text body becomes an article; the others are problems."""
    found = records(path, list_keys)
    articles, problems = [], list(found.problems)
    for position, record in found.items:
        fields = _fields(position, record)
        if isinstance(fields, SourceProblem):
            problems.append(fields)
        else:
            articles.append(build(fields))
    return Export(tuple(articles), tuple(problems))


def _fields(position: str, record: object) -> Fields | SourceProblem:
    if not isinstance(record, dict):
        return SourceProblem(position, "not an article object: skipped")
    article_id, title = text(record, "id"), text(record, "title")
    if not article_id:
        return SourceProblem(f"{position} (“{title}”)" if title else position, "no id: skipped")
    if not title:
        return SourceProblem(f"{position} (article {article_id})", "no title: skipped")
    where = f"{position} (article {article_id}, “{title}”)"
    body = record.get("body")
    if body is not None and not isinstance(body, str):
        return SourceProblem(where, "body is not HTML text: skipped")
    return Fields(where, article_id, title, body or "", record)


def first_record(path: Path) -> object:
    """The document, or the first JSON line in a list, or None: enough to tell which export this is."""
    try:
        parsed = parse(path)
    except ExportError:
        return None
    return [_loads(parsed.lines[0][1])] if parsed.lines else parsed.document


def text(record: dict[str, object], name: str) -> str:
    value = record.get(name)
    return str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""


def date(value: object) -> dt.date | None:
    """ISO 8601 (Zendesk) or Unix seconds (Intercom); None when absent or unreadable."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return dt.datetime.fromtimestamp(value, tz=dt.UTC).date()
        if isinstance(value, str) and value.strip():
            return dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
    except (ValueError, OverflowError, OSError):
        return None
    return None


def _loads(line: str) -> object:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None

"""Confirmed examples as CSV: exported for a lead to review, read back (reviewed) for retraining.

Reading checks every row and names the file and line of each problem, so a hand-edited file fails
with something to fix rather than training on a typo.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from bot.storage.tables import ConfirmedExample, aware

COLUMNS = ("id", "created_at", "source", "verdict", "intent", "article_id", "confirmed_by", "conversation_id", "text")
VERDICTS = ("confirmed", "rejected")


class FeedbackFileError(ValueError):
    """A reviewed feedback CSV that cannot be used; the message lists each bad row."""


def write_csv(rows: Sequence[ConfirmedExample], out: TextIO) -> int:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.id,
                aware(row.created_at).isoformat(timespec="seconds"),
                row.source,
                row.verdict,
                row.intent or "",
                row.article_id or "",
                row.confirmed_by or "",
                row.conversation_id,
                row.text,
            ]
        )
    return len(rows)


def read_csv(path: Path, known_intents: Iterable[str]) -> list[tuple[str, str, str]]:
    """(text, intent, source) of the confirmed rows; every problem in the file is reported at once."""
    known = set(known_intents)
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise FeedbackFileError(f"{path}: cannot read: {exc.strerror}") from None
    with handle:
        reader = csv.DictReader(handle)
        try:
            examples, problems = _read_rows(path, reader, known)
        except UnicodeDecodeError:
            raise FeedbackFileError(f"{path}: not UTF-8 text (save the file as UTF-8 CSV)") from None
        except csv.Error as exc:  # e.g. a field over csv's size limit: an unclosed quote swallowing the rest
            raise FeedbackFileError(f"{path}:{reader.line_num}: malformed CSV: {exc}") from None
    if problems:
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
        raise FeedbackFileError("bad feedback rows:\n  " + "\n  ".join(shown))
    return examples


def _read_rows(path: Path, reader: csv.DictReader[str], known: set[str]) -> tuple[list[tuple[str, str, str]], list[str]]:
    missing = [c for c in ("verdict", "intent", "text") if c not in (reader.fieldnames or [])]
    if missing:
        raise FeedbackFileError(f"{path}:1: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    examples, problems = [], []
    for row in reader:
        line = reader.line_num
        verdict, intent, text = ((row.get(k) or "").strip() for k in ("verdict", "intent", "text"))
        if verdict not in VERDICTS:
            problems.append(f"{path}:{line}: verdict must be {' or '.join(VERDICTS)}, not {verdict[:30]!r}")
        elif verdict == "rejected":
            continue
        elif not text:
            problems.append(f"{path}:{line}: empty text")
        elif intent not in known:
            problems.append(f"{path}:{line}: unknown intent {intent[:60]!r}")
        else:
            examples.append((text, intent, (row.get("source") or "reviewed_file").strip()))
    return examples, problems

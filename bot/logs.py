"""Logging for every command: text lines for a terminal, or one JSON object per line for a log
pipeline (SUPPORTBOT_LOG_FORMAT=json), always through the redaction filter (bot.redaction).

Log messages are dotted event names with key=value pairs (`escalation.created ticket=12 priority=high`);
the JSON form lifts those into fields, so a pipeline can filter on them without parsing text.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from pathlib import Path
from typing import TextIO

from bot.config import Settings
from bot.redaction import Redact

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
HANDLER_NAME = "supportbot"  # ours, replaced on reconfiguring; other handlers (pytest's, an embedder's) stay
EVENT = re.compile(r"^([a-z_]+(?:\.[a-z_]+)+)(?=[\s:]|$)")
PAIR = re.compile(r"(?<![\w.])([A-Za-z_][\w.]*)=('[^']*'|\"[^\"]*\"|[^\s]+)")
RESERVED = frozenset({"time", "level", "logger", "message", "event", "exc", "stack"})


def fields(message: str) -> dict[str, str]:
    """The event name and key=value pairs of a message; quotes around a value are dropped."""
    found: dict[str, str] = {}
    event = EVENT.match(message)
    if event:
        found["event"] = event.group(1)
    for key, value in PAIR.findall(message):
        if key in RESERVED or key in found:
            continue
        found[key] = value[1:-1] if value[:1] in "'\"" and value[-1:] == value[:1] and len(value) > 1 else value.rstrip(":;,")
    return found


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        entry: dict[str, str] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
            **fields(message),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


class _Stderr(logging.StreamHandler[TextIO]):
    """Writes to whatever sys.stderr is when a record comes (tests and tools swap it), never to a stream
    that was swapped out and closed (as logging's own last-resort handler does)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def configure_logging(settings: Settings, path: Path | None = None) -> logging.Handler:
    """Send the root logger's records at `log_level` and above to stderr, or to `path` (`supportbot chat`
    keeps its terminal for the conversation); calling again replaces the earlier handler."""
    handler: logging.Handler = logging.FileHandler(path, encoding="utf-8") if path else _Stderr()
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if settings.log_format == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(Redact())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(settings.log_level)
    return handler

"""Defence in depth for logs: mask e-mail addresses, platform tokens and SQL parameters in any record.

Log calls already carry ids, counts, intents and kinds rather than what customers wrote; this filter
catches what slips through anyway, e.g. an exception's text from a library that quotes its input.
"""

from __future__ import annotations

import logging
import re

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (EMAIL, "[email]"),
    (re.compile(r"\bx(?:ox[a-z]|app)-[A-Za-z0-9-]+"), "[token]"),  # Slack: xoxb-, xoxp-, xoxe-, xapp-, ...
    (re.compile(r"\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"), "[token]"),  # Discord bot token
    (re.compile(r"\b(Bot|Bearer) [A-Za-z0-9._~+/=-]{16,}"), r"\1 [token]"),  # an Authorization header's value
    (re.compile(r"\[parameters: [^\n]*\]"), "[parameters: hidden]"),  # SQLAlchemy errors quote the row's values
)


def redact(text: str) -> str:
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class Redact(logging.Filter):
    """Rewrites the record in place (message, exception and stack text), so every handler sees it masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it for the handler to report
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True

"""The one error a ticket-history export raises, so the command line can print it as one line."""

from __future__ import annotations


class HistoryFileError(ValueError):
    """A history export that cannot be read as asked: the message names the file (and line) and what to fix."""

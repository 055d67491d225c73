"""What every platform's renderer of rich text shares: the layout of quotes and names, and the parts of
customer text that no platform should ever show (control and bidi characters that disguise text).

A renderer supplies a `Dialect` (how bot spans, and one line of customer text, look on its platform);
`render` places each quote on lines of its own, every line prefixed, so nothing after a quote reads as
quoted and no customer newline escapes it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.text import Rich, Span

CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
EMPTY_QUOTE = "(empty)"


@dataclass(frozen=True)
class Dialect:
    bot: Callable[[Span], str]  # a bot-authored span with the platform's markup
    untrusted_line: Callable[[str], str]  # one line of customer text: cannot ping, link, format or pose as ours
    trusted_line: Callable[[str], str]  # one line of a bot-authored quote


def render(text: Rich, dialect: Dialect) -> str:
    out = ""
    after_block = False
    for span in text.spans:
        piece, block = _span(span, dialect)
        if not piece:
            continue
        if after_block:
            piece = piece.lstrip(" ")
        if (block or after_block) and out and not out.endswith("\n"):
            out += "\n"
        out += piece
        after_block = block
    return out


def _span(span: Span, dialect: Dialect) -> tuple[str, bool]:
    """The span's text, and whether it is a block (needs lines of its own)."""
    if span.style == "quote":
        return quote(span.text, span.untrusted, dialect), True
    if span.untrusted:  # a display name: inline and escaped; a style on customer text is never trusted
        return dialect.untrusted_line(" ".join(span.text.splitlines())), False
    return dialect.bot(span), False


def quote(text: str, untrusted: bool, dialect: Dialect) -> str:
    """Every line, however the customer broke it (\\r, U+2028…), starts with `> `: none can escape the quote."""
    lines = [CONTROLS.sub("", line) for line in text.splitlines()]
    if not any(line.strip() for line in lines):
        return "> " + EMPTY_QUOTE
    return "\n".join("> " + (dialect.untrusted_line(line) if untrusted else dialect.trusted_line(line)) for line in lines)


def split_trailer(url: str, trailer: re.Pattern[str]) -> tuple[str, str]:
    """Sentence punctuation after a URL is not part of it; a `)` is, when it closes a `(` (wiki links)."""
    found = trailer.search(url)
    tail = found.group() if found else ""
    url = url[: len(url) - len(tail)]
    while tail.startswith(")") and url.count("(") > url.count(")"):
        url, tail = url + ")", tail[1:]
    return url, tail

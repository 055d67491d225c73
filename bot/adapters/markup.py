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


# Cutting rendered text to a platform's limits -------------------------------------------------------

SEPARATORS = ("\n\n", "\n", " ")


def strip_outer(text: str) -> str:
    """Outer whitespace off, except the space of a last empty quote line: `>` alone is no quote marker."""
    text = text.strip()
    return text + " " if text == ">" or text.endswith("\n>") else text


def cut_at(text: str, limit: int, blocked: list[bool]) -> int:
    """Where the first piece ends: the last paragraph, line or word break in the second half of the
    window, else anywhere in it, else the last position `blocked` allows (inside an atom only if one fills it)."""
    for floor in (limit // 2, 1):
        for separator in SEPARATORS:
            at = text.rfind(separator, floor, limit + len(separator))
            while at >= floor and blocked[at]:
                at = text.rfind(separator, floor, at + len(separator) - 1)
            if at >= floor:
                return at
    return next((at for at in range(limit, 0, -1) if not blocked[at]), limit)


def word_cut(text: str, limit: int) -> str:
    """`text` if it fits, else its longest prefix that ends at a word boundary (a hard cut for one huge word)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    at = max(text.rfind(" ", 0, limit + 1), text.rfind("\n", 0, limit + 1))
    return text[: at if at > 0 else limit].rstrip()


@dataclass(frozen=True)
class Cutter:
    """Splitting and truncating for one platform's markup; the platform says where a cut may not fall
    (`blocked`: inside a link, an entity or escape, a quote prefix), how to make over-long atoms cuttable
    (`defuse`) and how a piece cut mid-line continues (`continuation`: a quoted line stays quoted)."""

    blocked: Callable[[str, int], list[bool]]
    defuse: Callable[[str, int], str]
    continuation: Callable[[str, int, str], str]

    def cut(self, text: str, limit: int) -> int:
        return cut_at(text, limit, self.blocked(text, limit))

    def split(self, text: str, limit: int) -> list[str]:
        """`text` in pieces of at most `limit` characters; only whitespace at the cuts is lost (plus what
        `continuation` and `defuse` add)."""
        pieces: list[str] = []
        rest = strip_outer(text)
        if len(rest) > limit:
            rest = self.defuse(rest, limit - 3)  # room for a continuation's `> ` and guard
        while len(rest) > limit:
            cut = self.cut(rest, limit)
            head, tail = strip_outer(rest[:cut]), rest[cut:].lstrip()
            pieces.append(head)
            mid_line = "\n" not in rest[len(head.rstrip()) : len(rest) - len(tail)]
            rest = self.continuation(rest, cut, tail) if mid_line and tail else tail
        if rest:
            pieces.append(rest)
        return pieces

    def truncate(self, text: str, limit: int, note: Callable[[int], str]) -> str:
        """`text` cut at a safe boundary to fit `limit` with `note(characters dropped)` on a line of its own,
        outside any quote, so the note cannot be mistaken for customer text."""
        if len(text) <= limit:
            return text
        room = limit - len(note(len(text))) - 1
        if room < 1:
            return note(len(text))[:limit]
        text = self.defuse(text, room)
        room = min(room, limit - len(note(len(text))) - 1)  # defusing made it longer: the count may have grown
        head = strip_outer(text[: self.cut(text, room)])
        return f"{head}\n{note(len(text) - len(head))}"

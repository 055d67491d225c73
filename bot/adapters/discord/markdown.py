"""Rich text → Discord markdown.

Bot wording keeps its markup. Customer text (untrusted spans) is escaped so it can never ping, link,
embed, format or pass for a line the bot wrote: a `quote` span becomes a block quote with every line
prefixed, and a display name stays inline on one line.

Mentions go through `discord.utils.escape_mentions`. Markdown is escaped here rather than with
`discord.utils.escape_markdown` (2.7), which misses what a customer could abuse: on a `[x](y)` it escapes
only the `[` and leaves everything up to the last `)` (`**bold**` included) unescaped, it never escapes
`]`, `(`, `<` or a `1.` list, and it escapes a `  - item` line as `\\  - item`, which shows the backslash.
Discord reads a backslash before any punctuation as "literally this character", so escaping every markup
character, wherever it stands, is always safe.
"""

from __future__ import annotations

import re

from discord.utils import escape_mentions

from bot.core.text import Rich, Span

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_URL = re.compile(r"(https?://[^\s<>\[\]\"'`|\\]+)", re.IGNORECASE)
_URL_TRAILER = re.compile(r"[.,:;!?)}'\"_~*]+$")
_MARKUP = re.compile(r"([\\*_~`|\[\]()>#])")
_LIST_MARKER = re.compile(r"^(\s*(?:\d+(?=\.))?)([-+.])")  # `- x`, `-# x` (subtext), `+ x`, `1. x` at a line start
_ZWSP = "\u200b"
EMPTY_QUOTE = "(empty)"


def render(text: Rich) -> str:
    """The markdown for `text`; each quote sits on lines of its own, so nothing after it reads as quoted."""
    out = ""
    after_block = False
    for span in text.spans:
        piece, block = _render_span(span)
        if not piece:
            continue
        if after_block:
            piece = piece.lstrip(" ")
        if (block or after_block) and out and not out.endswith("\n"):
            out += "\n"
        out += piece
        after_block = block
    return out


def _render_span(span: Span) -> tuple[str, bool]:
    """The span's markdown, and whether it is a block (needs lines of its own)."""
    if span.style == "quote":
        return _quote(span.text, span.untrusted), True
    if span.untrusted:  # a display name: inline and escaped; a style on customer text is never trusted
        return _untrusted_line(" ".join(span.text.splitlines())), False
    return _bot(span), False


def _bot(span: Span) -> str:
    if span.style == "strong":
        return f"**{span.text}**"
    if span.style == "code":
        return f"`` {span.text} ``" if "`" in span.text else f"`{span.text}`"
    if span.style == "link" and span.url:
        label = span.text.replace("[", r"\[").replace("]", r"\]")
        return f"[{label}]({_url(span.url)})"
    return span.text


def _quote(text: str, untrusted: bool) -> str:
    """Every line, however the customer broke it (\\r, U+2028…), starts with `> `: none can escape the quote.

    Never `>>> `, which would quote the rest of the message, bot lines included."""
    lines = [_CONTROLS.sub("", line) for line in text.splitlines()]
    if not any(line.strip() for line in lines):
        return "> " + EMPTY_QUOTE
    return "\n".join("> " + (_untrusted_line(line) if untrusted else line) for line in lines)


def _untrusted_line(line: str) -> str:
    """One line of customer text: no controls, no markup, no mentions; bare URLs become `<url>` (no embed)."""
    parts = _URL.split(_CONTROLS.sub("", line))
    rendered = "".join(_customer_url(part) if i % 2 else _customer_words(part) for i, part in enumerate(parts))
    return escape_mentions(_LIST_MARKER.sub(r"\1\\\2", rendered, count=1))


def _customer_words(text: str) -> str:
    """Backslash every markup character; `<` gets a zero-width space so no `<@…>`, `<#…>`, `<t:…>`, `<:emoji:…>` forms."""
    return _MARKUP.sub(r"\\\1", text).replace("<", "<" + _ZWSP)


def _customer_url(url: str) -> str:
    """`<url>`: Discord shows the address itself (so it cannot be disguised) and does not embed a preview."""
    url, tail = _split_trailer(url)
    if url.endswith("://"):  # only a scheme: nothing to link
        return _customer_words(url + tail)
    return f"<{url}>{_customer_words(tail)}"


def _url(url: str) -> str:
    """A URL inside `(…)`: parentheses and spaces would end it early, so they are percent-encoded."""
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def _split_trailer(url: str) -> tuple[str, str]:
    """Sentence punctuation after a URL is not part of it; a `)` is, when it closes a `(` (wiki links)."""
    trailer = _URL_TRAILER.search(url)
    tail = trailer.group() if trailer else ""
    url = url[: len(url) - len(tail)]
    while tail.startswith(")") and url.count("(") > url.count(")"):
        url, tail = url + ")", tail[1:]
    return url, tail

"""Rich text → Discord markdown.

Bot wording keeps its markup. Customer text (untrusted spans) is escaped so it can never ping, link,
embed, format or pass for a line the bot wrote: a `quote` span becomes a block quote with every line
prefixed, and a display name stays inline on one line. The only mentions are `mention` spans (agents and
roles from the agents file), and only for ids of Discord's shape.

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

from bot.adapters import markup
from bot.core.text import Rich, Span

_URL = re.compile(r"(https?://[^\s<>\[\]\"'`|\\]+)", re.IGNORECASE)
_URL_TRAILER = re.compile(r"[.,:;!?)}'\"_~*]+$")
_MARKUP = re.compile(r"([\\*_~`|\[\]()>#])")
_LIST_MARKER = re.compile(r"^(\s*(?:\d+(?=\.))?)([-+.])")  # `- x`, `-# x` (subtext), `+ x`, `1. x` at a line start
_SNOWFLAKE = re.compile(r"[0-9]{15,20}")
_ZWSP = "\u200b"


def render(text: Rich) -> str:
    """The platform text for `text`; each quote sits on lines of its own, so nothing after it reads as quoted."""
    return markup.render(text, DISCORD)


def _bot(span: Span) -> str:
    if span.style == "mention":
        return mention(span)
    if span.style == "strong":
        return f"**{span.text}**"
    if span.style == "code":
        return f"`` {span.text} ``" if "`" in span.text else f"`{span.text}`"
    if span.style == "link" and span.url:
        label = span.text.replace("[", r"\[").replace("]", r"\]")
        return f"[{label}]({_url(span.url)})"
    return span.text


def mention(span: Span) -> str:
    """A configured agent (`discord:ID`) or role (`discord-role:ID`) as the real `<@ID>`/`<@&ID>`; anything
    else (another platform's agent, a group without a role) as its label, which cannot ping. Whether
    Discord notifies is up to the message's allowed mentions (bot.adapters.discord.render.pings)."""
    target = mention_target(span)
    if target is not None:
        return f"<@{target[1]}>" if target[0] == "user" else f"<@&{target[1]}>"
    return _untrusted_line(span.text)


def mention_target(span: Span) -> tuple[str, str] | None:
    """("user" or "role", snowflake) for the span's Discord target, if it has one of Discord's shape."""
    for target in span.targets:
        kind, _, ident = target.partition(":")
        if kind in ("discord", "discord-role") and _SNOWFLAKE.fullmatch(ident):
            return ("user" if kind == "discord" else "role", ident)
    return None


def _untrusted_line(line: str) -> str:
    """One line of customer text: no controls, no markup, no mentions; bare URLs become `<url>` (no embed)."""
    parts = _URL.split(markup.CONTROLS.sub("", line))
    rendered = "".join(_customer_url(part) if i % 2 else _customer_words(part) for i, part in enumerate(parts))
    return escape_mentions(_LIST_MARKER.sub(r"\1\\\2", rendered, count=1))


def _customer_words(text: str) -> str:
    """Backslash every markup character; `<` gets a zero-width space so no `<@…>`, `<#…>`, `<t:…>`, `<:emoji:…>` forms."""
    return _MARKUP.sub(r"\\\1", text).replace("<", "<" + _ZWSP)


def _customer_url(url: str) -> str:
    """`<url>`: Discord shows the address itself (so it cannot be disguised) and does not embed a preview."""
    url, tail = markup.split_trailer(url, _URL_TRAILER)
    if url.endswith("://"):  # only a scheme: nothing to link
        return _customer_words(url + tail)
    return f"<{url}>{_customer_words(tail)}"


def _url(url: str) -> str:
    """A URL inside `(…)`: parentheses and spaces would end it early, so they are percent-encoded."""
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


DISCORD = markup.Dialect(bot=_bot, untrusted_line=_untrusted_line, trusted_line=str)

"""Rich text → Slack mrkdwn.

Bot wording keeps its markup. Customer text (untrusted spans) is escaped so it can never ping, link,
format or pass for a line the bot wrote: a `quote` span becomes a block quote with every line prefixed,
and a display name stays inline on one line. The only pings are `mention` spans (agents and groups from
the agents file), and only for ids of Slack's shapes.

Slack has no escape character for `*` `_` `~` `` ` ``, and a zero-width space is no substitute: Slack
treats it as a word boundary (jsx-slack's "exact mode" inserts it around markup characters to *force*
formatting), so it can enable markup as easily as stop it. Customer markup characters are therefore
swapped for lookalikes that Slack ignores (jsx-slack's choice for text it cannot escape otherwise).
"""

from __future__ import annotations

import re

from bot.adapters import markup
from bot.core.text import Rich, Span

_URL = re.compile(r"(https?://[^\s<>|\[\]\"'`*]+)", re.IGNORECASE)
_URL_TRAILER = re.compile(r"[.,:;!?)}'\"_~]+$")
_LOOKALIKES = str.maketrans({"*": "∗", "＊": "﹡", "_": "ˍ", "＿": "⸏", "`": "ˋ", "｀": "ˋ", "~": "∼"})
# `@` starting a word (never inside an e-mail address) or naming a broadcast, which `link_names` would ping.
_MENTION = re.compile(r"(?<!\w)@|@(?=(?:channel|here|everyone)\b)", re.IGNORECASE)
_SLACK_USER, _SLACK_GROUP = re.compile(r"[UW][A-Z0-9]{2,20}"), re.compile(r"S[A-Z0-9]{2,20}")
_SOFT_HYPHEN = "\u00ad"
_ZWSP = "\u200b"


def render(text: Rich) -> str:
    """The platform text for `text`; each quote sits on lines of its own, so nothing after it reads as quoted."""
    return markup.render(text, SLACK)


def _bot(span: Span) -> str:
    text = escape(span.text)
    if span.style == "mention":
        return mention(span)
    if span.style == "strong":
        return f"*{text}*"
    if span.style == "code":
        return f"`{text}`"
    if span.style == "link" and span.url:
        return f"<{_url(span.url)}|{text}>"  # Slack splits at the first `|`, so one in the label is shown as is
    return text


def mention(span: Span) -> str:
    """A configured agent (`slack:U…`) or user group (`slack-group:S…`) as the real `<@U…>`/`<!subteam^S…>`;
    anything else (another platform's agent, a group without a Slack id) as its label, which cannot ping."""
    for target in span.targets:
        kind, _, ident = target.partition(":")
        if kind == "slack" and _SLACK_USER.fullmatch(ident):
            return f"<@{ident}>"
        if kind == "slack-group" and _SLACK_GROUP.fullmatch(ident):
            return f"<!subteam^{ident}>"
    return _customer_words(span.text)


def escape(text: str) -> str:
    """Slack's required escaping: `&`, `<` and `>` are control characters unless written as entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _untrusted_line(line: str) -> str:
    """One line of customer text: no controls, no markup, no mentions; bare URLs become plain `<url>` links."""
    parts = _URL.split(markup.CONTROLS.sub("", line))
    rendered = "".join(_customer_url(part) if i % 2 else _customer_words(part) for i, part in enumerate(parts))
    if rendered.startswith(("&gt;", "＞")):  # Slack reads either as a quote marker at a line start
        rendered = _SOFT_HYPHEN + rendered
    return rendered


def _customer_words(text: str) -> str:
    return _MENTION.sub("@" + _ZWSP, escape(text).translate(_LOOKALIKES))


def _customer_url(url: str) -> str:
    """An explicit link with no label: it shows its own address, so it cannot be disguised, and keeps working."""
    url, tail = markup.split_trailer(url, _URL_TRAILER)
    if url.endswith("://"):  # only a scheme: nothing to link
        return _customer_words(url + tail)
    return f"<{escape(url)}>{_customer_words(tail)}"


def _url(url: str) -> str:
    """A URL inside `<…|…>`: `|`, `<`, `>` and spaces would end or split it, so they are percent-encoded."""
    encoded = url.replace("|", "%7C").replace("<", "%3C").replace(">", "%3E").replace(" ", "%20")
    return encoded.replace("&", "&amp;")


SLACK = markup.Dialect(bot=_bot, untrusted_line=_untrusted_line, trusted_line=escape)

"""Rich text: what the core says, with every part marked by who wrote it and how it should look.

The core never formats for a platform. Bot-authored wording is `plain` (or `strong`/`code`/`link`);
anything a customer wrote travels as a `quote` span marked untrusted, so each adapter escapes exactly
that part its own way (Slack's `<!channel>` and Discord's `@everyone` never ping, markup never renders)
and shows it unmistakably as a quotation: a customer cannot fake "Sam claimed ticket #3." on a line of
its own in the agents' room.

A `mention` span is the one way the bot pings someone: an agent or group from the agents file (never
text a customer wrote), with a target per platform that each adapter turns into its real mention.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Style = Literal["plain", "strong", "code", "link", "quote", "mention"]


@dataclass(frozen=True)
class Span:
    text: str
    style: Style = "plain"
    url: str | None = None  # for links
    untrusted: bool = False  # written by a customer: escape it and render it as a quotation
    targets: tuple[str, ...] = ()  # for mentions: `slack:U0SAM`, `slack-group:S0123`, `discord:80…`, `discord-role:80…`

    def __post_init__(self) -> None:
        if self.style == "link" and not self.url:
            raise ValueError("a link span needs a url")
        if self.style == "mention" and self.untrusted:
            raise ValueError("a mention comes from configuration, never from a customer")


@dataclass(frozen=True)
class Rich:
    """A sequence of spans; `str(rich)` is a plain rendering (logs, transcripts, tests)."""

    spans: tuple[Span, ...] = ()

    def __str__(self) -> str:
        return "".join(_plain(s) for s in self.spans)

    def __add__(self, other: Rich | Span | str) -> Rich:
        return Rich(self.spans + rich(other).spans)

    def __radd__(self, other: Span | str) -> Rich:
        return rich(other) + self

    def __bool__(self) -> bool:
        return any(s.text for s in self.spans)

    @property
    def untrusted(self) -> tuple[str, ...]:
        """The customer-written parts, for checks that nothing untrusted is outside a quote."""
        return tuple(s.text for s in self.spans if s.untrusted)


def _plain(span: Span) -> str:
    if span.style == "quote":
        return f"“{span.text}”"
    if span.style == "link" and span.url and span.url != span.text:
        return f"{span.text} ({span.url})"
    return span.text


def rich(value: Rich | Span | str) -> Rich:
    if isinstance(value, Rich):
        return value
    if isinstance(value, Span):
        return Rich((value,))
    return Rich((Span(value),)) if value else Rich()


def join(parts: Iterable[Rich | Span | str], separator: str = "") -> Rich:
    spans: list[Span] = []
    for i, part in enumerate(parts):
        if i and separator:
            spans.append(Span(separator))
        spans.extend(rich(part).spans)
    return Rich(tuple(spans))


def said(text: str) -> Span:
    """Something a customer wrote, quoted."""
    return Span(text, "quote", untrusted=True)


def strong(text: str) -> Span:
    return Span(text, "strong")


def code(text: str) -> Span:
    return Span(text, "code")


def link(label: str, url: str) -> Span:
    return Span(label, "link", url=url)


def mention(label: str, *targets: str) -> Span:
    """A ping of an agent or group: each adapter uses the target for its platform (`platform:id`, or
    `slack-group:`/`discord-role:` for a group) and shows `label` as plain text where it has none."""
    return Span(label, "mention", targets=targets)


def name(text: str) -> Span:
    """A display name a customer chose: untrusted, but shown inline (escaped, not quoted)."""
    return Span(text, "plain", untrusted=True)

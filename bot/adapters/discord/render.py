"""Outbound events → Discord messages that Discord accepts: every content, embed and component within its limits.

Every text Discord reads as markdown goes through `markdown.render`, so customer text stays escaped and
quoted; footers are plain text, so they get mentions and `<…>` forms defused instead. Everything is sent
with `NO_PINGS` as well: not even a mistake here can ping anyone.

A reply too long for one message is split, never cut: at paragraph, line or word boundaries, never inside
a `<url>`, a `[label](url)`, a backslash escape or a `> ` quote prefix. A quoted line split mid-way goes on
behind `> ` again, so customer words never pass for ours, and no continuation starts with a list, heading
or quote marker of its own. A link longer than a whole message has its punctuation escaped, becoming plain
text that can be split. Cards are different: their sections summarise a stored transcript, so an overlong
one is truncated with a note that says where the rest lives, and the last sections go first when even
that does not fit. Lengths are Python characters (code points).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import discord
from discord.utils import escape_mentions

from bot.adapters import markup
from bot.adapters.discord.components import edit_draft_modal as edit_draft_modal  # re-exported: one module renders all
from bot.adapters.discord.components import line
from bot.adapters.discord.components import modal_text as modal_text
from bot.adapters.discord.components import parse_custom_id as parse_custom_id
from bot.adapters.discord.components import reply_modal as reply_modal
from bot.adapters.discord.components import view_for as view_for
from bot.adapters.discord.markdown import mention_target, render
from bot.core.events import AgentCard, AgentNotice, Button, CardField, CustomerReply, DraftCard, RatingRequest, RetireButtons
from bot.core.text import Rich, join, name, rich, said, strong

NO_PINGS = discord.AllowedMentions.none()
CONTENT = 2000
MESSAGE_TEXT = 1800  # a split piece leaves room for the note `render_retired` appends to the last one
EMBED_TITLE = 256
DESCRIPTION = 4096
MAX_FIELDS = 25
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
EMBED_TOTAL = 6000
FIELD_NAMES = 1500  # of the 6,000 for all field names: labels are short, this only stops 25 huge ones
CARD_FOOTER = 1000
MIN_SECTION = 400  # a section cut shorter than this shows too little to be worth its place: dropped instead
MIN_DESCRIPTION = 1500  # fields shrink to leave the description at least this (or all it needs)
INLINE_FIELD = 40
OMITTED_NAMES = 400
COLOURS = {"urgent": 0xE01E5A, "high": 0xF2994A, "normal": 0x3B82F6, "low": 0x9CA3AF}
DRAFT_COLOUR = 0x5865F2

# Cut points never fall strictly inside one of these: an escape (first, so `\[` never opens a link), a
# `<…>` form, a defused `<` or `@` and its zero-width space, a masked link, a line's quote prefix.
_ATOMS = re.compile(r"\\.|<[^\s<>]+>|[<@]\u200b|\[(?:\\.|[^\\\[\]\n])*\]\([^()\s]*\)|^> ", re.MULTILINE)
# Nor inside bold or code the bot wrote, as long as it is short: a long one is cut like plain text.
_STYLED = re.compile(r"\\.|(\*\*(?:\\.|[^*\\\n])+\*\*|`[^`\n]+`)")
_LINKS = re.compile(r"\\.|(<[^\s<>]+>|\[(?:\\.|[^\\\[\]\n])*\]\([^()\s]*\))")
_LINK_MARKUP = re.compile(r"\\.|([*_~`|\[\]()<>#:])")  # `:` too: `https\://` is no autolink
_MARKER = re.compile(r"(?:(\d+)\.|[-+*>]|-#|#{1,3})(?=\s|$)")  # list, quote, heading, subtext at a line start
_ZWSP = "\u200b"


@dataclass(frozen=True)
class DiscordMessage:
    """What one send or edit carries; the adapter builds the view from `buttons` with `view_for`, and
    the allowed mentions from `pings` with `allowed`."""

    content: str
    embeds: tuple[discord.Embed, ...] = ()
    buttons: tuple[Button, ...] = ()
    pings: tuple[tuple[str, str], ...] = ()  # ("user" | "role", id): the core's mentions, the only ones that notify


def pings(*texts: Rich) -> tuple[tuple[str, str], ...]:
    """The agents and roles the core mentions in `texts` (mention spans; customer text never is one)."""
    found = (mention_target(span) for text in texts for span in text.spans if span.style == "mention")
    return tuple(dict.fromkeys(target for target in found if target is not None))


def allowed(message: DiscordMessage) -> discord.AllowedMentions:
    """Exactly the message's own mentions may notify; never @everyone, a role or a user a customer wrote."""
    if not message.pings:
        return NO_PINGS
    users = [discord.Object(int(i)) for kind, i in message.pings if kind == "user"]
    roles = [discord.Object(int(i)) for kind, i in message.pings if kind == "role"]
    return discord.AllowedMentions(everyone=False, users=users or False, roles=roles or False, replied_user=False)


# Splitting and truncating markdown -----------------------------------------------------------------


def split(text: str, limit: int = MESSAGE_TEXT) -> list[str]:
    return _CUTTER.split(text, limit)


def truncate(text: str, limit: int, note: Callable[[int], str]) -> str:
    return _CUTTER.truncate(text, limit, note)


_strip = markup.strip_outer


def _blocked(text: str, limit: int) -> list[bool]:
    """For each cut position up to `limit`: would it fall inside an atom?"""
    blocked = [False] * (limit + 1)
    styled = (m.span(1) for m in _STYLED.finditer(text, 0, limit * 2) if m.group(1) and len(m.group(1)) <= limit // 2)
    atoms = (m.span() if m.group() != "> " else (m.start(), m.end() + 1) for m in _ATOMS.finditer(text))
    for spans in (styled, atoms):  # `+ 1`: nor right after a prefix, which would leave an empty quote line
        for start, end in itertools.takewhile(lambda span: span[0] < limit, spans):
            for at in range(start + 1, min(end, limit + 1)):
                blocked[at] = True
    return blocked


def _defuse(text: str, limit: int) -> str:
    """A link longer than `limit` cannot stay one without being split: its markup is escaped, so it shows
    as the literal text (no link, no preview) and splits like any other."""

    def escape(found: re.Match[str]) -> str:
        return "\\" + found.group(1) if found.group(1) else found.group()

    def unlink(found: re.Match[str]) -> str:
        link = found.group(1)
        return _LINK_MARKUP.sub(escape, link) if link and len(link) > limit else found.group()

    return _LINKS.sub(unlink, text)


def _continuation(text: str, cut: int, tail: str) -> str:
    """The rest of a line cut mid-way: still quoted if it was, and never opening a list, heading or quote."""
    quoted = text.startswith("> ", text.rfind("\n", 0, cut) + 1)
    marker = _MARKER.match(tail)
    if marker:
        at = marker.end() - 1 if marker.group(1) else 0
        tail = tail[:at] + "\\" + tail[at:]
    return ("> " if quoted else "") + tail


def plain(text: Rich | str, limit: int) -> str:
    """Text for a place Discord shows as-is (footers): one line, no mention or `<…>` form, clipped."""
    return line(escape_mentions(str(text)).replace("<", "<" + _ZWSP), limit, "")


def _ellipsis(dropped: int) -> str:
    return "…"


def _more(dropped: int) -> str:
    return f"… ({dropped} more characters)"


# Customer replies, ratings, notices ----------------------------------------------------------------


def render_reply(event: CustomerReply) -> list[DiscordMessage]:
    """One message, or several for a long answer; an agent's name leads, the buttons go on the last."""
    text = render(event.text)
    if event.author and event.author.strip():
        text = f"**{render(join([name(event.author.strip())]))}** (support team):\n{text}"
    return _messages(text, event.buttons)


def render_notice(event: AgentNotice) -> list[DiscordMessage]:
    """A line for the agents' room; it names its ticket when it cannot go into the ticket's thread."""
    text = event.text
    if event.ticket_id is not None and event.agent_thread_id is None:
        text = rich(f"Ticket #{event.ticket_id}: ") + text
    return [dataclasses.replace(m, pings=pings(text)) for m in _messages(render(text), event.buttons)]


def render_rating(event: RatingRequest) -> DiscordMessage:
    return DiscordMessage(truncate(_strip(render(event.text)), MESSAGE_TEXT, _ellipsis), buttons=event.buttons)


def _messages(markdown: str, buttons: tuple[Button, ...]) -> list[DiscordMessage]:
    pieces = split(markdown) or ["" if buttons else "…"]  # Discord refuses a message with nothing in it
    return [DiscordMessage(piece, buttons=buttons if i == len(pieces) - 1 else ()) for i, piece in enumerate(pieces)]


# Agents' room: cards and drafts --------------------------------------------------------------------


def render_card(card: AgentCard, reply_button: bool = True) -> DiscordMessage:
    """A ticket card: one embed (title, priority colour, fields, sections) with its buttons, plus the
    adapter's "Reply to customer" (which opens `reply_modal`); a plain line for the notification."""
    return _card(card, (*card.buttons, _reply_button(card)) if reply_button else card.buttons, Rich())


def _reply_button(card: AgentCard) -> Button:
    return Button("Reply to customer", "discord.reply", str(card.ticket_id))


def _card(card: AgentCard, buttons: tuple[Button, ...], note: Rich) -> DiscordMessage:
    """The embed within 6,000 characters: the footer and title first, then the fields (shrunk only when
    they would leave the description too little), then the description in what is left."""
    title = line(card.title, EMBED_TITLE, f"Ticket #{card.ticket_id}")
    footer = plain(note, CARD_FOOTER)
    blocks = [render(_titled(heading, body)) for heading, body in card.sections]
    wanted = min(sum(len(b) + 2 for b in blocks), MIN_DESCRIPTION)
    fields = _fields(card.ticket_id, card.fields, EMBED_TOTAL - len(title) - len(footer) - wanted)
    room = min(DESCRIPTION, EMBED_TOTAL - len(title) - len(footer) - sum(len(n) + len(v) for n, v, _ in fields))
    colour = COLOURS.get(card.priority.lower(), COLOURS["normal"])
    embed = discord.Embed(title=title, description=_description(card, blocks, room) or None, colour=colour)
    for field_name, value, inline in fields:
        embed.add_field(name=field_name, value=value, inline=inline)
    if footer:
        embed.set_footer(text=footer)
    called = pings(*(f.value for f in card.fields))  # embeds never notify: the mentions go in the content too
    lead = " · ".join([f"New ticket #{card.ticket_id} · {card.priority.upper()}", *_mentions(called)])
    return DiscordMessage(line(lead, CONTENT), (embed,), buttons, called)


def _mentions(called: tuple[tuple[str, str], ...]) -> list[str]:
    return [f"<@{i}>" if kind == "user" else f"<@&{i}>" for kind, i in called]


def _fields(ticket_id: int, fields: Sequence[CardField], room: int) -> list[tuple[str, str, bool]]:
    """(name, value, inline) for at most 25 fields; values share `room` (short ones whole), each ≤ 1,024."""
    items = [(f.label, _strip(render(f.value))) for f in fields]
    if len(items) > MAX_FIELDS:
        hidden = [label for label, _ in items[MAX_FIELDS - 1 :]]
        listed = f"{len(hidden)} more fields not shown: {', '.join(hidden)}; stored with ticket #{ticket_id}"
        items = [*items[: MAX_FIELDS - 1], ("More", listed)]
    name_cap = _level([len(line(label, FIELD_NAME)) for label, _ in items], FIELD_NAMES)
    names = [line(label, max(2, min(FIELD_NAME, name_cap))) for label, _ in items]
    cap = min(FIELD_VALUE, _level([len(v) for _, v in items], room - sum(map(len, names))))
    values = [truncate(value, max(cap, 30), _more if cap >= 60 else _ellipsis) or "—" for _, value in items]
    return [(n, v, len(v) <= INLINE_FIELD and "\n" not in v) for n, v in zip(names, values, strict=True)]


def _description(card: AgentCard, blocks: list[str], room: int) -> str:
    """Sections as `**Heading**\\nbody`: long ones share what short ones leave; when a share would be under
    MIN_SECTION, the last sections (least worth keeping) are dropped and listed instead."""
    headings = [heading for heading, _ in card.sections]
    for kept in range(len(blocks), 0, -1):
        omitted = _omitted(card.ticket_id, headings[kept:])
        space = room - 2 * (kept - 1) - (len(omitted) + 2 if omitted else 0)
        lengths = [len(b) for b in blocks[:kept]]
        cap = _level(lengths, space)
        if cap >= min(MIN_SECTION, max(lengths)):
            parts = [_section(card.ticket_id, b, cap) for b in blocks[:kept]]
            return "\n\n".join([*parts, omitted] if omitted else parts)
    return truncate(_omitted(card.ticket_id, headings), max(room, 0), _ellipsis)


def _section(ticket_id: int, block: str, cap: int) -> str:
    def note(dropped: int) -> str:
        return f"… (truncated: {dropped} more characters; the full transcript is stored with ticket #{ticket_id})"

    return truncate(block, cap, note)


def _omitted(ticket_id: int, headings: list[str]) -> str:
    """The note for dropped sections, naming as many as fit in a few hundred characters."""
    if not headings:
        return ""
    named = [render(rich(strong(line(h, 100)))) for h in headings]
    shown = next(n for n in range(len(named), -1, -1) if len(", ".join(named[:n])) <= OMITTED_NAMES)
    listed = ", ".join(named[:shown]) + (f" and {len(named) - shown} more" if shown < len(named) else "")
    return f"… {len(headings)} more sections not shown: {listed}; stored with ticket #{ticket_id}"


def _level(lengths: Sequence[int], room: int) -> int:
    """The largest cap with sum(min(length, cap)) ≤ room: short parts stay whole, long ones share the rest."""
    left = room
    ordered = sorted(lengths)
    for i, length in enumerate(ordered):
        share = left // (len(ordered) - i)
        if length > share:
            return share
        left -= length
    return max(ordered, default=0)


def _titled(heading: str, body: Rich) -> Rich:
    return rich(strong(heading or "…")) + "\n" + body


def render_draft(card: DraftCard) -> DiscordMessage:
    """A draft for review: what the customer asked (quoted), the draft, Approve/Edit/Reject."""
    return _draft(card, card.buttons, Rich())


def _draft(card: DraftCard, buttons: tuple[Button, ...], note: Rich) -> DiscordMessage:
    title = line(f"Draft #{card.draft_id} for review · {card.intent} ({card.confidence:.0%})", EMBED_TITLE)

    def dropped_note(dropped: int) -> str:
        return f"… (truncated: {dropped} more characters; the full draft is stored with draft #{card.draft_id})"

    asked = truncate(render(rich(said(card.customer_text))), FIELD_VALUE, _more)
    draft = truncate(_strip(render(card.draft_text)) or "(empty draft)", DESCRIPTION, dropped_note)
    status = note or rich(f"Conversation #{card.conversation_id} · the customer sees nothing until a draft is approved")
    footer = plain(status, min(FOOTER, EMBED_TOTAL - len(title) - len("Customer asked") - len(asked) - len(draft)))
    embed = discord.Embed(title=title, description=draft, colour=DRAFT_COLOUR)
    embed.add_field(name="Customer asked", value=asked, inline=False)
    if footer:
        embed.set_footer(text=footer)
    return DiscordMessage(f"Draft #{card.draft_id} for review", (embed,), buttons)


# Retiring buttons ----------------------------------------------------------------------------------


def render_retired(event: RetireButtons) -> DiscordMessage:
    """What the posted message becomes once its buttons are stale: the same text with only `keep` (a
    claimed card keeps "Reply to customer" too) and the note, a subtext line or a card's footer. Being
    re-rendered from the original, retiring twice replaces the note rather than adding a second."""
    original, keep = event.original, event.keep
    if isinstance(original, CustomerReply):
        return _with_note(render_reply(dataclasses.replace(original, buttons=keep))[-1], event.note)
    if isinstance(original, RatingRequest):
        return _with_note(render_rating(dataclasses.replace(original, buttons=keep)), event.note)
    if isinstance(original, AgentCard):
        return _card(original, (*keep, _reply_button(original)) if keep else (), event.note)
    if isinstance(original, DraftCard):
        return _draft(original, keep, event.note)
    if isinstance(original, AgentNotice):
        return _with_note(render_notice(dataclasses.replace(original, buttons=keep))[-1], event.note)
    raise ValueError("RetireButtons without the original message: nothing to re-render")


def _with_note(message: DiscordMessage, note: Rich) -> DiscordMessage:
    text = _strip(render(note))
    if not text:
        return message
    if "\n" not in text and not text.startswith(">"):
        text = "-# " + text  # subtext: small and grey, clearly not part of the answer
    text = truncate(text, CONTENT - len(message.content) - 2, _ellipsis)
    return dataclasses.replace(message, content=f"{message.content}\n\n{text}" if message.content else text)


_CUTTER = markup.Cutter(_blocked, _defuse, _continuation)

"""Outbound events → Slack Block Kit messages that Slack accepts: every text, list and id within its limits.

Every piece of text that lands in a mrkdwn field goes through `mrkdwn.render`, so customer text stays
escaped and quoted. A reply too long for one section is split, never cut: at paragraph, line or word
boundaries, never inside a `<url|label>` link, an `&amp;` entity or a `> ` quote prefix, and a quoted
line split mid-way starts its continuation with `> ` again so customer words never pass for ours.
A link longer than a whole section is shown as `label (url)` instead.
Cards are different: their sections are summaries of a stored transcript, so an overlong one is
truncated with a note that says where the rest lives. Lengths are Python characters (code points).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.adapters import markup
from bot.adapters.slack.modals import edit_draft_modal as edit_draft_modal  # re-exported: one module renders all
from bot.adapters.slack.modals import modal_text as modal_text
from bot.adapters.slack.modals import reply_modal as reply_modal
from bot.adapters.slack.mrkdwn import render
from bot.core.events import AgentCard, AgentNotice, Button, CustomerReply, DraftCard, RatingRequest
from bot.core.text import Rich, join, name, rich, said, strong

Block = dict[str, Any]

MAX_BLOCKS = 50
SECTION_TEXT = 3000
FIELD_TEXT = 2000
MAX_FIELDS = 10
HEADER_TEXT = 150
CONTEXT_TEXT = 3000
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ACTION_ID = 255
MAX_BUTTONS = 25  # per actions block
FALLBACK_TEXT = 4000
MESSAGE_TEXT = 3500  # split into another message past this much section text
RETIRED = "retired"
REPLY_BUTTON_INDEX = 99
_SPARE_BLOCKS = 1  # every message leaves room for the note `retire` appends

# Cut points never fall strictly inside one of these: a link or mention, an entity, a line's quote prefix.
_ATOMS = re.compile(r"<[^<>]*>|&(?:amp|lt|gt|#\d+|#x[0-9a-fA-F]+);|^> ", re.MULTILINE)
_LINK = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_SOFT_HYPHEN = "\u00ad"


@dataclass(frozen=True)
class SlackMessage:
    """The kwargs of chat.postMessage / chat.update besides channel and thread_ts."""

    text: str  # the notification fallback; Slack parses it as mrkdwn too, so it stays escaped
    blocks: tuple[Block, ...]

    def kwargs(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": list(self.blocks)}


# Splitting and truncating mrkdwn ------------------------------------------------------------------


def split(text: str, limit: int = SECTION_TEXT) -> list[str]:
    return _CUTTER.split(text, limit)


def truncate(text: str, limit: int, note: Callable[[int], str]) -> str:
    return _CUTTER.truncate(text, limit, note)


_strip = markup.strip_outer


def _blocked(text: str, limit: int) -> list[bool]:
    """For each cut position up to `limit`: would it fall inside an atom?"""
    blocked = [False] * (limit + 1)
    for atom in _ATOMS.finditer(text):
        if atom.start() >= limit:
            break
        end = atom.end() + (atom.group() == "> ")  # nor right after a prefix: that leaves an empty quote line
        for at in range(atom.start() + 1, min(end, limit + 1)):
            blocked[at] = True
    return blocked


def _defuse(text: str, limit: int) -> str:
    """A link longer than a whole piece cannot stay one without being split: it becomes `label (url)`."""

    def unlink(found: re.Match[str]) -> str:
        url, label = found.group(1), found.group(2)
        return found.group() if len(found.group()) <= limit else f"{label} ({url})" if label else url

    return _LINK.sub(unlink, text)


def _continuation(text: str, cut: int, tail: str) -> str:
    """The rest of a line cut mid-way: still quoted if it was, and never starting as a new quote."""
    quoted = text.startswith("> ", text.rfind("\n", 0, cut) + 1)
    guard = _SOFT_HYPHEN if tail.startswith(("&gt;", "＞")) else ""
    return ("> " if quoted else "") + guard + tail


def unescape(mrkdwn: str) -> str:
    """Undo Slack's escaping (reading a draft back out of a posted message); `&amp;` last, so `&amp;lt;` stays `&lt;`."""
    return mrkdwn.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


# Block builders ------------------------------------------------------------------------------------


def plain_text(text: str, limit: int, fallback: str = "…") -> dict[str, Any]:
    """A plain_text object on one line, clipped with `…`; Slack rejects an empty one."""
    flat = " ".join(text.split()) or fallback
    return {"type": "plain_text", "text": flat if len(flat) <= limit else flat[: limit - 1] + "…", "emoji": True}


def section(text: str, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    return {**block, "block_id": block_id} if block_id else block


def context_block(mrkdwn: str, block_id: str | None = None) -> Block:
    block: Block = {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(mrkdwn, CONTEXT_TEXT, _ellipsis)}]}
    return {**block, "block_id": block_id} if block_id else block


def button(button: Button, index: int) -> dict[str, Any]:
    """A button whose action_id is unique within its block (five `csat.rate` buttons differ by index)."""
    action_id = f"{button.action}#{index}"
    if len(action_id) > ACTION_ID or len(button.value) > BUTTON_VALUE:
        raise ValueError(f"button {button.action!r} exceeds Slack's action_id or value limit")  # cutting would misroute it
    element: dict[str, Any] = {"type": "button", "text": plain_text(button.label, BUTTON_TEXT), "action_id": action_id}
    if button.value:  # Slack rejects an empty value
        element["value"] = button.value
    if button.style != "default":
        element["style"] = button.style
    return element


def parse_action_id(action_id: str) -> str:
    """The core action a pressed button stands for: the text before the last `#`."""
    action, hash_, _ = action_id.rpartition("#")
    return action if hash_ else action_id


def actions(elements: Sequence[dict[str, Any]], block_id: str) -> list[Block]:
    """Actions blocks of at most 25 buttons each (block ids `block_id`, `block_id_1`, …)."""
    chunks = [elements[i : i + MAX_BUTTONS] for i in range(0, len(elements), MAX_BUTTONS)]
    return [{"type": "actions", "block_id": _nth(block_id, k), "elements": list(chunk)} for k, chunk in enumerate(chunks)]


def _nth(block_id: str, k: int) -> str:
    return f"{block_id}_{k}" if k else block_id


def _buttons(buttons: Sequence[Button], block_id: str) -> list[Block]:
    return actions([button(b, i) for i, b in enumerate(buttons)], block_id)


def _ellipsis(dropped: int) -> str:
    return "…"


def _fallback(mrkdwn: str) -> str:
    return truncate(_strip(mrkdwn), FALLBACK_TEXT, _ellipsis) or "…"


# Customer replies, ratings, notices ----------------------------------------------------------------


def render_reply(event: CustomerReply) -> list[SlackMessage]:
    """One message, or several for a long answer; an agent's name leads, the buttons go on the last."""
    lead: list[Block] = []
    prefix = ""
    if event.author and event.author.strip():
        who = render(rich(name(event.author.strip())))
        lead, prefix = [context_block(f"*{who}* · support team", "author")], f"{who}: "
    return _messages(render(event.text), lead, _buttons(event.buttons, "reply_actions"), prefix)


def render_notice(event: AgentNotice) -> list[SlackMessage]:
    """A line for the agents' room; it names its ticket when it cannot go into the ticket's thread.
    Buttons (a verdict asked for) go on the last message."""
    text = event.text
    if event.ticket_id is not None and event.agent_thread_id is None:
        text = rich(f"Ticket #{event.ticket_id}: ") + text
    return _messages(render(text), [], _buttons(event.buttons, "notice_actions"), "")


def render_rating(event: RatingRequest) -> SlackMessage:
    text = truncate(_strip(render(event.text)), SECTION_TEXT, _ellipsis)
    blocks = ([section(text, "rating_text")] if text else []) + _buttons(event.buttons, "rating_actions")
    return SlackMessage(_fallback(text), tuple(blocks))


def _messages(mrkdwn: str, lead: list[Block], tail: list[Block], prefix: str) -> list[SlackMessage]:
    """Sections of `mrkdwn` packed into messages: `lead` opens the first, `tail` closes the last."""
    room = max(1, MAX_BLOCKS - _SPARE_BLOCKS - len(lead) - len(tail))
    groups = _pack(split(mrkdwn), room) or [[]]
    messages = []
    for i, group in enumerate(groups):
        blocks = (lead if i == 0 else []) + [section(piece) for piece in group] + (tail if i == len(groups) - 1 else [])
        messages.append(SlackMessage(_fallback((prefix if i == 0 else "") + "\n\n".join(group)), tuple(blocks)))
    return messages


def _pack(pieces: list[str], room: int) -> list[list[str]]:
    """Pieces in order, grouped by at most `room` sections and about MESSAGE_TEXT characters."""
    groups: list[list[str]] = []
    size = 0
    for piece in pieces:
        if groups and len(groups[-1]) < room and size + 2 + len(piece) <= MESSAGE_TEXT:
            groups[-1].append(piece)
            size += 2 + len(piece)
        else:
            groups.append([piece])
            size = len(piece)
    return groups


# Agents' room: cards and drafts --------------------------------------------------------------------


def render_card(card: AgentCard, reply_button: bool = True) -> SlackMessage:
    """A ticket card: header, fields, one section per card section, and its buttons (plus the adapter's
    "Reply to customer", which opens a modal). Sections past the block limit are dropped last-first."""
    elements = [button(b, i) for i, b in enumerate(card.buttons)]
    if reply_button:
        elements.append(button(Button("Reply to customer", "slack.reply", str(card.ticket_id)), REPLY_BUTTON_INDEX))
    header: Block = {
        "type": "header",
        "block_id": "card_title",
        "text": plain_text(card.title, HEADER_TEXT, f"Ticket #{card.ticket_id}"),
    }
    fields, buttons = _fields(card), actions(elements, "card_actions")
    room = max(1, MAX_BLOCKS - _SPARE_BLOCKS - 1 - len(fields) - len(buttons))
    sections = [_card_section(card.ticket_id, n, heading, body) for n, (heading, body) in enumerate(card.sections)]
    if len(sections) > room:
        omitted = [heading for heading, _ in card.sections[room - 1 :]]
        sections = [*sections[: room - 1], _omitted(card.ticket_id, omitted)]
    return SlackMessage(_fallback(render(rich(card.title))), (header, *fields, *sections, *buttons))


def _fields(card: AgentCard) -> list[Block]:
    texts = [_field(f.label, f.value) for f in card.fields]
    chunks = [texts[i : i + MAX_FIELDS] for i in range(0, len(texts), MAX_FIELDS)]
    return [
        {"type": "section", "block_id": _nth("card_fields", k), "fields": [{"type": "mrkdwn", "text": t} for t in chunk]}
        for k, chunk in enumerate(chunks)
    ]


def _field(label: str, value: Rich) -> str:
    return truncate(render(_titled(label, value)), FIELD_TEXT, lambda n: f"… ({n} more characters)")


def _card_section(ticket_id: int, n: int, heading: str, body: Rich) -> Block:
    def note(dropped: int) -> str:
        return f"… (truncated: {dropped} more characters; the full transcript is stored with ticket #{ticket_id})"

    return section(truncate(render(_titled(heading, body)), SECTION_TEXT, note), f"section_{n}")


def _omitted(ticket_id: int, headings: list[str]) -> Block:
    listed = render(join([strong(h) for h in headings], ", "))
    return context_block(
        f"… {len(headings)} more sections not shown: {listed}; stored with ticket #{ticket_id}", "sections_omitted"
    )


def _titled(heading: str, body: Rich) -> Rich:
    return rich(strong(heading or "…")) + "\n" + body


def render_draft(card: DraftCard) -> SlackMessage:
    """A draft for review: what the customer asked (quoted), the draft, Approve/Edit/Reject."""
    title = f"Draft #{card.draft_id} for review · {card.intent} ({card.confidence:.0%})"

    def note(dropped: int) -> str:
        return f"… (truncated: {dropped} more characters; the full draft is stored with draft #{card.draft_id})"

    asked = render(join([strong("Customer asked"), said(card.customer_text)]))
    asked = truncate(asked, SECTION_TEXT, lambda dropped: f"… (truncated: {dropped} more characters)")
    draft = truncate(_strip(render(card.draft_text)) or "(empty draft)", SECTION_TEXT, note)
    blocks = [
        {"type": "header", "block_id": "draft_title", "text": plain_text(title, HEADER_TEXT)},
        context_block(f"Conversation #{card.conversation_id} · the customer sees nothing until a draft is approved"),
        section(asked, "draft_question"),
        section(draft, "draft_text"),
        *_buttons(card.buttons, "draft_actions"),
    ]
    return SlackMessage(_fallback(render(rich(title))), tuple(blocks))


def retire(blocks: Sequence[Block], note: Rich) -> tuple[Block, ...]:
    """The same message with its buttons gone (a stale one can't be pressed twice) and `note` at the end;
    retiring again replaces the note rather than adding a second."""
    kept = [b for b in blocks if b.get("type") != "actions" and b.get("block_id") != RETIRED]
    text = _strip(render(note))
    return (*kept, context_block(text, RETIRED)) if text else tuple(kept)


_CUTTER = markup.Cutter(_blocked, _defuse, _continuation)

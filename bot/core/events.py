"""Typed inbound and outbound events: the whole vocabulary between the core and the adapters.

Threads, buttons and the private agents' channel are expressed neutrally. A customer `Place` is a DM,
channel or thread on the platform; the agents' channel is one per deployment, and each ticket or draft
is a card there whose thread (`agent_thread_id`, reported back by the adapter) carries the follow-up.
Slack renders buttons as Block Kit actions, Discord as components; the console numbers them.

Identity and trust come from the adapter: `Place.agents_room` is true only for events that came from
the private agents' channel (or a thread in it), which only its members can post in. Text the bot
sends is `Rich` (bot.core.text): customer-written parts are typed as such, and each adapter escapes them.

Ids an adapter reports must be unique on its platform, not merely within a channel: Slack's `ts` is
unique per channel only, so the Slack adapter scopes it with `scoped_id(channel, ts)`. Re-deliveries
carry the same id, which is what makes them idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from bot.core.text import Rich


@dataclass(frozen=True)
class Person:
    platform: str  # console | slack | discord
    user_id: str
    name: str | None = None

    @property
    def key(self) -> str:
        """`platform:user_id`, the form admin and agent lists use."""
        return f"{self.platform}:{self.user_id}"

    @property
    def label(self) -> str:
        return self.name or self.user_id


@dataclass(frozen=True)
class Place:
    """Where an event came from or a message goes: a DM, a channel, or a thread in one. `agents_room`
    marks the private agents' channel: agent actions are obeyed only from there."""

    platform: str
    channel_id: str
    thread_id: str | None = None
    agents_room: bool = False


def scoped_id(scope: str, platform_id: str) -> str:
    """An id unique on the platform, from one unique only within `scope` (a Slack channel's `ts`)."""
    return f"{scope}/{platform_id}"


@dataclass(frozen=True)
class CustomerProfile:
    """What the platform or a CRM knows about the customer's account; optional on every message."""

    company: str | None = None
    account_id: str | None = None
    tier: str | None = None  # free | team | business | enterprise
    role: str | None = None  # owner | admin | member | guest
    account_value: float | None = None
    email: str | None = None


@dataclass(frozen=True)
class Button:
    label: str
    action: str  # a key of bot.core.buttons.ACTIONS, e.g. "ticket.claim"
    value: str = ""
    style: Literal["primary", "danger", "default"] = "default"


# Inbound ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CustomerMessage:
    message_id: str  # the platform's id: a re-delivery carries the same one
    customer: Person
    place: Place
    text: str
    profile: CustomerProfile | None = None  # what the platform says; overrides the customer directory
    directory_keys: tuple[str, ...] = ()  # most specific first, e.g. "slack-team:T0123" (bot.core.directory)
    attachments: tuple[str, ...] = ()  # file names: kept in the transcript, never classified


@dataclass(frozen=True)
class MessageChanged:
    """A customer edited or deleted a message: recorded in the transcript (and shown to the agent who has
    the conversation), never answered again."""

    message_id: str  # the id of the original message
    customer: Person
    place: Place
    text: str = ""
    deleted: bool = False


@dataclass(frozen=True)
class AgentMessage:
    """An agent writing on a ticket: a reply the customer sees, or an internal note they never do.

    Adapters identify the ticket by `ticket_id` (console, commands) or by the card's thread; a message
    tied to neither is refused, never guessed. `place` must be the agents' room.
    """

    message_id: str
    agent: Person
    text: str
    internal: bool = False
    ticket_id: int | None = None
    agent_thread_id: str | None = None
    place: Place | None = None


@dataclass(frozen=True)
class ButtonPress:
    """A click on a button the core sent (or a form submitted from one: `text` carries an edited draft)."""

    press_id: str  # the platform's interaction id, for idempotency
    user: Person
    action: str
    value: str = ""
    text: str | None = None
    place: Place | None = None


@dataclass(frozen=True)
class SlashCommand:
    user: Person
    name: str  # the command word, e.g. "tier"
    text: str = ""  # its arguments
    place: Place | None = None
    command_id: str | None = None  # the platform's id for this invocation (a re-delivery carries it again)


InboundEvent = CustomerMessage | MessageChanged | AgentMessage | ButtonPress | SlashCommand


# Outbound -----------------------------------------------------------------------------------------

ReplyKind = Literal["answer", "clarify", "handoff", "holding", "relay", "info", "smalltalk"]


@dataclass(frozen=True)
class CustomerReply:
    place: Place
    text: Rich
    kind: ReplyKind
    buttons: tuple[Button, ...] = ()
    author: str | None = None  # the agent's name when an agent speaks through the bot


@dataclass(frozen=True)
class RatingRequest:
    place: Place
    conversation_id: int
    text: Rich
    buttons: tuple[Button, ...]


@dataclass(frozen=True)
class CardField:
    label: str
    value: Rich


@dataclass(frozen=True)
class AgentCard:
    """A new ticket in the agents' channel: the handoff packet, rendered, with its buttons."""

    ticket_id: int
    title: str
    priority: str
    fields: tuple[CardField, ...]
    sections: tuple[tuple[str, Rich], ...]  # (heading, body) blocks, in order
    buttons: tuple[Button, ...]
    customer_place: Place | None = None  # where the customer is: a desk with one staff room per server picks by it

    def render_text(self) -> str:
        lines = [f"{self.title}"]
        lines += [f"{f.label}: {f.value}" for f in self.fields]
        for heading, body in self.sections:
            lines += ["", f"{heading}:", str(body)]
        return "\n".join(lines)


@dataclass(frozen=True)
class DraftCard:
    """An assisted-tier answer waiting for an agent: the customer sees nothing until it is approved."""

    draft_id: int
    conversation_id: int
    intent: str
    confidence: float
    customer_text: str  # written by the customer: adapters escape and quote it
    draft_text: Rich
    buttons: tuple[Button, ...]
    customer_place: Place | None = None


@dataclass(frozen=True)
class AgentNotice:
    """A line in the agents' channel, in a ticket's thread when there is one (relayed customer
    messages, claims, notes, status changes), with buttons when it asks for a verdict (the weekly
    quality sample's Good / Bad)."""

    text: Rich
    ticket_id: int | None = None
    agent_thread_id: str | None = None
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class RetireButtons:
    """Buttons on something already posted went stale (the conversation moved on): the adapter edits
    that message (`ref`, what its `send` returned) to show only `keep` and `note`. `place` is the
    customer's place, or None for a message in the agents' room."""

    ref: str
    note: Rich
    place: Place | None = None
    original: CustomerReply | RatingRequest | AgentCard | DraftCard | AgentNotice | None = None  # what was posted, to re-render
    keep: tuple[Button, ...] = ()  # buttons that still apply (a claimed card keeps Resolve and Hand back)


@dataclass(frozen=True)
class CommandResponse:
    """The answer to a slash command or a refused action, shown only to the person who asked."""

    to: Person
    text: str
    place: Place | None = None
    ok: bool = True


OutboundEvent = CustomerReply | RatingRequest | AgentCard | DraftCard | AgentNotice | RetireButtons | CommandResponse

"""A whole-bot harness: push customer, agent and admin events; pop what each side sees.

The harness is the bot's adapter: outbound events arrive through `send`, the way a platform adapter
gets them, and are routed as one would: replies and rating requests to the customer, cards and
notices to the agents' channel (each ticket card gets a thread id, which the core links back),
command responses privately to whoever asked. Agent events come from the agents' room unless a test
says otherwise; `deliver_together` hands several events to the bot at once, as a busy platform would.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.app import SupportBot
from bot.core.events import (
    AgentCard,
    AgentMessage,
    AgentNotice,
    Button,
    ButtonPress,
    CommandResponse,
    CustomerMessage,
    CustomerProfile,
    CustomerReply,
    DraftCard,
    InboundEvent,
    OutboundEvent,
    Person,
    Place,
    RatingRequest,
    RetireButtons,
    SlashCommand,
)

ALICE = Person("test", "alice", "Alice")
BOB = Person("test", "bob", "Bob")
SAM = Person("test", "sam", "Sam")
KIM = Person("test", "kim", "Kim")
ROOT = Person("test", "root", "Root")
AGENTS_ROOM = Place("test", "agents", agents_room=True)
CUSTOMERS = (ALICE, BOB)
CustomerSide = CustomerReply | RatingRequest
AgentSide = AgentCard | DraftCard | AgentNotice


def dm(who: Person) -> Place:
    return Place(who.platform, f"dm-{who.user_id}")


@dataclass
class Harness:
    bot: SupportBot
    customer_inbox: list[CustomerSide] = field(default_factory=list)
    agents_channel: list[AgentSide] = field(default_factory=list)
    private: list[CommandResponse] = field(default_factory=list)
    retired: list[RetireButtons] = field(default_factory=list)
    sent: list[OutboundEvent] = field(default_factory=list)  # everything, in order
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    fail_sends: Callable[[OutboundEvent], bool] | None = None  # a platform that refuses some sends
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _customer_buttons: tuple[Button, ...] = ()
    _agent_buttons: tuple[Button, ...] = ()

    def __post_init__(self) -> None:
        self.bot.attach(self.send)

    def close(self) -> None:
        self.loop.close()

    # The adapter side ----------------------------------------------------------------------------

    async def send(self, item: OutboundEvent) -> str | None:
        if self.fail_sends is not None and self.fail_sends(item):
            raise ConnectionError("the platform refused the send")
        self.sent.append(item)
        ref = f"posted-{len(self.sent)}"
        if isinstance(item, CustomerReply | RatingRequest):
            self.customer_inbox.append(item)
            self._customer_buttons = item.buttons or self._customer_buttons
        elif isinstance(item, AgentCard | DraftCard | AgentNotice):
            self.agents_channel.append(item)
            if isinstance(item, AgentCard):
                ref = f"thread-{item.ticket_id}"
            if isinstance(item, AgentCard | DraftCard):
                self._agent_buttons = item.buttons
        elif isinstance(item, RetireButtons):
            self.retired.append(item)
        else:
            self.private.append(item)
        return ref

    # Pushing ----------------------------------------------------------------------------------------

    def deliver(self, event: InboundEvent) -> list[OutboundEvent]:
        """Hand one event to the bot; returns what it sent meanwhile."""
        before = len(self.sent)
        self.loop.run_until_complete(self.bot.handle(event))
        return self.sent[before:]

    def deliver_together(self, *events: InboundEvent) -> list[BaseException | None]:
        """Hand several events to the bot concurrently; returns each one's exception, if any."""

        async def run() -> list[BaseException | None]:
            results = await asyncio.gather(*(self.bot.handle(e) for e in events), return_exceptions=True)
            return [r if isinstance(r, BaseException) else None for r in results]

        return self.loop.run_until_complete(run())

    def message(
        self,
        text: str,
        who: Person = ALICE,
        place: Place | None = None,
        message_id: str | None = None,
        profile: CustomerProfile | None = None,
    ) -> CustomerMessage:
        return CustomerMessage(message_id or f"m{next(self._ids)}", who, place or dm(who), text, profile)

    def say(
        self,
        text: str,
        who: Person = ALICE,
        profile: CustomerProfile | None = None,
        message_id: str | None = None,
        place: Place | None = None,
    ) -> str:
        """The customer writes; returns the platform message id used (to re-deliver it)."""
        event = self.message(text, who, place, message_id, profile)
        self.deliver(event)
        return event.message_id

    def press(
        self, label: str, who: Person = ALICE, text: str | None = None, press_id: str | None = None, place: Place | None = None
    ) -> None:
        """Click the button with this label on the latest message that offered it to this side."""
        customer = who in CUSTOMERS
        offered = self._customer_buttons if customer else self._agent_buttons
        matches = [b for b in offered if b.label == label]
        assert matches, f"no button '{label}' offered; offered: {[b.label for b in offered]}"
        button = matches[0]
        where = place or (dm(who) if customer else AGENTS_ROOM)
        self.deliver(ButtonPress(press_id or f"p{next(self._ids)}", who, button.action, button.value, text, where))

    def click(
        self, action: str, value: str, who: Person = SAM, text: str | None = None, place: Place | None = AGENTS_ROOM
    ) -> None:
        self.deliver(ButtonPress(f"p{next(self._ids)}", who, action, value, text, place))

    def agent_message(
        self,
        ticket_id: int | None,
        text: str,
        who: Person = SAM,
        internal: bool = False,
        thread: str | None = None,
        message_id: str | None = None,
        place: Place | None = AGENTS_ROOM,
    ) -> AgentMessage:
        return AgentMessage(message_id or f"a{next(self._ids)}", who, text, internal, ticket_id, thread, place)

    def agent_says(
        self,
        ticket_id: int | None,
        text: str,
        who: Person = SAM,
        internal: bool = False,
        thread: str | None = None,
        message_id: str | None = None,
        place: Place | None = AGENTS_ROOM,
    ) -> str:
        event = self.agent_message(ticket_id, text, who, internal, thread, message_id, place)
        self.deliver(event)
        return event.message_id

    def escalate(self, who: Person = ALICE) -> int:
        """The customer asks for a person; returns the new ticket's id (what the customer saw is popped)."""
        self.say("I want to speak to a human about my account", who=who)
        self.customer_sees()
        return self.only_card().ticket_id

    def command(self, line: str, who: Person = ROOT, place: Place | None = None) -> CommandResponse:
        name, _, arguments = line.lstrip("/").partition(" ")
        self.deliver(SlashCommand(who, name, arguments, place))
        return self.private.pop()

    # Popping ----------------------------------------------------------------------------------------

    def customer_sees(self) -> list[str]:
        seen = [str(item.text) for item in self.customer_inbox]
        self.customer_inbox.clear()
        return seen

    def agents_see(self) -> list[AgentSide]:
        seen = list(self.agents_channel)
        self.agents_channel.clear()
        return seen

    def agents_see_text(self) -> str:
        parts = []
        for item in self.agents_see():
            if isinstance(item, AgentCard):
                parts.append(item.render_text())
            elif isinstance(item, DraftCard):
                parts.append(f"draft #{item.draft_id}: {item.draft_text}")
            else:
                parts.append(str(item.text))
        return "\n".join(parts)

    def private_sees(self) -> list[str]:
        seen = [item.text for item in self.private]
        self.private.clear()
        return seen

    def cards(self) -> list[AgentCard]:
        return [item for item in self.agents_see() if isinstance(item, AgentCard)]

    def only_card(self) -> AgentCard:
        cards = self.cards()
        assert len(cards) == 1, f"expected one ticket card, got {len(cards)}"
        return cards[0]

"""A whole-bot harness: push customer, agent and admin events; pop what each side sees.

Outbound events are routed the way an adapter would: replies and rating requests to the customer,
cards and notices to the agents' channel (each ticket card gets a thread id, linked back to the core),
command responses privately to whoever asked.
"""

from __future__ import annotations

import asyncio
import itertools
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
    SlashCommand,
)

ALICE = Person("test", "alice", "Alice")
BOB = Person("test", "bob", "Bob")
SAM = Person("test", "sam", "Sam")
KIM = Person("test", "kim", "Kim")
ROOT = Person("test", "root", "Root")
CustomerSide = CustomerReply | RatingRequest
AgentSide = AgentCard | DraftCard | AgentNotice


@dataclass
class Harness:
    bot: SupportBot
    customer_inbox: list[CustomerSide] = field(default_factory=list)
    agents_channel: list[AgentSide] = field(default_factory=list)
    private: list[CommandResponse] = field(default_factory=list)
    loop: asyncio.AbstractEventLoop = field(default_factory=asyncio.new_event_loop)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _customer_buttons: tuple[Button, ...] = ()
    _agent_buttons: tuple[Button, ...] = ()

    def close(self) -> None:
        self.loop.close()

    # Pushing ----------------------------------------------------------------------------------------

    def deliver(self, event: InboundEvent) -> list[OutboundEvent]:
        outbound = self.loop.run_until_complete(self.bot.handle(event))
        for item in outbound:
            if isinstance(item, CustomerReply | RatingRequest):
                self.customer_inbox.append(item)
                self._customer_buttons = item.buttons or self._customer_buttons
            elif isinstance(item, AgentCard | DraftCard | AgentNotice):
                self.agents_channel.append(item)
                if isinstance(item, AgentCard):
                    self.loop.run_until_complete(self.bot.link_agent_thread(item.ticket_id, f"thread-{item.ticket_id}"))
                if isinstance(item, AgentCard | DraftCard):
                    self._agent_buttons = item.buttons
            else:
                self.private.append(item)
        return outbound

    def say(self, text: str, who: Person = ALICE, profile: CustomerProfile | None = None, message_id: str | None = None) -> str:
        """The customer writes; returns the platform message id used (to re-deliver it)."""
        message_id = message_id or f"m{next(self._ids)}"
        self.deliver(CustomerMessage(message_id, who, Place(who.platform, f"dm-{who.user_id}"), text, profile))
        return message_id

    def press(self, label: str, who: Person = ALICE, text: str | None = None, press_id: str | None = None) -> None:
        """Click the button with this label on the latest message that offered it to this side."""
        offered = self._customer_buttons if who in (ALICE, BOB) else self._agent_buttons
        matches = [b for b in offered if b.label == label]
        assert matches, f"no button '{label}' offered; offered: {[b.label for b in offered]}"
        button = matches[0]
        self.deliver(ButtonPress(press_id or f"p{next(self._ids)}", who, button.action, button.value, text))

    def click(self, action: str, value: str, who: Person = SAM, text: str | None = None) -> None:
        self.deliver(ButtonPress(f"p{next(self._ids)}", who, action, value, text))

    def agent_says(self, ticket_id: int | None, text: str, who: Person = SAM, internal: bool = False,
                   thread: str | None = None, message_id: str | None = None) -> str:
        message_id = message_id or f"a{next(self._ids)}"
        self.deliver(AgentMessage(message_id, who, text, internal, ticket_id, thread))
        return message_id

    def command(self, line: str, who: Person = ROOT) -> CommandResponse:
        name, _, arguments = line.lstrip("/").partition(" ")
        self.deliver(SlashCommand(who, name, arguments))
        return self.private.pop()

    # Popping ----------------------------------------------------------------------------------------

    def customer_sees(self) -> list[str]:
        seen = [item.text for item in self.customer_inbox]
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
                parts.append(item.text)
        return "\n".join(parts)

    def private_sees(self) -> list[str]:
        seen = [item.text for item in self.private]
        self.private.clear()
        return seen

    def only_card(self) -> AgentCard:
        cards = [item for item in self.agents_see() if isinstance(item, AgentCard)]
        assert len(cards) == 1, f"expected one ticket card, got {len(cards)}"
        return cards[0]

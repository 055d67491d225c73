"""`SupportBot`: takes one inbound event, returns the outbound events it produced.

One handler per event type (customer turns, agent messages, buttons, admin commands). Events for
the same customer or ticket are handled one at a time; different conversations run concurrently.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.core import admin, agent_desk, buttons, customer_turn
from bot.core.access import Access
from bot.core.events import (
    AgentMessage,
    AgentNotice,
    ButtonPress,
    CustomerMessage,
    CustomerReply,
    InboundEvent,
    OutboundEvent,
    Place,
    SlashCommand,
)
from bot.core.policy import Policy
from bot.core.services import Services
from bot.core.store import ConversationStore
from bot.core.tiers import TierTable
from bot.storage.tables import Conversation
from knowledge.gaps import GapLog

log = logging.getLogger("supportbot.core")
FAILURE_TEXT = "Sorry, something went wrong on my side. I've told the support team, and someone will get back to you here."
T = TypeVar("T")
Handler = Callable[["SupportBot", Any], Awaitable[list[OutboundEvent]]]
HANDLERS: dict[type, Handler] = {
    CustomerMessage: customer_turn.handle,
    AgentMessage: agent_desk.handle_message,
    ButtonPress: buttons.handle,
    SlashCommand: admin.handle,
}


def _lock_key(event: InboundEvent) -> str:
    """Events that touch the same conversation or ticket are handled in arrival order."""
    if isinstance(event, CustomerMessage):
        return f"customer:{event.customer.key}"
    if isinstance(event, AgentMessage):
        return f"ticket:{event.ticket_id or event.agent_thread_id}"
    if isinstance(event, ButtonPress):
        kind = event.action.split(".")[0]
        return f"{kind}:{event.value.split(':')[0]}" if kind in ("ticket", "draft") else f"customer:{event.user.key}"
    return f"admin:{event.user.key}"


class SupportBot:
    def __init__(
        self,
        store: ConversationStore,
        services: Services,
        policy: Policy,
        tiers: TierTable,
        access: Access,
        gaps: GapLog,
        max_message_chars: int = 4000,
        describe_setup: Callable[[], list[str]] | None = None,
    ) -> None:
        self.store = store
        self.services = services
        self.policy = policy
        self.tiers = tiers
        self.access = access
        self.gaps = gaps
        self.max_message_chars = max_message_chars
        self.describe_setup = describe_setup or (lambda: [])
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.started = time.time()
        stale = tiers.apply(store.settings())
        if stale:
            log.warning("settings.stale keys=%s", ",".join(stale))

    async def handle(self, event: InboundEvent) -> list[OutboundEvent]:
        handler = HANDLERS.get(type(event))
        if handler is None:
            raise TypeError(f"no handler for {type(event).__name__}")
        async with self._locks[_lock_key(event)]:
            try:
                return await handler(self, event)
            except Exception as exc:
                if not isinstance(event, CustomerMessage):
                    raise
                log.exception("message.failed platform=%s id=%s", event.customer.platform, event.message_id)
                return [
                    CustomerReply(event.place, FAILURE_TEXT, "info"),
                    AgentNotice(
                        f"The bot failed on a message from {event.customer.label} ({type(exc).__name__}); "
                        f"the message is stored, please pick the conversation up."
                    ),
                ]

    async def db(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a store call off the event loop."""
        return await asyncio.to_thread(function, *args, **kwargs)

    async def link_agent_thread(self, ticket_id: int, agent_thread_id: str) -> None:
        """Adapters report the thread their ticket card started, so replies there reach the ticket."""
        await self.db(self.store.update_ticket, ticket_id, agent_thread_id=agent_thread_id)

    @staticmethod
    def place(conversation: Conversation) -> Place:
        return Place(conversation.platform, conversation.channel_id, conversation.thread_id)

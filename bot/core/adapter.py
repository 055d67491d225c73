"""The adapter interface and the loop that connects an adapter to the core.

An adapter delivers inbound events to a callback and sends outbound events; `send` returns the
platform's id for what it posted (for an `AgentCard`, the thread that follow-ups go to).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.core.app import SupportBot
from bot.core.events import AgentCard, InboundEvent, OutboundEvent

log = logging.getLogger("supportbot.dispatch")
EventSink = Callable[[InboundEvent], Awaitable[None]]


class Adapter(Protocol):
    name: str

    async def run(self, sink: EventSink) -> None:
        """Receive events and pass each to `sink` until the platform connection ends or `stop` is called."""

    async def send(self, event: OutboundEvent) -> str | None:
        """Deliver one outbound event; return the platform id of what was posted, if any."""

    async def stop(self) -> None: ...


def connect(bot: SupportBot, adapter: Adapter) -> EventSink:
    """The callback an adapter calls per inbound event: handle it, send what it produced, link ticket threads."""

    async def sink(event: InboundEvent) -> None:
        try:
            outbound = await bot.handle(event)
        except Exception:
            log.exception("event.failed kind=%s", type(event).__name__)
            raise
        for item in outbound:
            posted = await adapter.send(item)
            if isinstance(item, AgentCard) and posted:
                await bot.link_agent_thread(item.ticket_id, posted)

    return sink

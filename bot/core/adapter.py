"""The adapter interface and the loop that connects an adapter to the core.

An adapter delivers inbound events to a callback and sends outbound events; `send` returns the
platform's id for what it posted (for an `AgentCard`, the thread that follow-ups go to; for anything
with buttons, the message that `RetireButtons` will later edit).

What the core relies on an adapter for:
- ids: `CustomerMessage.message_id`, `AgentMessage.message_id` and `ButtonPress.press_id` are unique on
  the platform (scope per-channel ids with `scoped_id`), and a re-delivery carries the same id;
- places: `Place.agents_room` is true exactly for events from the private agents' channel (and its
  threads), and `agent_thread_id` is unique on the platform;
- rendering: `Rich` text is rendered with the platform's escaping for its untrusted spans.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from typing import Protocol

from bot.core.app import Sender, SupportBot
from bot.core.events import (
    AgentCard,
    AgentNotice,
    CommandResponse,
    CustomerReply,
    DraftCard,
    InboundEvent,
    OutboundEvent,
    RatingRequest,
    RetireButtons,
)
from bot.core.jobs import Scheduler

log = logging.getLogger("supportbot.dispatch")
EventSink = Callable[[InboundEvent], Awaitable[None]]


class Adapter(Protocol):
    name: str

    async def run(self, sink: EventSink) -> None:
        """Receive events and pass each to `sink` until the platform connection ends or `stop` is called."""

    async def send(self, event: OutboundEvent) -> str | None:
        """Deliver one outbound event; return the platform id of what was posted, if any. Raise when
        the platform did not take it: the event stays in the outbox and is sent again later."""

    async def stop(self) -> None: ...


def connect(bot: SupportBot, adapter: Adapter) -> EventSink:
    """Route the bot's outbound events to `adapter` and return the callback for its inbound events."""
    bot.attach(adapter.send)
    return bot.handle


def destination(event: OutboundEvent, desk: str) -> str:
    """Which platform an outbound event goes to: the customer's for what the customer sees, the desk's
    for the agents' room, the asker's for a private answer."""
    if isinstance(event, CustomerReply | RatingRequest):
        return event.place.platform
    if isinstance(event, AgentCard | DraftCard | AgentNotice):
        return desk
    if isinstance(event, RetireButtons):
        return event.place.platform if event.place is not None else desk
    assert isinstance(event, CommandResponse)
    return event.to.platform


def router(adapters: dict[str, Adapter], desk: str) -> Sender:
    """One sender for several adapters, so one `SupportBot` serves every platform with one agents' desk."""
    if desk not in adapters:
        raise ValueError(f"the agents' desk '{desk}' is not one of the running adapters: {', '.join(sorted(adapters))}")

    async def send(event: OutboundEvent) -> str | None:
        platform = destination(event, desk)
        if platform not in adapters:
            raise LookupError(f"no adapter for platform '{platform}' is running ({type(event).__name__} not sent)")
        return await adapters[platform].send(event)

    return send


async def serve_all(bot: SupportBot, adapters: dict[str, Adapter], desk: str, scheduler: Scheduler | None = None) -> None:
    """Several platforms in one process: customers on each, agents on the desk platform."""
    bot.attach(router(adapters, desk))
    await _started(bot)
    async with _scheduled(scheduler or Scheduler(bot)):
        await asyncio.gather(*(adapter.run(bot.handle) for adapter in adapters.values()))


async def serve(bot: SupportBot, adapter: Adapter, scheduler: Scheduler | None = None) -> None:
    """Connect, send what an earlier run left pending, re-run turns it died on, then take events (and
    run the scheduled jobs: outbox retries, recovery, retention) until the adapter stops."""
    sink = connect(bot, adapter)
    await _started(bot)
    async with _scheduled(scheduler or Scheduler(bot)):
        await adapter.run(sink)


async def _started(bot: SupportBot) -> None:
    resent = await bot.resend_pending()
    recovered = await bot.recover()
    if resent or recovered:
        log.info("startup.recovered resent=%s turns=%s", resent, recovered)


@asynccontextmanager
async def _scheduled(scheduler: Scheduler) -> AsyncIterator[None]:
    task = asyncio.create_task(scheduler.run_forever(), name="supportbot-scheduler")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task

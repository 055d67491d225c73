"""`SupportBot`: takes one inbound event, decides, and delivers what it produced through the outbox.

One handler per event type (customer turns, agent messages, buttons, admin commands). Events for
the same customer or ticket are handled one at a time; different conversations run concurrently.
Each decision is one transaction (bot.core.work) that leaves its outbound events pending in the
outbox; the bot then hands them to the adapter's `send` and marks each sent once the adapter
confirms. Whatever is still pending after a crash is sent on start (`resend_pending`), and a customer
turn the process died on runs again when the platform re-delivers it or on start (`recover`).

Admin changes live in the database with a version number; every process checks it (at most once a
second) before an event and rebuilds its policy and tiers, or reloads the model or knowledge base,
when another process changed them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, TypeVar

from sqlmodel import Session

from bot.core import (
    admin,
    agent_desk,
    buttons,
    customer_turn,
    edits,
    learning_commands,  # noqa: F401  (registers /label and /retrain)
    privacy_commands,  # noqa: F401  (registers /forget)
    quality_jobs,  # noqa: F401  (registers the weekly quality sample and its Good / Bad buttons)
    sla_jobs,  # noqa: F401  (registers the SLA, idle-conversation and weekly-report jobs)
    status_command,  # noqa: F401  (registers /status)
)
from bot.core.access import Access
from bot.core.directory import merge_profiles
from bot.core.event_keys import error_code, lock_key, receipt_of
from bot.core.events import (
    AgentMessage,
    AgentNotice,
    ButtonPress,
    CustomerMessage,
    CustomerProfile,
    CustomerReply,
    InboundEvent,
    MessageChanged,
    OutboundEvent,
    Person,
    Place,
    RatingRequest,
    SlashCommand,
)
from bot.core.locks import EventLocks, locks_for
from bot.core.metrics import Metrics
from bot.core.outbox import Outgoing
from bot.core.policy import Policy
from bot.core.roster import Roster
from bot.core.services import Services
from bot.core.store import ConversationStore
from bot.core.text import join, name, rich
from bot.core.tiers import TierTable
from bot.core.work import Work
from bot.storage import database_unavailable, decided_elsewhere
from knowledge.gaps import GapLog

log = logging.getLogger("supportbot.core")
DATABASE_RETRY = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0)  # about 30 s: a restart or fail-over, not an outage
FAILURE_TEXT = "Sorry, something went wrong on my side. I've told the support team, and someone will get back to you here."
T = TypeVar("T")
Handler = Callable[["SupportBot", Any], Awaitable[list[Outgoing]]]
Sender = Callable[[OutboundEvent], Awaitable[str | None]]
HANDLERS: dict[type, Handler] = {
    CustomerMessage: customer_turn.handle,
    MessageChanged: edits.handle,
    AgentMessage: agent_desk.handle_message,
    ButtonPress: buttons.handle,
    SlashCommand: admin.handle,
}


class Directory(Protocol):
    """Who a customer is, from keys the adapter derives (bot.core.directory.CustomerDirectory)."""

    async def profile(self, keys: Sequence[str]) -> CustomerProfile | None: ...


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
        product_name: str = "our product",
        settings_check_seconds: float = 1.0,
        directory: Directory | None = None,
    ) -> None:
        self.store = store
        self.services = services
        self.base_policy = policy.model_copy(deep=True)
        self.policy = policy
        self.tiers = tiers
        self.access = access
        self.gaps = gaps
        self.max_message_chars = max_message_chars
        self.describe_setup = describe_setup or (lambda: [])
        self.product_name = product_name
        self.directory = directory
        self.settings_check_seconds = settings_check_seconds
        self.sender: Sender | None = None
        self.locks: EventLocks = locks_for(store.engine)  # one event at a time per conversation, across processes
        self.metrics = Metrics()
        self.retention_days: int | None = None  # conversation text older than this is purged (bot.core.jobs)
        # The weekly report's text, from the reporting layer (bot.reporting.digest): the core does not import it.
        self.weekly_digest: Callable[[Session, dt.datetime], str] | None = None
        self.roster = Roster()  # who handles which tickets (SUPPORTBOT_AGENTS_FILE); empty: cards name nobody
        self._settings_seen: tuple[int, int, int] | None = None
        self._settings_checked = 0.0
        self.started = time.time()
        # `/retrain` runs this in a child process: training never shares the serving process.
        self.retrain_command: list[str] = [sys.executable, "-m", "bot", "train", "--with-feedback", "--quiet"]
        self.retraining: asyncio.Task[None] | None = None
        self.store.idle_close = dt.timedelta(minutes=policy.conversations.idle_close_minutes)
        self.refresh_settings()

    async def profile_of(self, event: CustomerMessage) -> CustomerProfile | None:
        """What the platform says about the customer, completed from the customer directory."""
        if self.directory is None or not event.directory_keys:
            return event.profile
        return merge_profiles(event.profile, await self.directory.profile(event.directory_keys))

    def attach(self, sender: Sender) -> None:
        """The adapter's `send`: what every outbound event goes through."""
        self.sender = sender

    def text(self, template: str) -> str:
        """A policy text with the product's name filled in."""
        return template.replace("{product}", self.product_name)

    # Handling --------------------------------------------------------------------------------------

    async def handle(self, event: InboundEvent) -> None:
        """Handle one event. While the database is unreachable (a restart, a fail-over) the whole event
        is tried again with back-off, which is safe: every step is idempotent or recorded as it goes."""
        handler = HANDLERS.get(type(event))
        if handler is None:
            raise TypeError(f"no handler for {type(event).__name__}")
        await self._while_database_away(lambda: self._handle_once(handler, event), f"event {type(event).__name__}")

    async def _handle_once(self, handler: Handler, event: InboundEvent) -> None:
        await self.sync_settings()
        receipt = receipt_of(event)
        async with self.locks.hold(lock_key(event)) as waited:
            self.metrics.lock_wait(waited)
            if receipt is not None and not await self.db(self.store.begin_receipt, *receipt):
                log.info("event.duplicate kind=%s", type(event).__name__)
                return
            await self._handle_locked(handler, event)
            if receipt is not None:
                await self.db(self.store.finish_receipt, *receipt)

    async def _handle_locked(self, handler: Handler, event: InboundEvent) -> None:
        try:
            outgoing = await handler(self, event)
        except Exception as exc:
            if isinstance(event, CustomerMessage) and decided_elsewhere(exc):  # its replies are that process's
                log.warning("message.decided_elsewhere platform=%s id=%s", event.customer.platform, event.message_id)
                return
            if not isinstance(event, CustomerMessage) or database_unavailable(exc):
                raise
            log.exception("message.failed platform=%s id=%s", event.customer.platform, event.message_id)
            outgoing = self._failure(event, exc)
        await self.deliver(outgoing)

    @staticmethod
    def _failure(event: CustomerMessage, exc: Exception) -> list[Outgoing]:
        """Nobody is left in silence: the customer is told, and so are the agents."""
        notice = join(
            [
                "The bot failed on a message from ",
                name(event.customer.label),
                f" ({type(exc).__name__}); the message is stored, please pick the conversation up.",
            ]
        )
        return [Outgoing(CustomerReply(event.place, rich(FAILURE_TEXT), "info")), Outgoing(AgentNotice(notice))]

    async def commit(self, write: Callable[[Work], T], inbound_id: int | None = None) -> tuple[T, list[Outgoing]]:
        """Run `write` as one transaction off the event loop (see bot.core.work)."""
        return await asyncio.to_thread(self.store.transaction, write, inbound_id)

    async def db(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a store call off the event loop."""
        return await asyncio.to_thread(function, *args, **kwargs)

    # Delivery --------------------------------------------------------------------------------------

    async def deliver(self, outgoing: list[Outgoing]) -> bool:
        """Send in order; each item is marked sent as soon as the adapter confirms it (a process killed in
        between sends that one item again: at least once, never lost). On a failed send the rest stay
        pending (order matters to a reader) and go out on a later `resend_pending`."""
        if self.sender is None:
            raise RuntimeError("no adapter attached: call SupportBot.attach(adapter.send) first")
        untried: list[int] = []
        failed = False
        for i, item in enumerate(outgoing):
            kind = type(item.event).__name__
            try:
                with self.metrics.stage("send"):
                    ref = await self.sender(item.event)
                self.metrics.sent(kind)
            except Exception as exc:
                self.metrics.send_failed(kind)
                log.exception("outbox.send_failed kind=%s outbox=%s", kind, item.outbox_id)
                gave_up = item.outbox_id is not None and await self.db(self.store.mark_failed, item.outbox_id, error_code(exc))
                await self._tell_agents_send_failed(item, exc, gave_up)
                untried = [rest.outbox_id for rest in outgoing[i + 1 :] if rest.outbox_id is not None]
                failed = True
                break
            if item.outbox_id is not None:
                await self._recorded(self.store.mark_sent, [(item, ref)])
        if untried:
            await self.db(self.store.release, untried)
        return not failed

    async def _recorded(self, function: Callable[..., T], *args: Any) -> T:
        """A store call that must not be lost after a send went out (that would send it again): tried
        again while the database is briefly away."""
        return await self._while_database_away(lambda: self.db(function, *args), "record")

    @staticmethod
    async def _while_database_away(attempt: Callable[[], Awaitable[T]], what: str) -> T:
        """Run `attempt`; while the database is unreachable, run it again with back-off (DATABASE_RETRY)."""
        for pause in (*DATABASE_RETRY, None):
            try:
                return await attempt()
            except Exception as exc:
                if pause is None or not database_unavailable(exc):
                    raise
                log.warning("database.unavailable during=%s retry_in=%ss", what, pause)
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")

    async def _tell_agents_send_failed(self, item: Outgoing, exc: Exception, gave_up: bool) -> None:
        """Never silently dropped: agents hear that a customer's message is stuck, and again when it is
        given up (best effort: the agents' room may be what failed; `/status` lists it either way)."""
        if not isinstance(item.event, CustomerReply | RatingRequest) or self.sender is None:
            return
        where = item.event.place
        text = f"A message to a customer could not be delivered ({error_code(exc)}, {where.platform} {where.channel_id}); " + (
            "it was given up after repeated tries: please reach the customer another way."
            if gave_up
            else "it is queued and will be sent again."
        )
        try:
            await self.sender(AgentNotice(rich(text)))
        except Exception:
            log.warning("outbox.agents_unreachable kind=%s", type(item.event).__name__)

    async def resend_pending(self) -> int:
        """Send what a crashed or failed run left in the outbox, once its lease ran out (another live
        process may be sending its own); returns how many this process claimed."""
        due = await self.db(self.store.claim_due)
        if due:
            log.info("outbox.resending count=%s", len(due))
        conversations: dict[int | None, list[Outgoing]] = {}
        for item in due:  # a conversation's failure holds back only its own later items
            conversations.setdefault(item.conversation_id if item.conversation_id is not None else -id(item), []).append(item)
        for items in conversations.values():
            await self.deliver(items)
        return len(due)

    async def recover(self, older_than: dt.timedelta = dt.timedelta(seconds=30)) -> int:
        """Run customer turns again that were stored but never decided (the process died on them)."""
        ids = await self.db(self.store.unfinished_turns, older_than)
        for message_id in ids:
            event = await self.db(self._rebuild, message_id)
            if event is not None:
                log.info("message.recovering id=%s", event.message_id)
                await self.handle(event)
        return len(ids)

    def _rebuild(self, message_id: int) -> CustomerMessage | None:
        message = self.store.message(message_id)
        conversation = self.store.conversation(message.conversation_id) if message else None
        customer = self.store.customer(conversation.customer_id) if conversation else None
        if message is None or conversation is None or customer is None or message.platform_message_id is None:
            return None
        person = Person(customer.platform, customer.platform_user_id, customer.display_name)
        place = Place(conversation.platform, conversation.channel_id, conversation.thread_id)
        return CustomerMessage(message.platform_message_id, person, place, message.text)

    # Settings shared by every process ----------------------------------------------------------------

    async def sync_settings(self, force: bool = False) -> None:
        if force or time.monotonic() - self._settings_checked >= self.settings_check_seconds:
            await asyncio.to_thread(self.refresh_settings)

    def refresh_settings(self) -> None:
        """Rebuild policy and tiers from the base policy plus the stored admin changes when the settings
        version moved; reload the model or knowledge base when another process announced a reload."""
        self._settings_checked = time.monotonic()
        row = self.store.settings_version()
        seen = (row.version, row.kb_reloads, row.model_reloads)
        previous, self._settings_seen = self._settings_seen, seen
        if previous == seen:
            return
        if previous is not None and row.kb_reloads != previous[1]:
            log.info("settings.kb_reload")
            self.services.reload_knowledge()
        if previous is not None and row.model_reloads != previous[2]:
            log.info("settings.model_reload")
            self.services.reload_classifier()
        policy = self.base_policy.model_copy(deep=True)
        tiers = self.tiers.fresh(policy)
        stale = tiers.apply(self.store.settings())
        if stale:
            log.warning("settings.stale keys=%s", ",".join(stale))
        self.policy, self.tiers = policy, tiers
        self.store.idle_close = dt.timedelta(minutes=policy.conversations.idle_close_minutes)
        log.info("settings.applied version=%s", row.version)

    def mark_settings_seen(self, version: int, kb: bool = False, model: bool = False) -> None:
        """This process made the change itself: don't reload again when the version moves."""
        if self._settings_seen is not None:
            _, kb_reloads, model_reloads = self._settings_seen
            self._settings_seen = (version, kb_reloads + kb, model_reloads + model)

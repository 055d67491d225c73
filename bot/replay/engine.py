"""Replaying ticket history through the real core, with nothing sent.

Each ticket becomes one `CustomerMessage` from a customer of its own (its plan as the customer's tier)
and goes through `SupportBot.handle`: the real pipeline with the real model, knowledge base, answer
gate, triggers, tiers and business rules, on a throwaway SQLite database, with an adapter that only
records what would have been sent. What it decided is then read back from the turn's `Decision` row.

Speed without a second code path: the model's readings of the tickets do not depend on the policy, so
they are computed once, in batches of 64 (`CachedClassifier.prepare`), and the pipeline's own
`aclassify(text, context)` call is served from them; a call that was not prepared goes to the model (and
is kept, so the next trigger or replay asking the same gets the same answer). A reading from a batch is
the model's one-at-a-time reading up to float rounding: padding changes the last bits, which moves a
rounded probability by 0.0001 on a few messages in 1,000 (benchmarks/replay_speed.py compares every
decision with the live path; `--no-batch` runs the services exactly as the live bot has them). Knowledge
base retrieval runs as it is, for every ticket and policy; only the query's embedding, the same one-text
encoder call each time, is remembered from the first policy for the next (`remembering`). Tickets run
concurrently, since each is its own customer and no decision depends on another.

A policy what-if (bot.replay.whatif) is the same replay under another `Policy`, on a fresh database,
as an admin's `/threshold` or `/tier` would change it: the answer gate fitted at start is kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
import shutil
import sqlite3
import tempfile
import time
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sqlalchemy import Engine

from bot.config import Settings
from bot.core.access import Access
from bot.core.app import SupportBot
from bot.core.events import CustomerMessage, CustomerProfile, OutboundEvent, Person, Place
from bot.core.policy import Policy
from bot.core.services import Services
from bot.core.store import ConversationStore
from bot.core.tiers import TierTable
from bot.history.tickets import HistoricalTicket
from bot.replay.result import FAILED, TicketDecision
from bot.runtime import build_bot
from bot.storage import make_engine
from knowledge.gaps import GapLog
from knowledge.index import KnowledgeIndex
from models.classifier import IntentClassifier, Prediction
from models.context import TurnContext

log = logging.getLogger("supportbot.replay")
PLATFORM = "replay"
PLANS = ("free", "team", "business", "enterprise")
BATCH = 64
CONCURRENCY = 16
Progress = Callable[[int], None]


class CachedClassifier(IntentClassifier):
    """The model, answering first messages (the default context) from readings prepared in batches, and
    anything else by calling the model; a call it has answered before (the sentences of one message,
    read for an escalation's evidence, by every trigger and every replay) is answered as it was."""

    def __init__(self, model: IntentClassifier) -> None:
        super().__init__(model._model, model.batch_size)
        self._lock = model._lock  # one model, one lock
        self._ready: dict[str, Prediction] = {}
        self._calls: dict[tuple[str, ...], list[Prediction]] = {}
        self.served = 0
        self.computed = 0

    def prepare(self, texts: Sequence[str], progress: Progress | None = None) -> None:
        """Read every text once, shortest first in batches of `BATCH` (similar lengths pad least)."""
        todo = sorted({t for t in texts if t not in self._ready}, key=len)
        for start in range(0, len(todo), BATCH):
            chunk = todo[start : start + BATCH]
            self._ready.update(zip(chunk, super().classify_many(chunk), strict=True))
            if progress is not None:
                progress(len(chunk))
        if progress is not None:  # repeated texts and texts read before
            progress(len(texts) - len(todo))

    def forget(self) -> None:
        self._ready.clear()
        self._calls.clear()

    def classify_many(self, texts: Sequence[str], contexts: Sequence[TurnContext] | None = None) -> list[Prediction]:
        first = contexts is None or all(c == TurnContext() for c in contexts)
        if first and len(texts) == 1 and texts[0] in self._ready:
            self.served += 1
            return [self._ready[texts[0]]]
        key = tuple(texts)
        if first and key in self._calls:
            self.served += len(texts)
            return list(self._calls[key])
        predictions = super().classify_many(texts, contexts)
        self.computed += len(texts)
        if first:
            self._calls[key] = predictions
        return predictions


def remembering(index: KnowledgeIndex) -> KnowledgeIndex:
    """A copy of the index that embeds each query text once. The encoder is asked the same one-text
    question by every policy replayed (and by a ticket's escalation after its answer), so the vector is
    the same to the bit; a second policy skips the encoder, the replay's most expensive step. Searching
    and ranking run as they are."""
    copied = copy.copy(index)
    vectors: dict[str, np.ndarray] = {}

    def embed_query(query: str) -> np.ndarray:
        if query not in vectors:
            vectors[query] = index.embed_query(query)
        return vectors[query].copy()  # each caller its own: none can change what the next one gets

    copied.embed_query = embed_query  # type: ignore[method-assign]
    return copied


class Replayer:
    """The bot's services, loaded once (as `build_bot` assembles them), and a fresh bot per replay."""

    def __init__(self, services: Services, tier_defaults: dict[str, str | None], settings: Settings, template: Path) -> None:
        self.model = services.classifier
        self.cached = CachedClassifier(self.model)
        self.services = services
        self.index = remembering(services.index)
        self.resolver = copy.copy(services.resolver)
        self.resolver.index = self.index
        self.tier_defaults = tier_defaults
        self.settings = settings
        self.template = template  # an empty database at the current schema, copied for each replay
        self.sent = 0  # outbound events the replays produced (recorded, never sent)

    @classmethod
    def load(cls, settings: Settings, model_dir: Path | None = None) -> Replayer:
        folder = Path(tempfile.mkdtemp(prefix="supportbot-replay-"))
        template = folder / "empty.db"
        bot = build_bot(settings.model_copy(update={"database_url": f"sqlite:///{template}"}), model_dir)
        bot.store.engine.dispose()
        with contextlib.closing(sqlite3.connect(template)) as connection:  # everything in the file itself, to copy it
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        replayer = cls(bot.services, dict(bot.tiers.defaults), settings, template)
        weakref.finalize(replayer, shutil.rmtree, folder, ignore_errors=True)
        return replayer

    @property
    def intents(self) -> list[str]:
        return self.model.intents

    def tiers(self, policy: Policy) -> TierTable:
        return TierTable(self.tier_defaults, policy)

    def text_of(self, ticket: HistoricalTicket) -> str:
        """What the pipeline classifies: the message as sent, cut where the bot stops reading."""
        return ticket.text[: self.settings.max_message_chars]

    def prepare(self, tickets: Sequence[HistoricalTicket], progress: Progress | None = None) -> float:
        """Classify every ticket ahead, in batches; returns the seconds it took."""
        started = time.perf_counter()
        self.cached.prepare([self.text_of(t) for t in tickets], progress)
        return time.perf_counter() - started

    def replay(
        self,
        policy: Policy,
        tickets: Sequence[HistoricalTicket],
        batched: bool = True,
        progress: Progress | None = None,
        concurrency: int = CONCURRENCY,
    ) -> list[TicketDecision]:
        """Every ticket through a fresh bot under `policy`; the decisions in ticket order."""
        with tempfile.TemporaryDirectory(prefix="supportbot-replay-") as folder:
            database = Path(folder) / "replay.db"
            shutil.copyfile(self.template, database)
            engine = make_engine(f"sqlite:///{database}")
            try:
                bot = self._bot(engine, policy, batched)
                return asyncio.run(self._run(bot, tickets, progress, max(1, concurrency)))
            finally:
                engine.dispose()

    def _bot(self, engine: Engine, policy: Policy, batched: bool) -> SupportBot:
        live = self.services  # batched=False: the services exactly as the live bot has them
        services = Services(
            classifier=self.cached if batched else live.classifier,
            index=self.index if batched else live.index,
            resolver=self.resolver if batched else live.resolver,
            sentiment=live.sentiment,
        )
        policy = policy.model_copy(deep=True)
        bot = SupportBot(
            ConversationStore(engine),
            services,
            policy,
            self.tiers(policy),
            Access(frozenset(), frozenset()),
            GapLog(engine),
            max_message_chars=self.settings.max_message_chars,
            product_name=self.settings.product_name,
        )
        bot.attach(self._record)
        return bot

    async def _record(self, event: OutboundEvent) -> str | None:
        """The adapter's `send`: nothing leaves the process."""
        self.sent += 1
        return f"replayed-{self.sent}"

    async def _run(
        self, bot: SupportBot, tickets: Sequence[HistoricalTicket], progress: Progress | None, concurrency: int
    ) -> list[TicketDecision]:
        for start in range(0, len(tickets), concurrency):
            chunk = range(start, min(start + concurrency, len(tickets)))
            await asyncio.gather(*(bot.handle(message_of(i, tickets[i])) for i in chunk))
            if progress is not None:
                progress(len(chunk))
        decisions = [decision_of(bot, i, t) for i, t in enumerate(tickets)]
        failed = sum(d.outcome == FAILED for d in decisions)
        if failed:
            log.warning("replay.failed_tickets count=%s: the pipeline failed on them (see the errors above)", failed)
        return decisions


def message_of(index: int, ticket: HistoricalTicket) -> CustomerMessage:
    """One ticket as its customer's first message; every ticket is a customer of its own."""
    person = Person(PLATFORM, f"ticket-{index}", f"ticket {ticket.ticket_id}")
    plan = ticket.plan if ticket.plan in PLANS else None
    return CustomerMessage(
        f"ticket-{index}", person, Place(PLATFORM, f"dm-ticket-{index}"), ticket.text, profile=CustomerProfile(tier=plan)
    )


def decision_of(bot: SupportBot, index: int, ticket: HistoricalTicket) -> TicketDecision:
    row = bot.store.decision_of(PLATFORM, f"ticket-{index}")
    if row is None:
        return TicketDecision(index, ticket.ticket_id, FAILED, "-", 0.0, (), "-")
    triggers = tuple(t for t in row.triggers.split(",") if t)
    return TicketDecision(index, ticket.ticket_id, row.outcome, row.intent, round(row.confidence, 4), triggers, row.tier)

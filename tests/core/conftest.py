"""Conversation-core fixtures: the real bundled model, knowledge base and sentiment model (loaded once),
and a fresh bot on a real SQLite or PostgreSQL database per test."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

import pytest

from bot.core.access import Access
from bot.core.app import SupportBot
from bot.core.policy import Policy, load_policy
from bot.core.services import Services
from bot.core.store import ConversationStore
from bot.core.tiers import TierTable
from bot.storage import open_database
from knowledge.gaps import GapLog
from tests.core.harness import ROOT, Harness
from tests.databases import database_url  # noqa: F401  (fixture)

BotFactory = Callable[..., Harness]


def make_bot(url: str, services: Services, policy: Policy | None = None, agents: frozenset[str] = frozenset()) -> SupportBot:
    engine = open_database(url)
    policy = policy or load_policy()
    tiers = TierTable({name: meta.tier for name, meta in services.classifier.manifest.intents.items()}, policy)
    access = Access(frozenset({ROOT.key}), agents)
    bot = SupportBot(ConversationStore(engine), services, policy, tiers, access, GapLog(engine), product_name="Orbitask")
    # /retrain would train a real model in a child process: tests that run every command get a quick stand-in.
    bot.retrain_command = [sys.executable, "-c", "print('feedback: 0 confirmed examples'); raise SystemExit(3)"]
    return bot


@pytest.fixture
def new_bot(database_url: str, services: Services) -> Iterator[BotFactory]:  # noqa: F811
    """Build a harness on this test's database (call again for a restarted bot on the same data)."""
    made: list[Harness] = []

    def build(
        policy: Policy | None = None, agents: frozenset[str] = frozenset(), with_services: Services | None = None
    ) -> Harness:
        harness = Harness(make_bot(database_url, with_services or services, policy, agents))
        made.append(harness)
        return harness

    yield build
    for harness in made:
        harness.close()
        harness.bot.store.engine.dispose()


@pytest.fixture
def chat(new_bot: BotFactory) -> Harness:
    return new_bot()

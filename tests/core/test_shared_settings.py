"""Admin changes and reloads reach every bot process on the same database, not only the one that got
the command."""

from __future__ import annotations

from dataclasses import replace

from bot.core.services import Services
from knowledge.index import KnowledgeIndex
from knowledge.resolver import Resolver
from tests.core.conftest import BotFactory
from tests.core.harness import BOB

SSO = "how do I set up SAML single sign-on with Okta?"


def test_a_tier_change_on_one_process_applies_on_another(new_bot: BotFactory) -> None:
    first, second = new_bot(), new_bot()
    second.bot.settings_check_seconds = 0  # check on every event (the default is once a second)
    assert second.bot.tiers.tier("sso_setup") == "assisted"
    assert first.command("/tier sso_setup auto").ok
    second.say(SSO, who=BOB)
    assert "single sign-on" in second.customer_sees()[0].lower()  # answered directly: no draft any more
    assert second.agents_see() == []


def test_thresholds_and_switches_follow_too(new_bot: BotFactory) -> None:
    first, second = new_bot(), new_bot()
    assert first.command("/threshold confidence 0.7").ok and first.command("/trigger frustration off").ok
    second.loop.run_until_complete(second.bot.sync_settings(force=True))
    assert second.bot.policy.low_confidence.threshold == 0.7
    assert not second.bot.policy.frustration.enabled
    assert first.bot.policy.low_confidence.threshold == 0.7  # and on the process that ran the command


def test_a_knowledge_reload_is_announced_to_every_process(new_bot: BotFactory, services: Services) -> None:
    loads: list[str] = []

    def loader(label: str):  # type: ignore[no-untyped-def]
        def load() -> tuple[KnowledgeIndex, Resolver]:
            loads.append(label)
            return services.index, services.resolver

        return load

    first = new_bot(with_services=replace(services, load_knowledge=loader("first")))
    second = new_bot(with_services=replace(services, load_knowledge=loader("second")))
    assert first.command("/kb reload").ok
    second.loop.run_until_complete(second.bot.sync_settings(force=True))
    first.loop.run_until_complete(first.bot.sync_settings(force=True))
    assert loads == ["first", "second"]  # each process reloaded once

"""Several platforms, one agents' desk: a Discord customer's ticket is worked from Slack, and the agent's
reply reaches the Discord conversation (the routing between adapters, with recording adapters)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from bot.core.adapter import destination, router
from bot.core.events import (
    AgentCard,
    AgentMessage,
    CommandResponse,
    CustomerMessage,
    CustomerReply,
    OutboundEvent,
    Person,
    Place,
    RetireButtons,
)
from bot.core.text import rich
from tests.core.conftest import BotFactory


@dataclass
class Recording:
    name: str
    sent: list[OutboundEvent] = field(default_factory=list)

    async def run(self, sink: object) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, event: OutboundEvent) -> str | None:
        self.sent.append(event)
        return f"{self.name}-thread-{len(self.sent)}" if isinstance(event, AgentCard) else None


def test_a_discord_customer_is_answered_from_the_slack_desk(new_bot: BotFactory) -> None:
    harness = new_bot()
    slack, discord = Recording("slack"), Recording("discord")
    bot = harness.bot
    bot.attach(router({"slack": slack, "discord": discord}, desk="slack"))  # type: ignore[dict-item]
    customer = Person("discord", "80351110224678912", "Dana")
    place = Place("discord", "1100", "1234")

    async def scenario() -> None:
        await bot.handle(CustomerMessage("1234", customer, place, "I want to talk to a person about my invoice"))
        [card] = [e for e in slack.sent if isinstance(e, AgentCard)]
        assert card.customer_place == place
        agent = Person("slack", "U0SAM", "Sam")
        agents_room = Place("slack", "G0AGENTS", "thread", agents_room=True)
        thread = f"slack-thread-{slack.sent.index(card) + 1}"  # what the Slack adapter said it posted
        await bot.handle(AgentMessage("G0AGENTS/1.0", agent, "Hi Dana, looking now.", False, None, thread, agents_room))

    harness.loop.run_until_complete(scenario())
    to_customer = [e for e in discord.sent if isinstance(e, CustomerReply)]
    assert [str(e.text) for e in to_customer][-1] == "Hi Dana, looking now."
    assert all(e.place.platform == "discord" for e in to_customer)
    assert not any(isinstance(e, AgentCard) for e in discord.sent)  # the desk is Slack


def test_destinations() -> None:
    slack_place, discord_place = Place("slack", "D1"), Place("discord", "2")
    assert destination(CustomerReply(discord_place, rich("x"), "info"), "slack") == "discord"
    assert destination(RetireButtons("r", rich(""), None), "slack") == "slack"
    assert destination(RetireButtons("r", rich(""), slack_place), "discord") == "slack"
    assert destination(CommandResponse(Person("discord", "9"), "no"), "slack") == "discord"
    with pytest.raises(ValueError, match="not one of the running adapters"):
        router({"slack": Recording("slack")}, desk="discord")  # type: ignore[dict-item]
    send = router({"slack": Recording("slack")}, desk="slack")  # type: ignore[dict-item]
    with pytest.raises(LookupError, match="no adapter for platform 'discord'"):
        asyncio.run(send(CustomerReply(discord_place, rich("x"), "info")))

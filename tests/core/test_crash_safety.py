"""Nothing is lost when the process fails at any point of a turn: each crash point is forced, then the
platform re-delivers (or the bot restarts), and the customer gets exactly one answer or one ticket."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from sqlmodel import Session, select

from bot.core.events import AgentCard, CustomerReply, Place, scoped_id
from bot.core.services import Services
from bot.storage.tables import Message, OutboxItem, Ticket
from tests.core.conftest import BotFactory
from tests.core.harness import ALICE, BOB, Harness, dm

EXPORT = "how do I export a project to csv"
HUMAN = "I want to speak to a human about my account"


class FailingOnce:
    """The real classifier, except that its first call raises (the process fails mid-turn)."""

    def __init__(self, classifier: Any) -> None:
        self.classifier, self.failed = classifier, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.classifier, name)

    async def aclassify(self, text: str, context: Any = None) -> Any:
        if not self.failed:
            self.failed = True
            raise RuntimeError("worker died while classifying")
        return await self.classifier.aclassify(text, context)


def stored(chat: Harness, table: type, where: Callable[[Any], bool] = lambda _: True) -> list[Any]:
    with Session(chat.bot.store.engine) as session:
        return [row for row in session.exec(select(table)).all() if where(row)]


def test_a_failure_before_the_decision_is_retried_on_redelivery(new_bot: BotFactory, services: Services) -> None:
    chat = new_bot(with_services=replace(services, classifier=FailingOnce(services.classifier)))
    message_id = chat.say(EXPORT)
    assert chat.customer_sees()[0].startswith("Sorry, something went wrong on my side")
    assert [m.state for m in stored(chat, Message)] == ["received"]
    chat.say(EXPORT, message_id=message_id)  # the platform re-delivers
    [answer] = chat.customer_sees()
    assert "export" in answer.lower()
    chat.say(EXPORT, message_id=message_id)  # a third delivery: done now, nothing more
    assert chat.customer_sees() == []


def test_a_turn_the_process_died_on_runs_again_on_start(new_bot: BotFactory) -> None:
    dead = new_bot()
    dead.bot.store.open_turn("m-dead", ALICE, dm(ALICE), EXPORT, None)  # stored, then the process died
    restarted = new_bot()
    restarted.loop.run_until_complete(restarted.bot.recover(older_than=dt.timedelta(0)))
    [answer] = restarted.customer_sees()
    assert "export" in answer.lower()
    assert [m.state for m in stored(restarted, Message, lambda m: m.author == "customer")] == ["done"]


def test_a_failure_half_way_through_a_handoff_leaves_nothing_half_written(chat: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("crashed while building the handoff packet")

    monkeypatch.setattr("bot.core.escalate.build_packet", broken)
    message_id = chat.say(HUMAN)
    assert stored(chat, Ticket) == [] and stored(chat, OutboxItem) == []  # no ticket without a card
    chat.customer_sees()
    chat.agents_see()
    monkeypatch.undo()
    chat.say(HUMAN, message_id=message_id)
    assert len(stored(chat, Ticket)) == 1
    assert chat.only_card().ticket_id == stored(chat, Ticket)[0].id
    assert chat.customer_sees()[0].startswith("I've passed this to our support team")


def test_a_reply_the_platform_did_not_take_stays_pending_and_is_sent_on_redelivery(chat: Harness) -> None:
    chat.fail_sends = lambda event: isinstance(event, AgentCard)
    message_id = chat.say(HUMAN)
    assert chat.customer_sees()[0].startswith("I've passed this")  # sent before the card failed
    assert [i.kind for i in stored(chat, OutboxItem, lambda i: i.status == "pending")] == ["AgentCard"]
    assert [m.state for m in stored(chat, Message, lambda m: m.author == "customer")] == ["decided"]
    chat.fail_sends = None
    chat.say(HUMAN, message_id=message_id)
    assert chat.only_card().ticket_id == 1 and len(stored(chat, Ticket)) == 1
    assert chat.customer_sees() == []  # the customer is not told twice
    assert stored(chat, Ticket)[0].agent_thread_id == "thread-1"  # linked once the card was really posted


def test_pending_replies_are_sent_when_the_bot_starts_again(new_bot: BotFactory) -> None:
    crashed = new_bot()
    crashed.fail_sends = lambda event: isinstance(event, CustomerReply)
    crashed.say(EXPORT)
    assert crashed.customer_sees() == []
    restarted = new_bot()
    assert restarted.loop.run_until_complete(restarted.bot.resend_pending()) == 1
    [answer] = restarted.customer_sees()
    assert "export" in answer.lower()
    assert restarted.loop.run_until_complete(restarted.bot.resend_pending()) == 0


def test_the_same_platform_id_in_two_channels_is_two_messages(chat: Harness) -> None:
    """Slack's ts is unique per channel only: adapters scope it, and both messages are answered."""
    ts = "1732900000.000100"
    general, billing = Place("test", "C-general"), Place("test", "C-billing")
    chat.say(EXPORT, who=ALICE, place=general, message_id=scoped_id(general.channel_id, ts))
    chat.say(EXPORT, who=BOB, place=billing, message_id=scoped_id(billing.channel_id, ts))
    assert [r.place for r in chat.customer_inbox] == [general, billing]

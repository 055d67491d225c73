"""Two bot processes on one database act as one bot: each harness here is a whole bot with its own
engine, locks and event loop, run side by side in threads. Claims are compare-and-set, so they hold on
SQLite too; re-deliveries to two processes need PostgreSQL (the advisory lock orders them)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest
from sqlmodel import Session, select

from bot.core.events import ButtonPress, SlashCommand
from bot.core.outbox_records import MAX_ATTEMPTS
from bot.storage.tables import Decision
from tests.core.conftest import BotFactory
from tests.core.harness import AGENTS_ROOM, ALICE, KIM, ROOT, SAM, Harness, dm

T = TypeVar("T")
AGENTS = frozenset({SAM.key, KIM.key})


def together(*calls: Callable[[], T]) -> list[T]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return [future.result(60) for future in [pool.submit(call) for call in calls]]


def test_two_agents_claiming_on_two_processes_get_one_winner(new_bot: BotFactory) -> None:
    one, two = new_bot(agents=AGENTS), new_bot(agents=AGENTS)
    ticket = one.escalate()
    one.agents_see()
    presses = [ButtonPress(f"claim-{who.user_id}", who, "ticket.claim", str(ticket), place=AGENTS_ROOM) for who in (SAM, KIM)]
    together(lambda: one.deliver(presses[0]), lambda: two.deliver(presses[1]))
    joined = [t for t in one.customer_sees() + two.customer_sees() if "joined" in t.lower() or "here" in t.lower()]
    assert len(joined) == 1  # the customer hears of one agent
    refusals = one.private_sees() + two.private_sees()
    assert len(refusals) == 1 and "already claimed" in refusals[0]
    ticket_row = one.bot.store.ticket(ticket)
    assert ticket_row is not None and ticket_row.assigned_agent in (SAM.key, KIM.key)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # SQLite serves one process
def test_a_press_and_a_command_delivered_to_both_processes_run_once(new_bot: BotFactory) -> None:
    one, two = new_bot(agents=AGENTS), new_bot(agents=AGENTS)
    ticket = one.escalate()
    one.agents_see()
    press = ButtonPress("interaction-77", SAM, "ticket.claim", str(ticket), place=AGENTS_ROOM)
    together(lambda: one.deliver(press), lambda: two.deliver(press))
    assert len(one.customer_sees() + two.customer_sees()) == 1  # "Sam joined": once
    assert one.private_sees() + two.private_sees() == []  # no "you already have it" for a re-delivery
    command = SlashCommand(ROOT, "tier", "password_reset assisted", None, "trigger-9")
    together(lambda: one.deliver(command), lambda: two.deliver(command))
    assert len(one.private + two.private) == 1


def test_a_send_that_keeps_failing_ends_failed_for_the_agents_and_status(chat: Harness) -> None:
    chat.fail_sends = lambda event: hasattr(event, "place") and getattr(event, "kind", "") == "answer"
    chat.say("how do I export a project to csv")
    told = chat.agents_see_text()
    assert "could not be delivered" in told and "queued" in told
    [pending] = chat.bot.store.pending()
    assert pending.outbox_id is not None
    for _ in range(MAX_ATTEMPTS - 1):
        chat.bot.store.release([pending.outbox_id])  # its back-off is over
        chat.loop.run_until_complete(chat.bot.resend_pending())
    assert "given up after repeated tries" in chat.agents_see_text()
    status = chat.command("/status").text
    assert "outbox: 0 pending, 1 failed" in status and f"failed #{pending.outbox_id}: CustomerReply" in status
    assert "ConnectionError" in status


def test_a_turn_another_process_decided_meanwhile_is_not_decided_twice(new_bot: BotFactory) -> None:
    """A process whose lock went with a database restart may race another on one turn: the unique
    decision per message lets the first win, and the second says nothing (the winner sends its replies)."""
    one = new_bot()
    opened = one.bot.store.open_turn("m-raced", ALICE, dm(ALICE), "how do I export a project to csv", None)
    assert opened.message.id is not None and opened.conversation.id is not None
    with Session(one.bot.store.engine) as session:  # the other process's decision, committed first
        session.add(
            Decision(
                conversation_id=opened.conversation.id,
                message_id=opened.message.id,
                intent="export_data",
                confidence=0.9,
                out_of_scope=False,
                tier="auto",
                outcome="answered",
            )
        )
        session.commit()
    one.say("how do I export a project to csv", message_id="m-raced")
    assert one.customer_sees() == [] and one.agents_see() == []  # no "something went wrong"
    with Session(one.bot.store.engine) as session:
        assert len(session.exec(select(Decision)).all()) == 1

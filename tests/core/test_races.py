"""Races the console never shows: events for one ticket arriving together, on SQLite and PostgreSQL,
and two bot processes (two `SupportBot`s on one database) claiming the same ticket at once."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.core.events import ButtonPress
from bot.storage.tables import Conversation, Message, Ticket
from tests.core.conftest import BotFactory
from tests.core.harness import AGENTS_ROOM, KIM, SAM, Harness


def test_resolve_racing_a_customer_message_loses_nothing(chat: Harness) -> None:
    ticket_id = chat.escalate()
    chat.press("Claim", who=SAM)
    chat.customer_sees()
    errors = chat.deliver_together(
        ButtonPress("p-resolve", SAM, "ticket.resolve", str(ticket_id), None, AGENTS_ROOM),
        chat.message("wait, one more thing: how do I export a project to csv"),
    )
    assert errors == [None, None]
    with Session(chat.bot.store.engine) as session:
        text = "wait, one more thing: how do I export a project to csv"
        [message] = session.exec(select(Message).where(Message.text == text)).all()
        conversation = session.get(Conversation, message.conversation_id)
        assert conversation is not None
    relayed = any("one more thing" in str(n.text) for n in chat.agents_see())
    answered = any("export" in t.lower() for t in chat.customer_sees())
    # Either the agent saw it before resolving, or it started a new conversation the bot answered.
    assert relayed != answered
    assert message.state == "done"
    assert (conversation.status == "resolved") == relayed


def test_two_processes_claiming_at_once_have_one_winner(new_bot: BotFactory) -> None:
    first, second = new_bot(), new_bot()
    ticket_id = first.escalate()

    async def both() -> list[BaseException | None]:
        import asyncio

        results = await asyncio.gather(
            first.bot.handle(ButtonPress("p-sam", SAM, "ticket.claim", str(ticket_id), None, AGENTS_ROOM)),
            second.bot.handle(ButtonPress("p-kim", KIM, "ticket.claim", str(ticket_id), None, AGENTS_ROOM)),
            return_exceptions=True,
        )
        return [r if isinstance(r, BaseException) else None for r in results]

    assert first.loop.run_until_complete(both()) == [None, None]
    joined = [t for t in first.customer_sees() + second.customer_sees() if "has joined" in t]
    refused = first.private_sees() + second.private_sees()
    with Session(first.bot.store.engine) as session:
        ticket = session.exec(select(Ticket)).one()
    assert len(joined) == 1 and refused == [f"Ticket #{ticket_id} is already claimed by {ticket.assigned_agent}."]
    assert ticket.assigned_agent in (SAM.key, KIM.key) and ticket.status == "claimed"

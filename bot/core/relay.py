"""A person has the conversation: the customer's message goes to the ticket's thread, nothing else."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from sqlmodel import col, select

from bot.core.events import AgentNotice
from bot.core.outbox import Outgoing
from bot.core.outcomes import Outcome
from bot.core.states import RELAY, Conflict, TicketState
from bot.core.text import join, name, said
from bot.core.turn import TurnRecord
from bot.core.work import Work
from bot.storage.tables import Conversation, Decision, Message, Ticket

if TYPE_CHECKING:
    from bot.core.app import SupportBot

ADDED_TEXT = "Thanks, I've added that to your request; someone from the team will reply here."


def _last_said(work: Work, conversation: Conversation) -> str | None:
    return work.session.exec(
        select(Message.text)
        .where(Message.conversation_id == conversation.id, Message.direction == "outbound")
        .order_by(col(Message.id).desc())
    ).first()


async def relay(bot: SupportBot, record: TurnRecord, text: str) -> list[Outgoing] | None:
    """A person has the conversation: pass the message on to the ticket's thread, nothing else.
    None when the conversation ended under us (an agent resolved it meanwhile): the message then
    starts the customer's next conversation instead of vanishing into a closed ticket."""
    conversation = record.conversation
    conversation_id = conversation.id
    assert conversation_id is not None
    customer_name = record.customer.display_name or record.customer.platform_user_id

    def write(work: Work) -> None:
        work.move(Conversation, conversation_id, RELAY)
        ticket = work.session.exec(
            select(Ticket).where(Ticket.conversation_id == conversation_id).order_by(col(Ticket.id).desc())
        ).first()
        assert ticket is not None and ticket.id is not None
        decided = Decision(
            conversation_id=conversation_id,
            message_id=record.message_id,
            intent="-",
            confidence=0.0,
            out_of_scope=False,
            tier="-",
            outcome=Outcome.RELAYED.value,
            latency_ms=round((time.perf_counter() - record.started) * 1000, 2),
        )
        work.add(decided)
        notice = AgentNotice(join([name(customer_name), " wrote:", said(text)]), ticket.id, ticket.agent_thread_id)
        work.send(notice, conversation.id, ticket_id=ticket.id)
        if ticket.status == TicketState.OPEN and _last_said(work, conversation) != ADDED_TEXT:
            work.say(conversation, ADDED_TEXT, "info")  # nobody has it yet: say it was heard, once

    try:
        _, outgoing = await bot.commit(write, record.message_id)
    except Conflict:
        return None
    bot.metrics.decided(Outcome.RELAYED.value)
    return outgoing

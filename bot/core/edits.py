"""Edits and deletions of customer messages: kept in the transcript so agents see what changed, shown
in the ticket's thread when a person has the conversation, and never answered again (the customer's
next message is the question; re-answering an edit would talk twice)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlmodel import col, select

from bot.core.events import AgentNotice, MessageChanged
from bot.core.outbox import Outgoing
from bot.core.states import WITH_HUMAN
from bot.core.text import join, name, said
from bot.core.work import Work
from bot.storage.tables import Conversation, Ticket

if TYPE_CHECKING:
    from bot.core.app import SupportBot

log = logging.getLogger("supportbot.edits")


async def handle(bot: SupportBot, event: MessageChanged) -> list[Outgoing]:
    original = await bot.db(bot.store.message_by_platform_id, event.customer.platform, event.message_id)
    if original is None:  # an edit of something the bot never saw (older than the bot, or not for it)
        log.info("message.changed_unknown platform=%s id=%s", event.customer.platform, event.message_id)
        return []
    line = "[deleted a message]" if event.deleted else f"[edited a message] {event.text}"
    who = event.customer.label

    def write(work: Work) -> None:
        conversation = work.get(Conversation, original.conversation_id)
        assert conversation is not None and conversation.id is not None
        work.store_message(conversation, line, "customer", event.customer.user_id, "inbound")
        if conversation.status not in WITH_HUMAN:
            return
        ticket = work.session.exec(
            select(Ticket).where(Ticket.conversation_id == conversation.id).order_by(col(Ticket.id).desc())
        ).first()
        if ticket is None:
            return
        change = (
            join([name(who), " deleted a message."])
            if event.deleted
            else join([name(who), " edited a message:", said(event.text)])
        )
        work.send(AgentNotice(change, ticket.id, ticket.agent_thread_id), conversation.id, ticket_id=ticket.id)

    _, outgoing = await bot.commit(write)
    return outgoing

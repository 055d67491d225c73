"""What agents do with tickets and drafts: claim, reply through the bot, internal note, resolve,
hand back to the bot, and approve / edit / reject assisted-tier drafts.

Every action is stored with who and when (agent messages, internal notes, ticket and draft fields).
Customers never see internal notes or drafts.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.core.events import AgentMessage, AgentNotice, CommandResponse, CustomerReply, OutboundEvent, Person
from bot.core.replies import resolve_conversation, to_customer
from bot.storage.tables import Conversation, Ticket, utcnow

if TYPE_CHECKING:
    from bot.core.app import SupportBot

log = logging.getLogger("supportbot.agents")
BACK_TO_BOT = "You're back with the Orbitask bot; ask me anything, or ask for a person again at any time."


def refuse(agent: Person, text: str) -> list[OutboundEvent]:
    return [CommandResponse(agent, text, ok=False)]


async def _ticket(
    bot: SupportBot, agent: Person, ticket_id: int | None, thread: str | None = None
) -> tuple[Ticket, Conversation] | list[OutboundEvent]:
    if not bot.access.is_agent(agent):
        return refuse(agent, "Only support agents can act on tickets.")
    ticket = await bot.db(bot.store.ticket, ticket_id, thread)
    if ticket is None:
        return refuse(agent, f"There is no ticket #{ticket_id}." if ticket_id is not None else "This thread is not a ticket.")
    conversation = await bot.db(bot.store.conversation, ticket.conversation_id)
    assert conversation is not None
    return ticket, conversation


async def _log(bot: SupportBot, conversation: Conversation, agent: Person, what: str) -> None:
    assert conversation.id is not None
    await bot.db(bot.store.say, conversation.id, conversation.platform, what, "agent", agent.key, "internal")


async def _store_once(
    bot: SupportBot, conversation: Conversation, agent: Person, text: str, message_id: str | None, direction: str
) -> bool:
    """Store what the agent wrote; False when the platform delivered this message before."""
    assert conversation.id is not None
    if message_id is None:
        await bot.db(bot.store.say, conversation.id, conversation.platform, text, "agent", agent.key, direction)
        return True
    stored = await bot.db(
        bot.store.remember_delivery, conversation.id, agent.platform, message_id, "agent", agent.key, text, direction
    )
    return stored is not None


async def claim(bot: SupportBot, agent: Person, ticket_id: int) -> list[OutboundEvent]:
    found = await _ticket(bot, agent, ticket_id)
    if isinstance(found, list):
        return found
    ticket, conversation = found
    claimed, holder = await bot.db(bot.store.claim_ticket, ticket_id, agent.key)
    if holder is not None:
        return refuse(agent, f"Ticket #{ticket_id} is already claimed by {holder}.")
    assert claimed is not None and conversation.id is not None
    if claimed.status != "claimed":
        return refuse(agent, f"Ticket #{ticket_id} is {claimed.status}; nothing to claim.")
    if ticket.assigned_agent == agent.key:
        return refuse(agent, f"You already have ticket #{ticket_id}.")
    conversation = await bot.db(bot.store.update_conversation, conversation.id, status="with_agent", interaction_type="human")
    await _log(bot, conversation, agent, f"claimed ticket #{ticket_id}")
    log.info("ticket.claimed ticket=%s agent=%s", ticket_id, agent.key)
    joined = await to_customer(
        bot, conversation, f"{agent.label} from the support team has joined and has your conversation.", "info"
    )
    return [joined, AgentNotice(f"{agent.label} claimed ticket #{ticket_id}.", ticket_id, claimed.agent_thread_id)]


async def reply(bot: SupportBot, agent: Person, ticket_id: int, text: str, message_id: str | None = None) -> list[OutboundEvent]:
    """Speak to the customer through the bot; replying to an unclaimed ticket claims it."""
    found = await _ticket(bot, agent, ticket_id)
    if isinstance(found, list):
        return found
    ticket, conversation = found
    outs: list[OutboundEvent] = []
    if ticket.status == "open":
        outs += await claim(bot, agent, ticket_id)
        refreshed = await bot.db(bot.store.ticket, ticket_id)
        assert refreshed is not None
        ticket = refreshed
    if ticket.status != "claimed" or ticket.assigned_agent != agent.key:
        holder = f" by {ticket.assigned_agent}" if ticket.assigned_agent else ""
        return refuse(agent, f"Ticket #{ticket_id} is {ticket.status}{holder}; claim it before replying.")
    assert ticket.id is not None
    if not await _store_once(bot, conversation, agent, text, message_id, "outbound"):
        return []
    if ticket.first_response_at is None:
        await bot.db(bot.store.update_ticket, ticket.id, first_response_at=utcnow())
    return [*outs, CustomerReply(bot.place(conversation), text, "relay", (), agent.label)]


async def note(bot: SupportBot, agent: Person, ticket_id: int, text: str, message_id: str | None = None) -> list[OutboundEvent]:
    found = await _ticket(bot, agent, ticket_id)
    if isinstance(found, list):
        return found
    ticket, conversation = found
    if not await _store_once(bot, conversation, agent, text, message_id, "internal"):
        return []
    return [AgentNotice(f"Note from {agent.label} (internal): {text}", ticket_id, ticket.agent_thread_id)]


async def _active_ticket(bot: SupportBot, agent: Person, ticket_id: int) -> tuple[Ticket, Conversation] | list[OutboundEvent]:
    """The ticket when it is still open or claimed; otherwise what to tell the agent."""
    found = await _ticket(bot, agent, ticket_id)
    if not isinstance(found, list) and found[0].status not in ("open", "claimed"):
        return refuse(agent, f"Ticket #{ticket_id} is already {found[0].status}.")
    return found


async def resolve(bot: SupportBot, agent: Person, ticket_id: int) -> list[OutboundEvent]:
    found = await _active_ticket(bot, agent, ticket_id)
    if isinstance(found, list):
        return found
    ticket, conversation = found
    if ticket.status == "claimed" and ticket.assigned_agent != agent.key and not bot.access.is_admin(agent):
        return refuse(agent, f"Ticket #{ticket_id} is claimed by {ticket.assigned_agent}; only they or an admin can resolve it.")
    now = utcnow()
    await bot.db(
        bot.store.update_ticket, ticket_id, status="resolved", resolved_at=now, assigned_agent=ticket.assigned_agent or agent.key
    )
    await _log(bot, conversation, agent, f"resolved ticket #{ticket_id}")
    if conversation.interaction_type == "automated":
        assert conversation.id is not None
        conversation = await bot.db(bot.store.update_conversation, conversation.id, interaction_type="human")
    log.info("ticket.resolved ticket=%s agent=%s", ticket_id, agent.key)
    rating = await resolve_conversation(bot, conversation)
    return [AgentNotice(f"{agent.label} resolved ticket #{ticket_id}.", ticket_id, ticket.agent_thread_id), rating]


async def hand_back(bot: SupportBot, agent: Person, ticket_id: int) -> list[OutboundEvent]:
    found = await _active_ticket(bot, agent, ticket_id)
    if isinstance(found, list):
        return found
    ticket, conversation = found
    await bot.db(bot.store.update_ticket, ticket_id, status="handed_back", assigned_agent=ticket.assigned_agent or agent.key)
    assert conversation.id is not None
    conversation = await bot.db(bot.store.update_conversation, conversation.id, status="bot")
    await _log(bot, conversation, agent, f"handed ticket #{ticket_id} back to the bot")
    back = await to_customer(bot, conversation, BACK_TO_BOT, "info")
    return [AgentNotice(f"{agent.label} handed ticket #{ticket_id} back to the bot.", ticket_id, ticket.agent_thread_id), back]


async def handle_message(bot: SupportBot, event: AgentMessage) -> list[OutboundEvent]:
    """A message in a ticket's thread: a reply to the customer, or an internal note."""
    found = await _ticket(bot, event.agent, event.ticket_id, event.agent_thread_id)
    if isinstance(found, list):
        return found
    ticket, _ = found
    assert ticket.id is not None
    if event.internal:
        return await note(bot, event.agent, ticket.id, event.text, event.message_id)
    return await reply(bot, event.agent, ticket.id, event.text, event.message_id)

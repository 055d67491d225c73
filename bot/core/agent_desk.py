"""What agents do with tickets: claim, reply through the bot, internal note, resolve, hand back.

Authorisation: an agent action is obeyed only when it comes from the agents' room (the adapter marks
the place) and from an agent (`Access`). An agent message must be tied to exactly one ticket, by its
id or by the card's thread; anything else is refused with an explanation, never guessed. Every
change is one transaction through the state machine, so a claim racing a claim, or a resolve racing
a customer's message, has exactly one winner.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from bot.core.events import AgentMessage, AgentNotice, CommandResponse, CustomerReply, Person, Place
from bot.core.ids import is_row_id
from bot.core.outbox import Outgoing
from bot.core.replies import agent_joined, close_conversation, ticket_buttons
from bot.core.states import AGENT_JOINS, CLAIM, HAND_BACK, HAND_BACK_TICKET, RESOLVE_TICKET, TICKET_ACTIVE, Conflict, TicketState
from bot.core.text import Span, join, name, rich
from bot.core.work import Work, place_of
from bot.storage.tables import AuditEntry, Conversation, Message, Ticket, utcnow

if TYPE_CHECKING:
    from bot.core.app import SupportBot

log = logging.getLogger("supportbot.agents")
NOT_A_TICKET = (
    "This message is not in a ticket's thread, so it was not sent to any customer. "
    "Reply in the thread under the ticket's card (or name the ticket)."
)


def refuse(agent: Person, text: str, place: Place | None = None) -> list[Outgoing]:
    return [Outgoing(CommandResponse(agent, text, place, ok=False))]


def agent_refusal(bot: SupportBot, person: Person, place: Place | None) -> str | None:
    if place is None or not place.agents_room:
        return "Agent actions only work from the agents' channel."
    if not bot.access.is_agent(person):
        return "Only support agents can act on tickets."
    return None


async def authorise(bot: SupportBot, person: Person, place: Place | None, action: str) -> str | None:
    """Why `person` may not act as an agent here, or None when they may; every refusal is audited."""
    refusal = agent_refusal(bot, person, place)
    if refusal is not None:
        where = f"{place.channel_id}{' (agents room)' if place.agents_room else ''}" if place else "unknown place"
        entry = AuditEntry(
            actor=person.key[:64],
            platform=person.platform,
            command=action[:64],
            arguments=where[:1000],
            allowed=False,
            result=refusal,
        )
        await bot.db(bot.store.add, entry)
        log.info("agent.refused actor=%s action=%s", person.key, action)
    return refusal


async def _ticket(
    bot: SupportBot, agent: Person, place: Place | None, ticket_id: int | None, thread: str | None = None, action: str = "agent"
) -> tuple[Ticket, Conversation] | list[Outgoing]:
    refusal = await authorise(bot, agent, place, action)
    if refusal is not None:
        return refuse(agent, refusal, place)
    if ticket_id is not None:
        ticket = await bot.db(bot.store.ticket, ticket_id) if is_row_id(ticket_id) else None
    elif thread is not None:
        ticket = await bot.db(bot.store.ticket_in_thread, thread)
    else:
        return refuse(agent, NOT_A_TICKET, place)
    if ticket is None:
        return refuse(agent, f"There is no ticket #{ticket_id}." if ticket_id is not None else NOT_A_TICKET, place)
    conversation = await bot.db(bot.store.conversation, ticket.conversation_id)
    assert conversation is not None
    return ticket, conversation


def _tid(ticket: Ticket) -> int:
    assert ticket.id is not None
    return ticket.id


def _claim(work: Work, agent: Person, ticket: Ticket, conversation: Conversation) -> None:
    """Claim in `work`: ticket open → claimed, conversation → with the agent, the customer told."""
    assert conversation.id is not None
    work.move(Ticket, _tid(ticket), CLAIM, assigned_agent=agent.key)
    work.move(Conversation, conversation.id, AGENT_JOINS, interaction_type="human")
    work.note(conversation, f"claimed ticket #{ticket.id}", "agent", agent.key)
    work.retire_customer_buttons(conversation)
    still = tuple(b for b in ticket_buttons(_tid(ticket)) if b.action != "ticket.claim")
    work.update_card(_tid(ticket), f"Claimed by {agent.label}.", still)
    work.say(conversation, agent_joined(agent), "info")
    notice = AgentNotice(join([name(agent.label), f" claimed ticket #{ticket.id}."]), ticket.id, ticket.agent_thread_id)
    work.send(notice, conversation.id, ticket_id=ticket.id)
    log.info("ticket.claimed ticket=%s agent=%s", ticket.id, agent.key)


def _why_not(ticket: Ticket, agent: Person, verb: str) -> str:
    if ticket.status == TicketState.CLAIMED and ticket.assigned_agent == agent.key and verb == "claim":
        return f"You already have ticket #{ticket.id}."
    if ticket.status == TicketState.CLAIMED and ticket.assigned_agent != agent.key:
        return f"Ticket #{ticket.id} is already claimed by {ticket.assigned_agent}."
    return f"Ticket #{ticket.id} is already {ticket.status}."


async def _act(
    bot: SupportBot, agent: Person, place: Place | None, ticket: Ticket, verb: str, write: Callable[[Work], object]
) -> list[Outgoing]:
    """Run an agent's change; a lost race is answered with the ticket's state as it is now."""
    try:
        _, outgoing = await bot.commit(write)
    except Conflict:
        now = await bot.db(bot.store.ticket, _tid(ticket))
        assert now is not None
        return refuse(agent, _why_not(now, agent, verb), place)
    return outgoing


async def claim(bot: SupportBot, agent: Person, ticket_id: int, place: Place | None) -> list[Outgoing]:
    found = await _ticket(bot, agent, place, ticket_id, action="ticket.claim")
    if isinstance(found, list):
        return found
    ticket, conversation = found
    return await _act(bot, agent, place, ticket, "claim", lambda work: _claim(work, agent, ticket, conversation))


async def reply(
    bot: SupportBot, agent: Person, ticket: Ticket, conversation: Conversation, text: str, message_id: str, place: Place | None
) -> list[Outgoing]:
    """Speak to the customer through the bot; replying to an unclaimed ticket claims it."""

    def write(work: Work) -> None:
        current = work.get(Ticket, _tid(ticket))
        assert current is not None
        if current.status == TicketState.OPEN:
            _claim(work, agent, current, conversation)
        elif current.status != TicketState.CLAIMED or current.assigned_agent != agent.key:
            raise Conflict("ticket", _tid(ticket), TICKET_ACTIVE, current.status)
        work.add(_agent_message(conversation, agent, text, message_id, "outbound"))
        if current.first_response_at is None:
            current.first_response_at = utcnow()
            work.session.add(current)
        work.send(CustomerReply(place_of(conversation), rich(text), "relay", (), agent.label), conversation.id)
        sent = AgentNotice(join([name(agent.label), " → customer:", Span(text, "quote")]), current.id, current.agent_thread_id)
        work.send(sent, conversation.id, ticket_id=current.id)  # the thread shows exactly what the customer got

    try:
        _, outgoing = await bot.commit(write)
    except IntegrityError:  # the platform delivered this message before
        return []
    except Conflict:
        now = await bot.db(bot.store.ticket, _tid(ticket))
        assert now is not None
        holder = f" by {now.assigned_agent}" if now.assigned_agent else ""
        return refuse(agent, f"Ticket #{now.id} is {now.status}{holder}; claim it before replying.", place)
    return outgoing


def _agent_message(conversation: Conversation, agent: Person, text: str, message_id: str, direction: str) -> Message:
    assert conversation.id is not None
    return Message(
        conversation_id=conversation.id,
        platform=agent.platform,
        platform_message_id=message_id,
        direction=direction,
        author="agent",
        author_id=agent.key,
        text=text,
    )


async def note(
    bot: SupportBot, agent: Person, ticket: Ticket, conversation: Conversation, text: str, message_id: str
) -> list[Outgoing]:
    """An internal note: kept with the conversation, shown in the ticket's thread, never to the customer."""

    def write(work: Work) -> None:
        work.add(_agent_message(conversation, agent, text, message_id, "internal"))
        notice = AgentNotice(join(["Note from ", name(agent.label), f" (internal): {text}"]), ticket.id, ticket.agent_thread_id)
        work.send(notice, conversation.id, ticket_id=ticket.id)

    try:
        _, outgoing = await bot.commit(write)
    except IntegrityError:
        return []
    return outgoing


async def resolve(bot: SupportBot, agent: Person, ticket_id: int, place: Place | None) -> list[Outgoing]:
    found = await _ticket(bot, agent, place, ticket_id, action="ticket.resolve")
    if isinstance(found, list):
        return found
    ticket, conversation = found
    if ticket.status == TicketState.CLAIMED and ticket.assigned_agent != agent.key and not bot.access.is_admin(agent):
        return refuse(
            agent, f"Ticket #{ticket_id} is claimed by {ticket.assigned_agent}; only they or an admin can resolve it.", place
        )

    def write(work: Work) -> None:
        assert conversation.id is not None
        work.move(Ticket, ticket_id, RESOLVE_TICKET, resolved_at=utcnow(), assigned_agent=ticket.assigned_agent or agent.key)
        work.note(conversation, f"resolved ticket #{ticket_id}", "agent", agent.key)
        work.retire_ticket_buttons(ticket_id, f"Resolved by {agent.label}.")
        work.send(AgentNotice(join([name(agent.label), f" resolved ticket #{ticket_id}."]), ticket_id, ticket.agent_thread_id))
        handled = "human" if conversation.interaction_type == "automated" else conversation.interaction_type
        close_conversation(work, conversation, by_agent=True, interaction_type=handled)
        log.info("ticket.resolved ticket=%s agent=%s", ticket_id, agent.key)

    return await _act(bot, agent, place, ticket, "resolve", write)


async def hand_back(bot: SupportBot, agent: Person, ticket_id: int, place: Place | None) -> list[Outgoing]:
    found = await _ticket(bot, agent, place, ticket_id, action="ticket.handback")
    if isinstance(found, list):
        return found
    ticket, conversation = found

    def write(work: Work) -> None:
        assert conversation.id is not None
        work.move(Ticket, ticket_id, HAND_BACK_TICKET, assigned_agent=ticket.assigned_agent or agent.key)
        work.move(Conversation, conversation.id, HAND_BACK)
        work.note(conversation, f"handed ticket #{ticket_id} back to the bot", "agent", agent.key)
        work.retire_ticket_buttons(ticket_id, f"Handed back to the bot by {agent.label}.")
        notice = AgentNotice(
            join([name(agent.label), f" handed ticket #{ticket_id} back to the bot."]), ticket_id, ticket.agent_thread_id
        )
        work.send(notice, conversation.id, ticket_id=ticket_id)
        work.say(conversation, bot.text(bot.policy.small_talk.back_to_bot), "info")

    return await _act(bot, agent, place, ticket, "hand back", write)


async def handle_message(bot: SupportBot, event: AgentMessage) -> list[Outgoing]:
    """A message in a ticket's thread: a reply to the customer, or an internal note."""
    action = "agent.note" if event.internal else "agent.reply"
    found = await _ticket(bot, event.agent, event.place, event.ticket_id, event.agent_thread_id, action)
    if isinstance(found, list):
        return found
    ticket, conversation = found
    if not event.text.strip():
        return refuse(event.agent, "Nothing to send: the message is empty.", event.place)
    if event.internal:
        return await note(bot, event.agent, ticket, conversation, event.text, event.message_id)
    return await reply(bot, event.agent, ticket, conversation, event.text, event.message_id, event.place)

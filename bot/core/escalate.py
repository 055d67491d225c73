"""Handing a conversation to the agents' channel: the ticket, its priority, the packet, the card."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.core import priority
from bot.core.events import OutboundEvent
from bot.core.handoff import Suggestion, build_packet, customer_summary
from bot.core.replies import ticket_buttons, to_customer
from bot.core.triggers import TriggerHit
from bot.core.turn import CustomerInfo, typed
from bot.storage.tables import Conversation, Customer, Ticket, utcnow

if TYPE_CHECKING:
    from bot.core.app import SupportBot

log = logging.getLogger("supportbot.escalation")
HANDOFF_TEXT = (
    "I've passed this to our support team with everything you've told me, so you won't need to repeat "
    "yourself. Someone will reply here{due}."
)
WAIT = {"urgent": " within 15 minutes", "high": " within the hour", "normal": " within a few hours", "low": " within a day"}


async def hand_off(
    bot: SupportBot,
    conversation: Conversation,
    customer: Customer,
    hits: list[TriggerHit],
    intent: str,
    confidence: float,
    out_of_scope: bool,
    ai_context: bool = True,
    note: str = "",
) -> list[OutboundEvent]:
    """Open a ticket (call after the turn's decision is stored, so the packet includes it); `note` is
    added to what the customer is told."""
    assert conversation.id is not None and customer.id is not None
    now = utcnow()
    info = CustomerInfo(customer.tier, customer.account_value)
    score = priority.score(info, hits, intent, bot.policy.priority, now)
    reason = "; ".join(h.describe() for h in hits)
    ticket = Ticket(
        conversation_id=conversation.id, priority=score.level, intent=intent, reason=reason[:500], due_at=score.due_at
    )
    await bot.db(bot.store.add, ticket)
    assert ticket.id is not None
    conversation_id = conversation.id
    conversation = await bot.db(bot.store.update_conversation, conversation.id, status="waiting_agent")
    turns = list(await bot.db(bot.store.history, conversation.id))
    record = await bot.db(bot.store.customer_record, customer.id, conversation.id)
    suggestions: list[Suggestion] = []
    index = bot.services.index
    words = typed(turns)
    issue = " ".join(t.text for t in words if t.intent not in ("greeting", "thanks"))[-1000:]
    if ai_context and issue.strip():
        base = bot.services.resolver.base_url
        for hit in await bot.db(index.search, issue, k=3, customer_only=False):
            link = f"{base}/{hit.article_id}" if base else hit.article_id
            suggestions.append(Suggestion(hit.article_id, hit.title, link, hit.score))
    text = HANDOFF_TEXT.format(due=WAIT.get(score.level, "")) + note
    customer_reply = await to_customer(bot, conversation, text, "handoff")
    messages = await bot.db(bot.store.transcript, conversation.id)
    titles = {a.id: a.title for a in index.kb.articles.values()}
    packet = build_packet(
        ticket.id,
        conversation_id,
        customer_summary(customer, record),
        turns,
        messages,
        intent if ai_context else "unclassified",
        confidence if ai_context else 0.0,
        out_of_scope,
        hits,
        score,
        suggestions,
        titles,
    )
    await bot.db(bot.store.update_ticket, ticket.id, summary=packet.to_json())
    if words:
        await bot.db(
            bot.gaps.record,
            "escalation",
            words[-1].text,
            intent,
            suggestions[0].article_id if suggestions else None,
            suggestions[0].score if suggestions else None,
            str(conversation.id),
        )
    log.info("escalation.created ticket=%s priority=%s triggers=%s", ticket.id, score.level, ",".join(h.trigger for h in hits))
    return [customer_reply, packet.card(ticket_buttons(ticket.id))]

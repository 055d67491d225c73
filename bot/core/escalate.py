"""Handing a conversation to the agents' channel: the ticket, its priority, the packet, the card.

`prepare` does the slow reads (history, account, article suggestions) outside any transaction;
`write` then opens the ticket, moves the conversation, tells the customer and posts the card in the
caller's one transaction, so a failure half-way leaves neither a ticket without a card nor a card
without a ticket.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import col, select

from bot.core import priority, routing
from bot.core.events import Person
from bot.core.handoff import CustomerSummary, PreviousConversation, Suggestion, build_packet, customer_summary
from bot.core.replies import agent_joined, ticket_buttons
from bot.core.states import AGENT_JOINS, HAND_OFF, WITHDRAW, DraftState, TicketState
from bot.core.triggers import TriggerHit
from bot.core.turn import CustomerInfo, PastTurn, typed
from bot.core.work import Work, place_of
from bot.storage.tables import Conversation, Customer, Draft, Message, Ticket, utcnow

if TYPE_CHECKING:
    from bot.core.app import SupportBot

log = logging.getLogger("supportbot.escalation")
HANDOFF_TEXT = (
    "I've passed this to our support team with everything you've told me, so you won't need to repeat "
    "yourself. Someone will reply here{due}."
)
WAIT = {"urgent": " within 15 minutes", "high": " within the hour", "normal": " within a few hours", "low": " within a day"}


@dataclass(frozen=True)
class Handoff:
    """Everything read before the transaction that opens the ticket."""

    conversation: Conversation
    customer: Customer
    hits: tuple[TriggerHit, ...]
    intent: str
    confidence: float
    out_of_scope: bool
    ai_context: bool
    turns: tuple[PastTurn, ...]  # every customer turn, the escalating one last (with its outcome)
    summary_of_customer: CustomerSummary
    previous: PreviousConversation | None
    suggestions: tuple[Suggestion, ...]
    titles: dict[str, str]
    note: str


async def prepare(
    bot: SupportBot,
    conversation: Conversation,
    customer: Customer,
    hits: list[TriggerHit],
    intent: str,
    confidence: float,
    out_of_scope: bool,
    turns: list[PastTurn],
    ai_context: bool = True,
    note: str = "",
) -> Handoff:
    assert conversation.id is not None and customer.id is not None
    record = await bot.db(bot.store.customer_record, customer.id, conversation.id)
    before = await bot.db(bot.store.previous, conversation)
    previous = None
    if before is not None and before.id is not None:
        earlier = await bot.db(bot.store.history, before.id)
        asked = [t.intent for t in typed(earlier) if t.intent not in bot.policy.roles.small_talk and t.intent not in ("", "-")]
        previous = PreviousConversation(before.id, before.status, before.updated_at.strftime("%Y-%m-%d"), tuple(asked[-3:]))
    suggestions: list[Suggestion] = []
    index = bot.services.index
    issue = " ".join(t.text for t in typed(turns) if t.intent not in bot.policy.roles.small_talk)[-1000:]
    if ai_context and issue.strip():
        base = bot.services.resolver.base_url
        for hit in await bot.db(index.search, issue, k=3, customer_only=False):
            link = f"{base}/{hit.article_id}" if base else hit.article_id
            suggestions.append(Suggestion(hit.article_id, hit.title, link, hit.score))
    return Handoff(
        conversation,
        customer,
        tuple(hits),
        intent if ai_context else "unclassified",
        confidence if ai_context else 0.0,
        out_of_scope,
        ai_context,
        tuple(turns),
        customer_summary(customer, record),
        previous,
        tuple(suggestions),
        {a.id: a.title for a in index.kb.articles.values()},
        note,
    )


def write(bot: SupportBot, work: Work, handoff: Handoff, claimed_by: Person | None = None) -> Ticket:
    """Open the ticket in `work`'s transaction; with `claimed_by`, that agent has it from the start."""
    conversation, customer = handoff.conversation, handoff.customer
    assert conversation.id is not None
    now = utcnow()
    hits = list(handoff.hits)
    not_issues = bot.policy.roles.small_talk | set(bot.policy.human_request.intents)
    score = priority.score(
        CustomerInfo(customer.tier, customer.account_value),
        hits,
        handoff.intent,
        bot.policy.priority,
        bot.policy.roles,
        now,
        priority.complexity(handoff.turns, not_issues),
    )
    routed = None if claimed_by is not None or not bot.roster else _route(bot, work, handoff, not_issues, now)
    work.move(Conversation, conversation.id, HAND_OFF)
    _withdraw_drafts(work, conversation.id)
    work.retire_customer_buttons(conversation)
    ticket = work.add(
        Ticket(
            conversation_id=conversation.id,
            priority=score.level,
            intent=handoff.intent,
            reason="; ".join(h.describe() for h in hits)[:500],
            due_at=score.due_at,
            status=TicketState.CLAIMED if claimed_by else TicketState.OPEN,
            assigned_agent=claimed_by.key if claimed_by else None,
            routed_to=routed.target if routed else None,
        )
    )
    assert ticket.id is not None
    if claimed_by is not None:
        work.move(Conversation, conversation.id, AGENT_JOINS, interaction_type="human")
    work.say(conversation, HANDOFF_TEXT.format(due=WAIT.get(score.level, "")) + handoff.note, "handoff")
    if claimed_by is not None:
        work.say(conversation, agent_joined(claimed_by), "info")
    messages = work.session.exec(
        select(Message)
        .where(Message.conversation_id == conversation.id, Message.direction != "internal")
        .order_by(col(Message.id).desc())
        .limit(50)
    ).all()
    packet = build_packet(
        ticket.id,
        conversation.id,
        handoff.summary_of_customer,
        list(handoff.turns),
        list(reversed(messages)),
        handoff.intent,
        handoff.confidence,
        handoff.out_of_scope,
        hits,
        score,
        list(handoff.suggestions),
        handoff.titles,
        handoff.previous,
        bot.policy.roles.small_talk,
        routed,
    )
    ticket.summary = packet.to_json()
    work.session.add(ticket)
    card = dataclasses.replace(packet.card(ticket_buttons(ticket.id)), customer_place=place_of(conversation))
    work.send(card, conversation.id, ticket_id=ticket.id)
    log.info("escalation.created ticket=%s priority=%s triggers=%s", ticket.id, score.level, ",".join(h.trigger for h in hits))
    return ticket


def _route(bot: SupportBot, work: Work, handoff: Handoff, not_issues: frozenset[str], now: dt.datetime) -> routing.Routed:
    """Who the card names, by the conversation's issue (not "a person, please"), read in this transaction."""
    issue = routing.issue_intent(handoff.turns, not_issues, handoff.intent)
    assignment = routing.route(issue, None, now, bot.roster, routing.workload(work.session))
    routed = assignment.routed()
    log.info("ticket.routed conversation=%s intent=%s to=%s", handoff.conversation.id, issue, routed.target or "nobody")
    return routed


def _withdraw_drafts(work: Work, conversation_id: int) -> None:
    """Drafts nobody reviewed yet are moot once a person takes over: withdraw them and their buttons."""
    pending = work.session.exec(
        select(Draft).where(Draft.conversation_id == conversation_id, Draft.action == DraftState.PENDING)
    ).all()
    for draft in pending:
        assert draft.id is not None
        work.move(Draft, draft.id, WITHDRAW, decided_at=utcnow())
        work.retire_draft_buttons(draft.id, "Withdrawn: the conversation was handed to a person.")


async def record_gap(bot: SupportBot, handoff: Handoff) -> None:
    """Escalations reveal knowledge gaps; recorded after the ticket is committed (a report, not state)."""
    words = typed(handoff.turns)
    if not words:
        return
    best = handoff.suggestions[0] if handoff.suggestions else None
    await bot.db(
        bot.gaps.record,
        "escalation",
        words[-1].text,
        handoff.intent,
        best.article_id if best else None,
        best.score if best else None,
        str(handoff.conversation.id),
    )

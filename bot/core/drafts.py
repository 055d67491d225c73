"""Agents' verdicts on assisted-tier drafts. Approved drafts go to the customer as written, edited
ones with the agent's text; a rejected draft opens a ticket for that agent, so the customer still
gets an answer. The verdicts feed the per-intent approval rate (`bot.core.stats`)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.core.agent_desk import claim, refuse
from bot.core.escalate import hand_off
from bot.core.events import AgentNotice, OutboundEvent, Person
from bot.core.replies import answer_buttons, to_customer
from bot.core.triggers import TriggerHit

if TYPE_CHECKING:
    from bot.core.app import SupportBot

log = logging.getLogger("supportbot.drafts")


async def decide(bot: SupportBot, agent: Person, draft_id: int, verdict: str, text: str | None = None) -> list[OutboundEvent]:
    if not bot.access.is_agent(agent):
        return refuse(agent, "Only support agents can review drafts.")
    if verdict == "edited" and not (text and text.strip()):
        return refuse(agent, f"Editing draft #{draft_id} needs the new text.")
    existing = await bot.db(bot.store.draft, draft_id)
    if existing is None:
        return refuse(agent, f"There is no draft #{draft_id}.")
    final = existing.ai_text if verdict == "approved" else text if verdict == "edited" else None
    draft = await bot.db(bot.store.decide_draft, draft_id, verdict, final, agent.key)
    if draft is None:
        return refuse(agent, f"Draft #{draft_id} was already {existing.action} by {existing.agent_id}.")
    conversation = await bot.db(bot.store.conversation, draft.conversation_id)
    assert conversation is not None and conversation.id is not None
    log.info("draft.%s draft=%s intent=%s agent=%s", verdict, draft_id, draft.intent, agent.key)
    notice = AgentNotice(f"{agent.label} {verdict} draft #{draft_id} ({draft.intent}).")
    if verdict == "rejected":
        customer = await bot.db(bot.store.customer, conversation.customer_id)
        assert customer is not None
        hit = TriggerHit("draft_rejected", f"{agent.label} rejected draft #{draft_id}")
        outs = await hand_off(bot, conversation, customer, [hit], draft.intent, 1.0, False)
        ticket = await bot.db(bot.store.open_ticket, conversation.id)
        assert ticket is not None and ticket.id is not None
        return [notice, *outs, *await claim(bot, agent, ticket.id)]
    if conversation.interaction_type == "automated":
        conversation = await bot.db(bot.store.update_conversation, conversation.id, interaction_type="assisted")
    sent = await to_customer(bot, conversation, final or "", "answer", answer_buttons(draft.conversation_id))
    return [notice, sent]

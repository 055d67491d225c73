"""Agents' verdicts on assisted-tier drafts. Approved drafts go to the customer as written, edited
ones with the agent's text; a rejected draft opens a ticket for that agent, so the customer still
gets an answer. A draft is sent only while the bot still has the conversation: once a person took it
over or it ended, the draft is withdrawn instead. The verdicts feed the per-intent approval rate
(`bot.core.stats`)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlmodel import select

from bot.core import escalate as escalation
from bot.core import feedback
from bot.core.agent_desk import authorise, refuse
from bot.core.events import AgentNotice, Person, Place
from bot.core.outbox import Outgoing
from bot.core.outcomes import Outcome
from bot.core.replies import answer_buttons
from bot.core.states import BOT_REPLIES, VERDICTS, WITHDRAW, Conflict, DraftState
from bot.core.text import join, name
from bot.core.triggers import TriggerHit
from bot.core.turn import PastTurn
from bot.core.work import Work
from bot.storage.tables import Conversation, Decision, Draft, utcnow

if TYPE_CHECKING:
    from bot.core.app import SupportBot

log = logging.getLogger("supportbot.drafts")


async def decide(
    bot: SupportBot, agent: Person, draft_id: int, verdict: str, place: Place | None, text: str | None = None
) -> list[Outgoing]:
    refusal = await authorise(bot, agent, place, f"draft.{verdict}")
    if refusal is not None:
        return refuse(agent, refusal, place)
    if verdict == "edited" and not (text and text.strip()):
        return refuse(agent, f"Editing draft #{draft_id} needs the new text.", place)
    draft = await bot.db(bot.store.draft, draft_id)
    if draft is None:
        return refuse(agent, f"There is no draft #{draft_id}.", place)
    if draft.action != DraftState.PENDING:
        by = f" by {draft.agent_id}" if draft.agent_id else ""
        return refuse(agent, f"Draft #{draft_id} was already {draft.action}{by}.", place)
    conversation = await bot.db(bot.store.conversation, draft.conversation_id)
    assert conversation is not None and conversation.id is not None
    if verdict == "rejected":
        return await _reject(bot, agent, draft, conversation, place)
    final = draft.ai_text if verdict == "approved" else (text or "")

    def write(work: Work) -> None:
        assert conversation.id is not None
        work.move(Draft, draft_id, VERDICTS[verdict], final_text=final, agent_id=agent.key, decided_at=utcnow())
        assisted = {"interaction_type": "assisted"} if conversation.interaction_type == "automated" else {}
        work.move(Conversation, conversation.id, BOT_REPLIES, **assisted)
        work.retire_draft_buttons(draft_id, f"{verdict.capitalize()} by {agent.label}.")
        work.send(AgentNotice(join([name(agent.label), f" {verdict} draft #{draft_id} ({draft.intent})."])), draft_id=draft_id)
        work.say(conversation, final, "answer", answer_buttons(conversation.id))
        article = drafted_article(work, draft.message_id) if verdict == "approved" else None  # an edit may change it
        feedback.record(work.session, draft.message_id, f"draft_{verdict}", draft.intent, article, agent.key)
        log.info("draft.%s draft=%s intent=%s agent=%s", verdict, draft_id, draft.intent, agent.key)

    try:
        _, outgoing = await bot.commit(write)
    except Conflict:
        return await _stale(bot, agent, draft, place)
    return outgoing


async def _reject(
    bot: SupportBot, agent: Person, draft: Draft, conversation: Conversation, place: Place | None
) -> list[Outgoing]:
    assert draft.id is not None and conversation.id is not None
    customer = await bot.db(bot.store.customer, conversation.customer_id)
    assert customer is not None
    hit = TriggerHit("draft_rejected", f"{agent.label} rejected draft #{draft.id}")
    turns = [*await bot.db(bot.store.history, conversation.id)]
    turns = [*turns[:-1], PastTurn(turns[-1].text, draft.intent, turns[-1].sentiment, Outcome.HANDED_OFF)] if turns else []
    handoff = await escalation.prepare(bot, conversation, customer, [hit], draft.intent, 1.0, False, turns)
    draft_id = draft.id

    def write(work: Work) -> None:
        work.move(Draft, draft_id, VERDICTS["rejected"], agent_id=agent.key, decided_at=utcnow())
        article = drafted_article(work, draft.message_id)
        feedback.record(work.session, draft.message_id, "draft_rejected", draft.intent, article, agent.key, "rejected")
        work.retire_draft_buttons(draft_id, f"Rejected by {agent.label}; a ticket was opened.")
        work.send(AgentNotice(join([name(agent.label), f" rejected draft #{draft_id} ({draft.intent})."])), draft_id=draft_id)
        escalation.write(bot, work, handoff, claimed_by=agent)

    try:
        _, outgoing = await bot.commit(write)
    except Conflict:
        return await _stale(bot, agent, draft, place)
    await escalation.record_gap(bot, handoff)
    return outgoing


def drafted_article(work: Work, message_id: int) -> str | None:
    """The article the draft for this message was written from."""
    return work.session.exec(select(Decision.article_id).where(Decision.message_id == message_id)).first()


async def _stale(bot: SupportBot, agent: Person, draft: Draft, place: Place | None) -> list[Outgoing]:
    """The draft was decided meanwhile, or its conversation is no longer the bot's: withdraw and say why."""
    assert draft.id is not None
    now = await bot.db(bot.store.draft, draft.id)
    assert now is not None
    if now.action != DraftState.PENDING:
        by = f" by {now.agent_id}" if now.agent_id else ""
        return refuse(agent, f"Draft #{draft.id} was already {now.action}{by}.", place)
    conversation = await bot.db(bot.store.conversation, draft.conversation_id)
    state = conversation.status if conversation else "gone"
    draft_id = draft.id

    def withdraw(work: Work) -> None:
        work.move(Draft, draft_id, WITHDRAW, agent_id=agent.key, decided_at=utcnow())
        work.retire_draft_buttons(draft_id, f"Withdrawn: the conversation is {state}.")

    try:
        _, outgoing = await bot.commit(withdraw)
    except Conflict:
        outgoing = []
    text = f"Draft #{draft.id} was not sent: the conversation is {state.replace('_', ' ')} now, so the draft is withdrawn."
    return [*outgoing, *refuse(agent, text, place)]

"""The pipeline for each customer message:

persist → relay to the agent if a human has the conversation → classify intent and sentiment →
escalation triggers → the intent's tier → resolve → reply, draft or hand off → persist the decision.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.core.entities import extract
from bot.core.escalate import hand_off
from bot.core.events import AgentNotice, Button, CustomerMessage, DraftCard, OutboundEvent
from bot.core.outcomes import ANSWERING, Outcome
from bot.core.replies import answer_buttons, draft_buttons, resolve_conversation, to_customer
from bot.core.triggers import TriggerHit, fired, is_closing
from bot.core.turn import CustomerInfo, Turn
from bot.storage.tables import Conversation, Customer, Decision, Draft
from knowledge.types import ActionResult, Answer, CustomerContext, NoAnswer, Resolution, ResolveRequest

if TYPE_CHECKING:
    from bot.core.app import SupportBot

log = logging.getLogger("supportbot.pipeline")
WITH_HUMAN = ("waiting_agent", "with_agent")
HOLDING_TEXT = "Thanks! I've prepared an answer and a teammate is checking it; you'll get it right here shortly."
CLARIFY_TEXT = "Sorry, I'm not sure I understood. Is it about one of these? You can also rephrase your question."
EMPTY_TEXT = "I can only read text for now. Could you tell me in words what you need?"
UNSURE_AGAIN = " (I'm still not sure what you need, so I'm bringing in a person.)"


@dataclass(frozen=True)
class TurnRecord:
    """The stored side of the turn being handled."""

    conversation: Conversation
    customer: Customer
    message_id: int
    started: float


def humanize(intent: str) -> str:
    return intent.replace("howto_", "how to: ").replace("_", " ")


async def handle(bot: SupportBot, event: CustomerMessage) -> list[OutboundEvent]:
    started = time.perf_counter()
    opened = await bot.db(bot.store.open_turn, event.message_id, event.customer, event.place, event.text, event.profile)
    if opened is None:
        log.info("message.duplicate platform=%s id=%s", event.customer.platform, event.message_id)
        return []
    assert opened.message.id is not None
    record = TurnRecord(opened.conversation, opened.customer, opened.message.id, started)
    if opened.conversation.status in WITH_HUMAN:
        relayed = await relay(bot, record, event.text)
        if relayed is not None:
            return relayed
    outs: list[OutboundEvent] = []
    text = event.text
    if not text.strip():  # a file or sticker without words: nothing to classify, but not ignored either
        return [await to_customer(bot, opened.conversation, EMPTY_TEXT, "info")]
    if len(text) > bot.max_message_chars:
        note = (
            f"Your message is {len(text):,} characters long; I read the first {bot.max_message_chars:,}. "
            "The whole message is saved for the team."
        )
        outs.append(await to_customer(bot, opened.conversation, note, "info"))
        text = text[: bot.max_message_chars]
    assert opened.conversation.id is not None and opened.message.id is not None
    prediction, history = await asyncio.gather(  # the history query runs while the model does
        bot.services.classifier.aclassify(text), bot.db(bot.store.history, opened.conversation.id, opened.message.id)
    )
    turn = Turn(
        text=text,
        prediction=prediction,
        sentiment=bot.services.sentiment.score(text),
        customer=CustomerInfo(opened.customer.tier, opened.customer.account_value),
        history=history,
        entities=tuple(extract(text)),
    )
    return outs + await decide(bot, record, turn)


async def decide(bot: SupportBot, record: TurnRecord, turn: Turn, chosen: bool = False) -> list[OutboundEvent]:
    """From a classified turn to what happens next. `chosen`: the customer picked the intent from a
    clarifying question, so uncertainty and cues already judged on that message do not count again."""
    policy = bot.policy
    hits = fired(turn, policy, "message")
    if chosen:
        hits = [h for h in hits if h.trigger not in ("low_confidence", "frustration")]
    if [h.trigger for h in hits] == ["low_confidence"]:
        last = turn.history[-1].outcome if turn.history else None
        if policy.low_confidence.clarify_first and last != Outcome.CLARIFIED:
            return await clarify(bot, record, turn, hits)
    if hits:
        return await escalate(bot, record, turn, hits)
    intent = turn.prediction.intent
    if is_closing(turn, policy):
        turn = replace(turn, prediction=replace(turn.prediction, intent="thanks", out_of_scope=False))
        intent = "thanks"
    if intent in ("greeting", "thanks"):
        return await small_talk(bot, record, turn)
    tier = bot.tiers.tier(intent)
    if tier in ("human", "off"):
        return await escalate(
            bot, record, turn, [TriggerHit("tier", f"{intent} is in the {tier} tier")], ai_context=tier == "human"
        )
    resolution = await resolve(bot, record.customer, turn, drafting=tier == "assisted")
    turn = replace(turn, resolution=resolution)
    after = fired(turn, policy, "resolution")
    if isinstance(resolution, NoAnswer):
        await bot.db(
            bot.gaps.record,
            "unanswered",
            turn.text,
            intent,
            resolution.best_article_id,
            resolution.best_score or None,
            str(record.conversation.id),
        )
        if not after:  # the trigger is switched off: say so honestly rather than guess
            reply = await to_customer(
                bot,
                record.conversation,
                "I don't have a good answer for that one, sorry.",
                "info",
                answer_buttons(_id(record.conversation)),
            )
            await remember(bot, record, turn, Outcome.UNANSWERED, [])
            return [reply]
    if after:
        return await escalate(bot, record, turn, after)
    if tier == "assisted" and isinstance(resolution, Answer):
        return await draft(bot, record, turn, resolution)
    return await answer(bot, record, turn, resolution)


def _id(conversation: Conversation) -> int:
    assert conversation.id is not None
    return conversation.id


async def resolve(bot: SupportBot, customer: Customer, turn: Turn, drafting: bool) -> Resolution:
    """Actions only run in the auto tier: a draft must never have side effects before approval."""
    context = CustomerContext(
        customer_id=f"{customer.platform}:{customer.platform_user_id}",
        name=customer.display_name,
        email=customer.email,
        plan=customer.tier,
        role=customer.role,
    )
    p = turn.prediction
    request = ResolveRequest(turn.text, p.intent, p.confidence, context)
    resolver = bot.services.resolver
    if not drafting and resolver.actions.get(p.intent) is not None:
        return await resolver.resolve(request)
    return await asyncio.to_thread(resolver.answer, request)


async def remember(
    bot: SupportBot, record: TurnRecord, turn: Turn, outcome: Outcome, hits: list[TriggerHit], article_id: str | None = None
) -> Decision:
    p = turn.prediction
    decision = Decision(
        conversation_id=_id(record.conversation),
        message_id=record.message_id,
        intent=p.intent,
        confidence=p.confidence,
        out_of_scope=p.out_of_scope,
        sentiment=turn.sentiment,
        tier=bot.tiers.tier(p.intent) if not p.out_of_scope else "-",
        outcome=outcome.value,
        article_id=article_id,
        triggers=",".join(h.trigger for h in hits),
        latency_ms=round((time.perf_counter() - record.started) * 1000, 2),
    )
    return await bot.db(bot.store.record_decision, decision)


async def escalate(
    bot: SupportBot, record: TurnRecord, turn: Turn, hits: list[TriggerHit], ai_context: bool = True
) -> list[OutboundEvent]:
    await remember(bot, record, turn, Outcome.HANDED_OFF, hits)
    p = turn.prediction
    unsure_again = (
        turn.history and turn.history[-1].outcome == Outcome.CLARIFIED and "low_confidence" in {h.trigger for h in hits}
    )
    note = UNSURE_AGAIN if unsure_again else ""
    return await hand_off(
        bot, record.conversation, record.customer, hits, p.best_intent, p.confidence, p.out_of_scope, ai_context, note
    )


async def clarify(bot: SupportBot, record: TurnRecord, turn: Turn, hits: list[TriggerHit]) -> list[OutboundEvent]:
    await remember(bot, record, turn, Outcome.CLARIFIED, hits)
    conversation_id = _id(record.conversation)
    options = [a for a in turn.prediction.alternatives if a.intent not in ("greeting", "thanks", "talk_to_human")][:2]
    buttons = tuple(Button(humanize(a.intent).capitalize(), "clarify.pick", f"{conversation_id}:{a.intent}") for a in options)
    buttons += (Button("Talk to a person", "handoff.request", str(conversation_id)),)
    return [await to_customer(bot, record.conversation, CLARIFY_TEXT, "clarify", buttons)]


async def small_talk(bot: SupportBot, record: TurnRecord, turn: Turn) -> list[OutboundEvent]:
    await remember(bot, record, turn, Outcome.SMALLTALK, [])
    if turn.prediction.intent == "thanks" and any(t.outcome in ANSWERING for t in turn.history):
        reply = await to_customer(bot, record.conversation, bot.policy.small_talk.thanks, "smalltalk")
        return [reply, await resolve_conversation(bot, record.conversation)]
    if turn.prediction.intent == "thanks":
        return [await to_customer(bot, record.conversation, "You're welcome! Anything else I can help with?", "smalltalk")]
    return [await to_customer(bot, record.conversation, bot.policy.small_talk.greeting, "smalltalk")]


async def answer(bot: SupportBot, record: TurnRecord, turn: Turn, resolution: Resolution) -> list[OutboundEvent]:
    buttons = answer_buttons(_id(record.conversation))
    if isinstance(resolution, ActionResult):
        await remember(bot, record, turn, Outcome.ACTION_OK, [])
        return [await to_customer(bot, record.conversation, resolution.message, "answer", buttons)]
    assert isinstance(resolution, Answer)
    await remember(bot, record, turn, Outcome.ANSWERED, [], resolution.article_id)
    return [await to_customer(bot, record.conversation, resolution.render(), "answer", buttons)]


async def draft(bot: SupportBot, record: TurnRecord, turn: Turn, resolution: Answer) -> list[OutboundEvent]:
    await remember(bot, record, turn, Outcome.DRAFTED, [], resolution.article_id)
    text = resolution.render()
    row = Draft(
        conversation_id=_id(record.conversation), message_id=record.message_id, intent=turn.prediction.intent, ai_text=text
    )
    await bot.db(bot.store.add, row)
    assert row.id is not None
    await bot.db(
        bot.store.say,
        _id(record.conversation),
        record.conversation.platform,
        f"[draft #{row.id}] {text}",
        "bot",
        None,
        "internal",
    )
    card = DraftCard(
        row.id,
        _id(record.conversation),
        turn.prediction.intent,
        turn.prediction.confidence,
        turn.text,
        text,
        draft_buttons(row.id),
    )
    return [await to_customer(bot, record.conversation, HOLDING_TEXT, "holding"), card]


async def relay(bot: SupportBot, record: TurnRecord, text: str) -> list[OutboundEvent] | None:
    """A person has the conversation: pass the message on to the ticket's thread, nothing else.
    None when the ticket was closed under us: the bot takes the conversation back."""
    ticket = await bot.db(bot.store.open_ticket, _id(record.conversation))
    if ticket is None:
        await bot.db(bot.store.update_conversation, _id(record.conversation), status="bot")
        return None
    decision = Decision(
        conversation_id=_id(record.conversation),
        message_id=record.message_id,
        intent="-",
        confidence=0.0,
        out_of_scope=False,
        tier="-",
        outcome=Outcome.RELAYED.value,
        latency_ms=round((time.perf_counter() - record.started) * 1000, 2),
    )
    await bot.db(bot.store.record_decision, decision)
    name = record.customer.display_name or record.customer.platform_user_id
    return [AgentNotice(f"{name}: {text}", ticket.id, ticket.agent_thread_id)]

"""The pipeline for each customer message:

store it (received) → relay to the agent if a human has the conversation → classify intent and
sentiment → escalation triggers → the intent's tier → resolve → one transaction that records the
decision and queues the reply, draft or handoff (decided) → the outbox sends it (done).

A re-delivery of a message that was decided only sends what is still pending; one that was received
but never decided (the process died) runs again. If the conversation changed state while the message
was being classified (an agent took it, another process answered), the turn is decided again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.core import escalate as escalation
from bot.core import signals
from bot.core.entities import extract
from bot.core.events import Button, CustomerMessage, DraftCard
from bot.core.evidence import request_for
from bot.core.outbox import Outgoing
from bot.core.outcomes import ANSWERING, Outcome
from bot.core.policy import Policy
from bot.core.relay import relay
from bot.core.replies import answer_buttons, answer_text, article_buttons, close_conversation, draft_buttons
from bot.core.states import BOT_REPLIES, ENDED, WITH_HUMAN, Conflict
from bot.core.text import Rich, join
from bot.core.triggers import TriggerHit, fired, is_closing
from bot.core.turn import CustomerInfo, PastTurn, Turn, TurnRecord, typed
from bot.core.work import Work, place_of
from bot.storage.tables import Conversation, Decision, Draft
from knowledge.types import ActionResult, Answer, CustomerContext, NoAnswer, Resolution, Unsure

if TYPE_CHECKING:
    from bot.core.app import SupportBot

log = logging.getLogger("supportbot.pipeline")
HOLDING_TEXT = "Thanks! I've prepared an answer and a teammate is checking it; you'll get it right here shortly."
CLARIFY_TEXT = "Sorry, I'm not sure I understood. Is it about one of these? You can also rephrase your question."
CHOICE_TEXT = "I found a few articles that might answer this. Which one fits your question best?"
SORRY_TEXT = (
    "Sorry about the trouble. This should sort it out; if it doesn't, press “Talk to a person” and a teammate takes over."
)
EMPTY_TEXT = "I can only read text for now. Could you tell me in words what you need?"
NO_ANSWER_TEXT = "I don't have a good answer for that one, sorry."
UNSURE_AGAIN = " (I'm still not sure what you need, so I'm bringing in a person.)"
ATTEMPTS = 3  # decide again at most this often when the conversation changes state under a turn


def humanize(intent: str) -> str:
    return intent.replace("howto_", "how to: ").replace("_", " ")


async def handle(bot: SupportBot, event: CustomerMessage) -> list[Outgoing]:
    bot.metrics.received(event.customer.platform)
    for attempt in range(ATTEMPTS):
        try:
            return await _handle(bot, event)
        except Conflict as conflict:  # the conversation moved on while this turn was classified
            log.info("message.conflict id=%s attempt=%s %s", event.message_id, attempt + 1, conflict)
    raise RuntimeError(f"message {event.message_id}: the conversation kept changing state")


async def _handle(bot: SupportBot, event: CustomerMessage) -> list[Outgoing]:
    started = time.perf_counter()
    files = f"[attached: {', '.join(event.attachments)}]" if event.attachments else ""
    stored_text = "\n".join(part for part in (event.text, files) if part) or event.text
    profile = await bot.profile_of(event)
    with bot.metrics.stage("store"):
        opened = await bot.db(bot.store.open_turn, event.message_id, event.customer, event.place, stored_text, profile)
    if opened.state == "done":
        log.info("message.duplicate platform=%s id=%s", event.customer.platform, event.message_id)
        return []
    assert opened.message.id is not None
    if opened.state == "decided":
        log.info("message.resend platform=%s id=%s", event.customer.platform, event.message_id)
        return await bot.db(bot.store.claim_due, None, opened.message.id)
    record = TurnRecord(opened.conversation, opened.customer, opened.message.id, started)
    if record.conversation.status in WITH_HUMAN:
        relayed = await relay(bot, record, event.text)
        if relayed is not None:
            return relayed
    if record.conversation.status in WITH_HUMAN | ENDED:  # it ended while this message was on its way: start the next
        moved = await bot.db(bot.store.move_turn, record.message_id, record.customer, event.place)
        record = replace(record, conversation=moved)
    text = event.text
    if not text.strip():  # a file or sticker without words: nothing to classify, but not ignored either
        return await commit(bot, record, lambda work: _say(work, record, EMPTY_TEXT, "info"), remember=None)
    if len(text) > bot.max_message_chars:
        note = (
            f"Your message is {len(text):,} characters long; I read the first {bot.max_message_chars:,}. "
            "The whole message is saved for the team."
        )
        record = replace(record, notes=(note,))
        text = text[: bot.max_message_chars]
    history = await bot.db(bot.store.history, _id(record.conversation), record.message_id)
    context = signals.context_of(history)  # the signals head reads the turn in its conversation
    prediction = await bot.metrics.timed("classify", bot.services.classifier.aclassify(text, context))
    turn = Turn(
        text=text,
        prediction=prediction,
        sentiment=bot.services.sentiment.score(text),
        customer=CustomerInfo(record.customer.tier, record.customer.account_value),
        history=history,
        entities=tuple(extract(text)),
        context=context,
    )
    return await decide(bot, record, turn)


def _say(work: Work, record: TurnRecord, text: Rich | str, kind: str, buttons: tuple[Button, ...] = ()) -> None:
    """Reply while the bot still has the conversation (a compare-and-set: an agent may have taken it)."""
    work.move(Conversation, _id(record.conversation), BOT_REPLIES)
    work.say(record.conversation, text, kind, buttons)


async def commit(
    bot: SupportBot,
    record: TurnRecord,
    write: Callable[[Work], object],
    remember: tuple[Turn, Outcome, list[TriggerHit], str | None] | None,
) -> list[Outgoing]:
    """The turn's one transaction: its decision, any notes, and what `write` queues."""

    def run(work: Work) -> None:
        if remember is not None:
            work.add(decision(bot, record, *remember))
        for note in record.notes:
            work.say(record.conversation, note, "info")
        write(work)

    with bot.metrics.stage("store"):
        _, outgoing = await bot.commit(run, record.message_id)
    if remember is not None:
        bot.metrics.decided(remember[1].value, [h.trigger for h in remember[2]])
    return outgoing


def decision(
    bot: SupportBot, record: TurnRecord, turn: Turn, outcome: Outcome, hits: list[TriggerHit], article_id: str | None = None
) -> Decision:
    p = turn.prediction
    return Decision(
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
        signals=json.dumps({s.name: s.probability for s in p.signals}) if p.signals else None,
        latency_ms=round((time.perf_counter() - record.started) * 1000, 2),
    )


async def decide(
    bot: SupportBot, record: TurnRecord, turn: Turn, chosen: bool = False, article: str | None = None
) -> list[Outgoing]:
    """From a classified turn to what happens next. `chosen`: the customer picked the intent (or
    `article`) from a clarifying question, so uncertainty and cues already judged on that message do
    not count again, and a picked article is answered without the answer gate."""
    policy = bot.policy
    roles = policy.roles
    hits = fired(turn, policy, "message")
    if chosen:
        hits = [h for h in hits if h.trigger not in ("low_confidence", "frustration")]
    deferred = answer_first(turn, policy, hits)
    if deferred:
        hits = []
    if [h.trigger for h in hits] == ["low_confidence"]:
        last = turn.history[-1].outcome if turn.history else None
        if policy.low_confidence.clarify_first and last != Outcome.CLARIFIED:
            return await clarify(bot, record, turn, hits)
    if hits:
        return await escalate(bot, record, turn, hits)
    intent = turn.prediction.intent
    if is_closing(turn, policy) and roles.closing:
        turn = replace(turn, prediction=replace(turn.prediction, intent=roles.closing[0], out_of_scope=False))
        intent = roles.closing[0]
    if intent in roles.small_talk and not deferred:
        return await small_talk(bot, record, turn)
    tier = bot.tiers.tier(intent)
    if tier in ("human", "off"):
        hit = TriggerHit("tier", f"{intent} is in the {tier} tier")
        return await escalate(bot, record, turn, [*deferred, hit], ai_context=tier == "human")
    resolution = await resolve(bot, record, turn, drafting=tier == "assisted", article=article)
    if deferred and not (tier == "auto" and isinstance(resolution, Answer)):
        return await escalate(bot, record, turn, deferred)  # no sure answer for a frustrated customer: a person
    if isinstance(resolution, Unsure):
        if not policy.answer.enabled:
            resolution = resolution.best
        elif tier == "assisted":  # an agent checks every draft anyway: give them the best candidate
            return await draft(bot, record, turn, resolution.best)
        elif turn.history and turn.history[-1].outcome == Outcome.CLARIFIED:
            hit = TriggerHit("low_confidence", f"{resolution.reason}, after a clarifying question")
            return await escalate(bot, record, turn, [hit])
        else:
            return await offer(bot, record, turn, resolution)
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
            buttons = answer_buttons(_id(record.conversation))
            return await commit(
                bot,
                record,
                lambda work: _say(work, record, NO_ANSWER_TEXT, "info", buttons),
                (turn, Outcome.UNANSWERED, [], None),
            )
    if after:
        return await escalate(bot, record, turn, after)
    if tier == "assisted" and isinstance(resolution, Answer):
        return await draft(bot, record, turn, resolution)
    return await answer(bot, record, turn, resolution, sorry=bool(deferred))


def answer_first(turn: Turn, policy: Policy, hits: list[TriggerHit]) -> list[TriggerHit]:
    """The frustration hits to hold back on a first message, so a sure answer comes first (else none)."""
    if not policy.frustration.answer_first or not hits or typed(turn.history):
        return []
    return hits if all(h.trigger == "frustration" for h in hits) else []


def _id(conversation: Conversation) -> int:
    assert conversation.id is not None
    return conversation.id


async def resolve(bot: SupportBot, record: TurnRecord, turn: Turn, drafting: bool, article: str | None = None) -> Resolution:
    """Actions only run in the auto tier: a draft must never have side effects before approval."""
    customer = record.customer
    context = CustomerContext(
        customer_id=f"{customer.platform}:{customer.platform_user_id}",
        name=customer.display_name,
        email=customer.email,
        plan=customer.tier,
        role=customer.role,
    )
    request = request_for(
        bot.services.classifier,
        turn.prediction,
        turn.text,
        context,
        f"turn-{record.message_id}",
        bot.policy.answer.max_wrong_rate,
        article,
    )
    p = turn.prediction
    resolver = bot.services.resolver
    if not drafting and resolver.actions.get(p.intent) is not None:
        return await bot.metrics.timed("action", resolver.resolve(request))
    return await bot.metrics.timed("retrieve", asyncio.to_thread(resolver.answer, request))


async def escalate(
    bot: SupportBot, record: TurnRecord, turn: Turn, hits: list[TriggerHit], ai_context: bool = True
) -> list[Outgoing]:
    p = turn.prediction
    hits = [await _with_evidence(bot, turn, hit) for hit in hits]
    unsure_again = bool(
        turn.history and turn.history[-1].outcome == Outcome.CLARIFIED and "low_confidence" in {h.trigger for h in hits}
    )
    now = PastTurn(turn.text, p.intent, turn.sentiment, Outcome.HANDED_OFF)
    handoff = await escalation.prepare(
        bot,
        record.conversation,
        record.customer,
        hits,
        p.best_intent,
        p.confidence,
        p.out_of_scope,
        [*turn.history, now],
        ai_context,
        UNSURE_AGAIN if unsure_again else "",
    )
    outgoing = await commit(
        bot, record, lambda work: escalation.write(bot, work, handoff), (turn, Outcome.HANDED_OFF, hits, None)
    )
    await escalation.record_gap(bot, handoff)
    return outgoing


async def _with_evidence(bot: SupportBot, turn: Turn, hit: TriggerHit) -> TriggerHit:
    """A signal's hit carries the customer's sentence that made it fire, for the agent's card."""
    if hit.signal is None or hit.evidence is not None:
        return hit
    sentence = await asyncio.to_thread(signals.evidence, bot.services.classifier, turn.text, turn.context, hit.signal)
    return replace(hit, evidence=sentence)


async def clarify(bot: SupportBot, record: TurnRecord, turn: Turn, hits: list[TriggerHit]) -> list[Outgoing]:
    """Unsure what the customer means: offer the closest articles (or, without any, the likeliest intents)."""
    conversation_id = _id(record.conversation)
    request = request_for(bot.services.classifier, turn.prediction, turn.text)
    ranking = await bot.metrics.timed("retrieve", asyncio.to_thread(bot.services.resolver.rank, request))
    options = ranking.options(bot.policy.answer.options)
    if options:
        buttons = article_buttons(conversation_id, options)
    else:
        skip = bot.policy.roles.small_talk | set(bot.policy.human_request.intents)
        intents = [a for a in turn.prediction.alternatives if a.intent not in skip][:2]
        buttons = tuple(Button(humanize(a.intent).capitalize(), "clarify.pick", f"{conversation_id}:{a.intent}") for a in intents)
        buttons += (Button("Talk to a person", "handoff.request", str(conversation_id)),)
    return await commit(
        bot, record, lambda work: _say(work, record, CLARIFY_TEXT, "clarify", buttons), (turn, Outcome.CLARIFIED, hits, None)
    )


async def offer(bot: SupportBot, record: TurnRecord, turn: Turn, unsure: Unsure) -> list[Outgoing]:
    """The gate would not answer within the wrong-answer budget: let the customer pick the article."""
    options = unsure.options[: bot.policy.answer.options]
    buttons = article_buttons(_id(record.conversation), options)
    log.info("answer.unsure message=%s assurance=%.3f threshold=%.3f", record.message_id, unsure.assurance, unsure.threshold)
    return await commit(
        bot,
        record,
        lambda work: _say(work, record, CHOICE_TEXT, "clarify", buttons),
        (turn, Outcome.CLARIFIED, [], unsure.best.article_id),
    )


async def small_talk(bot: SupportBot, record: TurnRecord, turn: Turn) -> list[Outgoing]:
    talk = bot.policy.small_talk
    closing = turn.prediction.intent in bot.policy.roles.closing

    def write(work: Work) -> None:
        if closing and any(t.outcome in ANSWERING for t in turn.history):
            _say(work, record, bot.text(talk.thanks), "smalltalk")
            close_conversation(work, record.conversation)
        else:
            _say(work, record, bot.text(talk.welcome if closing else talk.greeting), "smalltalk")

    return await commit(bot, record, write, (turn, Outcome.SMALLTALK, [], None))


async def answer(bot: SupportBot, record: TurnRecord, turn: Turn, resolution: Resolution, sorry: bool = False) -> list[Outgoing]:
    """Send an answer; `sorry`: the customer was frustrated, so say so and point at the person button."""
    buttons = answer_buttons(_id(record.conversation))
    if isinstance(resolution, ActionResult):
        message = resolution.message
        return await commit(
            bot, record, lambda work: _say(work, record, message, "answer", buttons), (turn, Outcome.ACTION_OK, [], None)
        )
    assert isinstance(resolution, Answer)
    text = join([SORRY_TEXT, answer_text(resolution)], "\n\n") if sorry else answer_text(resolution)
    return await commit(
        bot, record, lambda work: _say(work, record, text, "answer", buttons), (turn, Outcome.ANSWERED, [], resolution.article_id)
    )


async def draft(bot: SupportBot, record: TurnRecord, turn: Turn, resolution: Answer) -> list[Outgoing]:
    text = answer_text(resolution)

    def write(work: Work) -> None:
        conversation = record.conversation
        work.move(Conversation, _id(conversation), BOT_REPLIES)
        row = work.add(
            Draft(
                conversation_id=_id(conversation), message_id=record.message_id, intent=turn.prediction.intent, ai_text=str(text)
            )
        )
        assert row.id is not None
        work.note(conversation, f"[draft #{row.id}] {text}", "bot", None)
        card = DraftCard(
            row.id,
            _id(conversation),
            turn.prediction.intent,
            turn.prediction.confidence,
            turn.text,
            text,
            draft_buttons(row.id),
            place_of(conversation),
        )
        work.say(conversation, HOLDING_TEXT, "holding")
        work.send(card, conversation.id, draft_id=row.id)

    return await commit(bot, record, write, (turn, Outcome.DRAFTED, [], resolution.article_id))

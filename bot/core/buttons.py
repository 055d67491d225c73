"""Button presses, routed by action id through a registry. Customer buttons (answer feedback,
clarifying choices, asking for a person, CSAT) act only for the conversation's own customer; agent
buttons (tickets, drafts) go through the agent desk's own checks."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core import agent_desk, drafts
from bot.core.customer_turn import TurnRecord, decide, remember
from bot.core.escalate import hand_off
from bot.core.events import Button, ButtonPress, CommandResponse, OutboundEvent
from bot.core.frustration import failed_answers
from bot.core.outcomes import ANSWERING, Outcome
from bot.core.replies import resolve_conversation, to_customer
from bot.core.store import CLICK
from bot.core.triggers import TriggerHit
from bot.core.turn import CustomerInfo, PastTurn, Turn, typed
from bot.storage.tables import Conversation, Customer
from models.classifier import Prediction

if TYPE_CHECKING:
    from bot.core.app import SupportBot

log = logging.getLogger("supportbot.buttons")
NOT_QUITE_TEXT = (
    "Sorry that didn't help. Could you tell me a bit more about what you tried and what you see? Or I can bring in a person."
)


@dataclass(frozen=True)
class CustomerPress:
    press: ButtonPress
    conversation: Conversation
    customer: Customer
    argument: str  # what follows "conversation_id:" in the value
    message_id: int  # the stored press
    started: float


CustomerAction = Callable[["SupportBot", CustomerPress], Awaitable[list[OutboundEvent]]]
AgentAction = Callable[["SupportBot", ButtonPress, int], Awaitable[list[OutboundEvent]]]
CUSTOMER_ACTIONS: dict[str, CustomerAction] = {}
AGENT_ACTIONS: dict[str, AgentAction] = {
    "ticket.claim": lambda bot, press, n: agent_desk.claim(bot, press.user, n),
    "ticket.resolve": lambda bot, press, n: agent_desk.resolve(bot, press.user, n),
    "ticket.handback": lambda bot, press, n: agent_desk.hand_back(bot, press.user, n),
    "draft.approve": lambda bot, press, n: drafts.decide(bot, press.user, n, "approved"),
    "draft.edit": lambda bot, press, n: drafts.decide(bot, press.user, n, "edited", press.text),
    "draft.reject": lambda bot, press, n: drafts.decide(bot, press.user, n, "rejected"),
}


def customer_action(name: str) -> Callable[[CustomerAction], CustomerAction]:
    def register(action: CustomerAction) -> CustomerAction:
        CUSTOMER_ACTIONS[name] = action
        return action

    return register


def _refuse(press: ButtonPress, text: str) -> list[OutboundEvent]:
    return [CommandResponse(press.user, text, press.place, ok=False)]


async def handle(bot: SupportBot, press: ButtonPress) -> list[OutboundEvent]:
    target, _, argument = press.value.partition(":")
    if not target.isdigit():
        return _refuse(press, f"This button ({press.action}) carries no valid id.")
    if press.action in AGENT_ACTIONS:
        return await AGENT_ACTIONS[press.action](bot, press, int(target))
    action = CUSTOMER_ACTIONS.get(press.action)
    if action is None:
        return _refuse(press, f"Unknown button action '{press.action}'.")
    conversation = await bot.db(bot.store.conversation, int(target))
    customer = await bot.db(bot.store.customer, conversation.customer_id) if conversation else None
    if (
        conversation is None
        or customer is None
        or (customer.platform, customer.platform_user_id) != (press.user.platform, press.user.user_id)
    ):
        return _refuse(press, "That button belongs to someone else's conversation.")
    assert conversation.id is not None
    label = f"[pressed {press.action}{' ' + argument if argument else ''}]"
    started = time.perf_counter()
    stored = await bot.db(
        bot.store.remember_delivery,
        conversation.id,
        press.user.platform,
        press.press_id,
        "customer",
        press.user.user_id,
        label,
        CLICK,
    )
    if stored is None:
        return []  # a re-delivered click
    assert stored.id is not None
    return await action(bot, CustomerPress(press, conversation, customer, argument, stored.id, started))


def _record(pressed: CustomerPress) -> TurnRecord:
    """The press is the turn: decisions attach to the message that stored it."""
    return TurnRecord(pressed.conversation, pressed.customer, pressed.message_id, pressed.started)


def _info(pressed: CustomerPress) -> CustomerInfo:
    return CustomerInfo(pressed.customer.tier, pressed.customer.account_value)


def _prediction(intent: str, confidence: float, text: str = "") -> Prediction:
    return Prediction(text, intent, intent, confidence, False, 1.0, ())


@customer_action("answer.solved")
async def _solved(bot: SupportBot, pressed: CustomerPress) -> list[OutboundEvent]:
    if pressed.conversation.status == "resolved":
        return []
    return [
        await to_customer(bot, pressed.conversation, bot.policy.small_talk.thanks, "smalltalk"),
        await resolve_conversation(bot, pressed.conversation),
    ]


@customer_action("answer.not_quite")
async def _not_quite(bot: SupportBot, pressed: CustomerPress) -> list[OutboundEvent]:
    record = _record(pressed)
    history = (await bot.db(bot.store.history, pressed.conversation.id or 0))[:-1]  # without the press
    answered = [t for t in history if t.outcome in ANSWERING]
    intent = answered[-1].intent if answered else "unknown"
    turn = Turn("", _prediction(intent, 1.0), 0.0, _info(pressed), history, ())
    config = bot.policy.frustration
    failures = failed_answers((*history, PastTurn("", intent, None, Outcome.ANSWER_REJECTED)), "", "")
    if config.enabled and failures >= config.failed_answers:
        hit = TriggerHit("frustration", f"{failures} answers did not help (pressed “not quite”)")
        await remember(bot, record, turn, Outcome.HANDED_OFF, [hit])
        return await hand_off(bot, pressed.conversation, pressed.customer, [hit], intent, 1.0, False)
    await remember(bot, record, turn, Outcome.ANSWER_REJECTED, [])
    buttons = (Button("Talk to a person", "handoff.request", str(pressed.conversation.id)),)
    return [await to_customer(bot, pressed.conversation, NOT_QUITE_TEXT, "info", buttons)]


@customer_action("handoff.request")
async def _human(bot: SupportBot, pressed: CustomerPress) -> list[OutboundEvent]:
    if pressed.conversation.status in ("waiting_agent", "with_agent", "resolved"):
        return []
    record = _record(pressed)
    history = (await bot.db(bot.store.history, pressed.conversation.id or 0))[:-1]
    intents = [t.intent for t in history if t.intent not in ("", "-", "greeting", "thanks")]
    intent = intents[-1] if intents else "talk_to_human"
    turn = Turn("", _prediction(intent, 1.0), 0.0, _info(pressed), history, ())
    hit = TriggerHit("human_request", "pressed “Talk to a person”")
    await remember(bot, record, turn, Outcome.HANDED_OFF, [hit])
    return await hand_off(bot, pressed.conversation, pressed.customer, [hit], intent, 1.0, False)


@customer_action("clarify.pick")
async def _clarified(bot: SupportBot, pressed: CustomerPress) -> list[OutboundEvent]:
    """The customer picked what they meant: answer their earlier message for that intent."""
    if pressed.argument not in bot.tiers.intents:
        return _refuse(pressed.press, f"Unknown choice '{pressed.argument}'.")
    record = _record(pressed)
    history = (await bot.db(bot.store.history, pressed.conversation.id or 0))[:-1]
    asked = [t for t in history if t.outcome == Outcome.CLARIFIED]
    if not asked or history[-1].outcome != Outcome.CLARIFIED:
        return []  # an old question: the conversation has moved on
    turn = Turn(
        asked[-1].text,
        _prediction(pressed.argument, 1.0, asked[-1].text),
        asked[-1].sentiment or 0.0,
        _info(pressed),
        history,
        (),
    )
    return await decide(bot, record, turn, chosen=True)


@customer_action("csat.rate")
async def _rated(bot: SupportBot, pressed: CustomerPress) -> list[OutboundEvent]:
    if not pressed.argument.isdigit() or not 1 <= int(pressed.argument) <= 5:
        return _refuse(pressed.press, "A rating is a whole number from 1 to 5.")
    rating = int(pressed.argument)
    conversation = pressed.conversation
    assert conversation.id is not None
    if not await bot.db(bot.store.rate, conversation.id, rating, conversation.interaction_type):
        return _refuse(pressed.press, "You've already rated this conversation. Thank you!")
    log.info("csat.recorded conversation=%s rating=%s type=%s", conversation.id, rating, conversation.interaction_type)
    if rating <= 2:
        history = await bot.db(bot.store.history, conversation.id)
        issue = [t for t in typed(history) if t.intent not in ("", "-", "greeting", "thanks")]
        if issue:
            await bot.db(
                bot.gaps.record,
                "negative_rating",
                issue[0].text,
                issue[0].intent,
                issue[0].article_id,
                None,
                str(conversation.id),
            )
    return [await to_customer(bot, conversation, f"Thanks for rating us {rating}/5!", "info")]

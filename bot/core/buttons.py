"""Button presses, routed by action id through a registry.

Agent buttons (tickets, drafts) are obeyed only from the agents' room and from an agent. Customer
buttons (answer feedback, clarifying choices, asking for a person, CSAT) act only on the presser's
own conversation, and only while it is in a state where the button still means something: an old
"That solved it" cannot close a conversation an agent holds, and "Not quite" cannot talk over one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from bot.core import agent_desk, drafts, feedback, signals
from bot.core import escalate as escalation
from bot.core.customer_turn import TurnRecord, commit, decide
from bot.core.events import Button, ButtonPress, CommandResponse
from bot.core.frustration import failed_answers
from bot.core.ids import parse_id
from bot.core.outbox import Outgoing
from bot.core.outcomes import ANSWERING, Outcome
from bot.core.replies import close_conversation
from bot.core.states import BOT_REPLIES, ENDED, WITH_HUMAN, Conflict, ConversationState
from bot.core.store import CLICK
from bot.core.triggers import TriggerHit
from bot.core.turn import CustomerInfo, PastTurn, Turn, typed
from bot.core.work import Work
from bot.storage.tables import Conversation, CsatRating, Customer
from models.classifier import Prediction

if TYPE_CHECKING:
    from bot.core.app import SupportBot

log = logging.getLogger("supportbot.buttons")
NOT_QUITE_TEXT = (
    "Sorry that didn't help. Could you tell me a bit more about what you tried and what you see? Or I can bring in a person."
)
SOMETHING_ELSE_TEXT = (
    "Thanks. Could you say it in other words, for example what you were trying to do and what you see? "
    "Or I can bring in a person."
)
WITH_TEAM_TEXT = "A teammate has your conversation now; just write here and they'll see it."
ENDED_TEXT = "This conversation has ended; write a new message any time to start again."


@dataclass(frozen=True)
class CustomerPress:
    press: ButtonPress
    conversation: Conversation
    customer: Customer
    argument: str  # what follows "conversation_id:" in the value
    message_id: int  # the stored press
    started: float

    @property
    def record(self) -> TurnRecord:
        """The press is the turn: decisions attach to the message that stored it."""
        return TurnRecord(self.conversation, self.customer, self.message_id, self.started)

    @property
    def info(self) -> CustomerInfo:
        return CustomerInfo(self.customer.tier, self.customer.account_value)


CustomerAction = Callable[["SupportBot", CustomerPress], Awaitable[list[Outgoing]]]
AgentAction = Callable[["SupportBot", ButtonPress, int], Awaitable[list[Outgoing]]]
CUSTOMER_ACTIONS: dict[str, CustomerAction] = {}
AGENT_ACTIONS: dict[str, AgentAction] = {
    "ticket.claim": lambda bot, press, n: agent_desk.claim(bot, press.user, n, press.place),
    "ticket.resolve": lambda bot, press, n: agent_desk.resolve(bot, press.user, n, press.place),
    "ticket.handback": lambda bot, press, n: agent_desk.hand_back(bot, press.user, n, press.place),
    "draft.approve": lambda bot, press, n: drafts.decide(bot, press.user, n, "approved", press.place),
    "draft.edit": lambda bot, press, n: drafts.decide(bot, press.user, n, "edited", press.place, press.text),
    "draft.reject": lambda bot, press, n: drafts.decide(bot, press.user, n, "rejected", press.place),
}


def customer_action(name: str) -> Callable[[CustomerAction], CustomerAction]:
    def register(action: CustomerAction) -> CustomerAction:
        CUSTOMER_ACTIONS[name] = action
        return action

    return register


def _refuse(press: ButtonPress, text: str) -> list[Outgoing]:
    return [Outgoing(CommandResponse(press.user, text, press.place, ok=False))]


async def handle(bot: SupportBot, press: ButtonPress) -> list[Outgoing]:
    target, _, argument = press.value.partition(":")
    number = parse_id(target)
    if number is None:
        return _refuse(press, f"This button ({press.action[:60]}) carries no valid id.")
    if press.action in AGENT_ACTIONS:
        return await AGENT_ACTIONS[press.action](bot, press, number)
    action = CUSTOMER_ACTIONS.get(press.action)
    if action is None:
        return _refuse(press, f"Unknown button action '{press.action[:60]}'.")
    conversation = await bot.db(bot.store.conversation, number)
    customer = await bot.db(bot.store.customer, conversation.customer_id) if conversation else None
    if (
        conversation is None
        or customer is None
        or (customer.platform, customer.platform_user_id) != (press.user.platform, press.user.user_id)
        or (press.place is not None and press.place.agents_room)
    ):
        return _refuse(press, "That button belongs to someone else's conversation.")
    assert conversation.id is not None
    label = f"[pressed {press.action}{' ' + argument[:60] if argument else ''}]"
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
    pressed = CustomerPress(press, conversation, customer, argument, stored.id, started)
    try:
        return await action(bot, pressed)
    except Conflict:  # the conversation moved on (an agent took it, it ended) between the read and the write
        fresh = await bot.db(bot.store.conversation, conversation.id)
        return _too_late(press, fresh.status if fresh else ConversationState.RESOLVED)


def _too_late(press: ButtonPress, state: str) -> list[Outgoing]:
    if state in WITH_HUMAN:
        return _refuse(press, WITH_TEAM_TEXT)
    if state in ENDED:
        return _refuse(press, ENDED_TEXT)
    return []


def _prediction(intent: str, confidence: float, text: str = "") -> Prediction:
    return Prediction(text, intent, intent, confidence, False, 1.0, ())


async def _history(bot: SupportBot, pressed: CustomerPress) -> tuple[PastTurn, ...]:
    """The conversation's turns before this press."""
    return await bot.db(bot.store.history, pressed.conversation.id or 0, pressed.message_id)


def _issue_intent(bot: SupportBot, history: tuple[PastTurn, ...], default: str) -> str:
    small = bot.policy.roles.small_talk
    intents = [t.intent for t in history if t.intent not in ("", "-") and t.intent not in small]
    return intents[-1] if intents else default


async def _hand_off(bot: SupportBot, pressed: CustomerPress, hit: TriggerHit, history: tuple[PastTurn, ...]) -> list[Outgoing]:
    intent = _issue_intent(bot, history, next(iter(bot.policy.human_request.intents), "unknown"))
    turn = Turn("", _prediction(intent, 1.0), 0.0, pressed.info, history, ())
    now = PastTurn(str(pressed.press.action), intent, None, Outcome.HANDED_OFF, clicked=True)
    handoff = await escalation.prepare(bot, pressed.conversation, pressed.customer, [hit], intent, 1.0, False, [*history, now])
    record = pressed.record
    outgoing = await commit(
        bot, record, lambda work: escalation.write(bot, work, handoff), (turn, Outcome.HANDED_OFF, [hit], None)
    )
    await escalation.record_gap(bot, handoff)
    return outgoing


@customer_action("answer.solved")
async def _solved(bot: SupportBot, pressed: CustomerPress) -> list[Outgoing]:
    if pressed.conversation.status != ConversationState.BOT:
        return _too_late(pressed.press, pressed.conversation.status)

    def write(work: Work) -> None:
        work.move(Conversation, pressed.conversation.id or 0, BOT_REPLIES)
        work.say(pressed.conversation, bot.text(bot.policy.small_talk.thanks), "smalltalk")
        close_conversation(work, pressed.conversation)

    _, outgoing = await bot.commit(write, pressed.message_id)
    return outgoing


@customer_action("answer.not_quite")
async def _not_quite(bot: SupportBot, pressed: CustomerPress) -> list[Outgoing]:
    if pressed.conversation.status != ConversationState.BOT:
        return _too_late(pressed.press, pressed.conversation.status)
    history = await _history(bot, pressed)
    answered = [t for t in history if t.outcome in ANSWERING]
    intent = answered[-1].intent if answered else "unknown"
    config = bot.policy.frustration
    rejected = PastTurn("", intent, None, Outcome.ANSWER_REJECTED)
    failures = failed_answers((*history, rejected), "", "", bot.policy.roles)
    if config.enabled and failures >= config.failed_answers:
        hit = TriggerHit("frustration", f"{failures} answers did not help (pressed “not quite”)")
        return await _hand_off(bot, pressed, hit, history)
    if config.enabled and answered and _was_frustrated(bot, answered[-1]):  # answered first; it did not help
        hit = TriggerHit("frustration", "frustrated, and the answer did not help (pressed “not quite”)")
        return await _hand_off(bot, pressed, hit, history)
    turn = Turn("", _prediction(intent, 1.0), 0.0, pressed.info, history, ())
    buttons = (Button("Talk to a person", "handoff.request", str(pressed.conversation.id)),)

    def write(work: Work) -> None:
        work.move(Conversation, pressed.conversation.id or 0, BOT_REPLIES)
        work.say(pressed.conversation, NOT_QUITE_TEXT, "info", buttons)

    return await commit(bot, pressed.record, write, (turn, Outcome.ANSWER_REJECTED, [], None))


def _was_frustrated(bot: SupportBot, turn: PastTurn) -> bool:
    """Whether the model read this earlier turn as frustrated, at the threshold the policy applies."""
    probability = turn.signals.get("frustrated")
    manifest = bot.services.classifier.manifest.signals
    if probability is None or manifest is None or "frustrated" not in manifest.names:
        return False
    threshold = signals.threshold(bot.policy, "frustrated", manifest.threshold("frustrated"))
    return threshold is not None and probability >= threshold


@customer_action("handoff.request")
async def _human(bot: SupportBot, pressed: CustomerPress) -> list[Outgoing]:
    if pressed.conversation.status != ConversationState.BOT:
        return _too_late(pressed.press, pressed.conversation.status)
    history = await _history(bot, pressed)
    return await _hand_off(bot, pressed, TriggerHit("human_request", "pressed “Talk to a person”"), history)


@customer_action("clarify.pick")
async def _clarified(bot: SupportBot, pressed: CustomerPress) -> list[Outgoing]:
    """The customer picked what they meant: answer their earlier message for that intent."""
    if pressed.argument not in bot.tiers.intents:
        return _refuse(pressed.press, f"Unknown choice '{pressed.argument[:60]}'.")
    if pressed.conversation.status != ConversationState.BOT:
        return _too_late(pressed.press, pressed.conversation.status)
    history = await _history(bot, pressed)
    asked = _asked(history)
    if asked is None:
        return []  # an old question: the conversation has moved on
    turn = Turn(asked.text, _prediction(pressed.argument, 1.0, asked.text), asked.sentiment or 0.0, pressed.info, history, ())
    return await decide(bot, pressed.record, turn, chosen=True)


def _asked(history: tuple[PastTurn, ...]) -> PastTurn | None:
    """The message a clarifying question asked about, if that question is still the latest turn."""
    if not history or history[-1].outcome != Outcome.CLARIFIED:
        return None
    return history[-1]


@customer_action("article.pick")
async def _picked_article(bot: SupportBot, pressed: CustomerPress) -> list[Outgoing]:
    """The customer picked the article that answers their question: answer from it, and keep their
    words with the confirmed article and intent as a training example."""
    article = bot.services.index.kb.articles.get(pressed.argument)
    if article is None or not article.customer_facing:
        return _refuse(pressed.press, f"Unknown choice '{pressed.argument[:60]}'.")
    if pressed.conversation.status != ConversationState.BOT:
        return _too_late(pressed.press, pressed.conversation.status)
    history = await _history(bot, pressed)
    asked = _asked(history)
    if asked is None:
        return []  # an old question: the conversation has moved on
    intents = [i for i in article.intents if i in bot.tiers.intents]
    intent = asked.intent if asked.intent in intents else (intents[0] if intents else asked.intent)
    if asked.message_id is not None:
        await bot.db(_remember_choice, bot, asked.message_id, intent, article.id)
    turn = Turn(asked.text, _prediction(intent, 1.0, asked.text), asked.sentiment or 0.0, pressed.info, history, ())
    return await decide(bot, pressed.record, turn, chosen=True, article=article.id)


def _remember_choice(bot: SupportBot, message_id: int, intent: str, article_id: str) -> None:
    with bot.store.session() as session:
        feedback.record(session, message_id, "customer_choice", intent, article_id)
        session.commit()


@customer_action("clarify.none")
async def _something_else(bot: SupportBot, pressed: CustomerPress) -> list[Outgoing]:
    """None of the offered articles fits: ask for other words, and note the gap."""
    if pressed.conversation.status != ConversationState.BOT:
        return _too_late(pressed.press, pressed.conversation.status)
    history = await _history(bot, pressed)
    asked = _asked(history)
    if asked is None:
        return []
    await bot.db(bot.gaps.record, "none_fits", asked.text, asked.intent, asked.article_id, None, str(pressed.conversation.id))
    turn = Turn("", _prediction(asked.intent, 1.0), 0.0, pressed.info, history, ())
    buttons = (Button("Talk to a person", "handoff.request", str(pressed.conversation.id)),)

    def write(work: Work) -> None:
        work.move(Conversation, pressed.conversation.id or 0, BOT_REPLIES)
        work.say(pressed.conversation, SOMETHING_ELSE_TEXT, "info", buttons)

    return await commit(bot, pressed.record, write, (turn, Outcome.ANSWER_REJECTED, [], None))


@customer_action("csat.rate")
async def _rated(bot: SupportBot, pressed: CustomerPress) -> list[Outgoing]:
    rating = parse_id(pressed.argument)
    if rating is None or not 1 <= rating <= 5:
        return _refuse(pressed.press, "A rating is a whole number from 1 to 5.")
    conversation = pressed.conversation
    assert conversation.id is not None
    conversation_id = conversation.id

    def write(work: Work) -> None:
        work.add(CsatRating(conversation_id=conversation_id, rating=rating, interaction_type=conversation.interaction_type))
        work.retire_customer_buttons(conversation, f"Rated {rating}/5.")
        work.say(conversation, f"Thanks for rating us {rating}/5!", "info")

    try:
        _, outgoing = await bot.commit(write, pressed.message_id)
    except IntegrityError:
        return _refuse(pressed.press, "You've already rated this conversation. Thank you!")
    log.info("csat.recorded conversation=%s rating=%s type=%s", conversation_id, rating, conversation.interaction_type)
    if rating <= 2:
        history = await bot.db(bot.store.history, conversation_id)
        small = bot.policy.roles.small_talk
        issue = [t for t in typed(history) if t.intent not in ("", "-") and t.intent not in small]
        if issue:
            await bot.db(
                bot.gaps.record,
                "negative_rating",
                issue[0].text,
                issue[0].intent,
                issue[0].article_id,
                None,
                str(conversation_id),
            )
    return outgoing

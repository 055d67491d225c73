"""Routine conversations: answers, small talk, resolution and CSAT, duplicates, oversized messages."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session, select

from bot.core.app import FAILURE_TEXT
from bot.core.customer_turn import EMPTY_TEXT
from bot.core.events import CustomerProfile
from bot.core.services import Services
from bot.storage.tables import Conversation, CsatRating, Decision, Message
from tests.core.conftest import BotFactory
from tests.core.harness import ALICE, BOB, Harness


def test_a_routine_question_is_answered_from_the_knowledge_base_and_rated(chat: Harness) -> None:
    chat.say("hi there")
    assert chat.customer_sees() == ["Hi! I'm the Orbitask support bot. Ask me anything about your account, billing or the app."]
    chat.say("how do I reset my password? I forgot it")
    [answer] = chat.customer_sees()
    assert "Reset your password" in answer and "Forgot password?" in answer
    assert chat.agents_see() == []  # auto tier: nobody in the agents' channel is bothered
    chat.press("That solved it")
    assert chat.customer_sees() == [
        chat.bot.policy.small_talk.thanks,
        "How did we do? Rate this conversation from 1 (poor) to 5 (great).",
    ]
    chat.press("5")
    assert chat.customer_sees() == ["Thanks for rating us 5/5!"]
    with Session(chat.bot.store.engine) as session:
        rating = session.exec(select(CsatRating)).one()
        assert (rating.rating, rating.interaction_type) == (5, "automated")
        decisions = session.exec(select(Decision).order_by(Decision.id)).all()  # type: ignore[arg-type]
        assert [d.outcome for d in decisions] == ["smalltalk", "answered"]
        assert decisions[1].intent == "password_reset" and decisions[1].article_id == "reset-your-password"
        assert decisions[1].latency_ms > 0


def test_thanks_after_an_answer_resolves_and_asks_for_a_rating(chat: Harness) -> None:
    chat.say("where can i download last month's invoice")
    assert "invoice" in chat.customer_sees()[0].lower()
    chat.say("perfect, thank you!")
    assert chat.customer_sees()[1].startswith("How did we do?")
    chat.say("how do I turn off email notifications")
    with Session(chat.bot.store.engine) as session:  # the resolved conversation stays closed; a new one opens
        assert [c.status for c in session.exec(select(Conversation).order_by(Conversation.id)).all()] == ["resolved", "bot"]  # type: ignore[arg-type]


def test_a_redelivered_message_never_gets_a_second_reply(chat: Harness) -> None:
    message_id = chat.say("how do I create an API key")
    assert len(chat.customer_sees()) == 1
    chat.say("how do I create an API key", message_id=message_id)
    assert chat.customer_sees() == []
    with Session(chat.bot.store.engine) as session:
        assert len(session.exec(select(Message).where(Message.author == "customer")).all()) == 1
        assert len(session.exec(select(Decision)).all()) == 1


def test_a_redelivered_button_click_counts_once(chat: Harness) -> None:
    chat.say("how do I export a project to CSV")
    chat.customer_sees()
    chat.press("That solved it")
    chat.press("4", press_id="click-1")
    chat.press("4", press_id="click-1")
    assert chat.customer_sees()[-1] == "Thanks for rating us 4/5!"
    assert chat.customer_sees() == []


def test_customers_cannot_press_each_others_buttons(chat: Harness) -> None:
    chat.say("how do I connect github")
    chat.customer_sees()
    chat.press("Talk to a person", who=BOB)
    assert chat.private_sees() == ["That button belongs to someone else's conversation."]
    assert chat.agents_see() == []


def test_a_40_kb_message_is_kept_whole_and_the_customer_is_told_what_was_read(chat: Harness) -> None:
    text = "My automation rule does not fire when a task moves to Done. " * 700
    assert len(text) > 40_000
    chat.say(text)
    seen = chat.customer_sees()
    assert seen[0].startswith(f"Your message is {len(text):,} characters long; I read the first 4,000.")
    assert len(seen) >= 2  # and it was still handled
    with Session(chat.bot.store.engine) as session:
        stored = session.exec(select(Message).where(Message.author == "customer")).one()
        assert stored.text == text


def test_the_customer_profile_from_the_platform_is_stored(chat: Harness) -> None:
    chat.say("hello", profile=CustomerProfile(company="Kestrel Labs", tier="enterprise", account_value=120_000))
    customer = chat.bot.store.customer(1)
    assert customer is not None
    assert (customer.company, customer.tier, customer.account_value, customer.display_name) == (
        "Kestrel Labs",
        "enterprise",
        120_000,
        ALICE.name,
    )


def test_a_failure_inside_the_bot_tells_the_customer_and_the_agents(new_bot: BotFactory, services: Services) -> None:
    class BrokenClassifier:
        """A model whose file went missing under a running bot (reload mid-flight)."""

        manifest = services.classifier.manifest

        async def aclassify(self, text: str, context: object = None) -> None:
            raise OSError("model.safetensors: No such file or directory")

    chat = new_bot(with_services=replace(services, classifier=BrokenClassifier()))  # type: ignore[arg-type]
    chat.say("how do I reset my password")
    assert chat.customer_sees() == [FAILURE_TEXT]
    assert "The bot failed on a message from Alice (OSError)" in chat.agents_see_text()
    with Session(chat.bot.store.engine) as session:  # the message itself is kept
        assert session.exec(select(Message).where(Message.author == "customer")).one().text == "how do I reset my password"


def test_a_message_without_words_gets_asked_for_words(chat: Harness) -> None:
    chat.say("   \n ")
    assert chat.customer_sees() == [EMPTY_TEXT]
    assert chat.agents_see() == []

"""Conversations end: after a silence the next message starts a new one, so months-old turns never
feed today's repeat and sentiment signals; the handoff still names the conversation before."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.storage.tables import Conversation
from tests.core.harness import Harness

LOGIN = "I can't log in, it says my password is wrong"


def age_conversations(chat: Harness, days: int) -> None:
    with Session(chat.bot.store.engine) as session:
        then = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
        session.execute(update(Conversation).values(updated_at=then))
        session.commit()


def conversations(chat: Harness) -> list[Conversation]:
    with Session(chat.bot.store.engine) as session:
        return list(session.exec(select(Conversation).order_by(col(Conversation.id))).all())


def test_a_message_after_a_long_silence_starts_a_new_conversation(chat: Harness) -> None:
    chat.say(LOGIN)
    age_conversations(chat, days=60)
    chat.say(LOGIN)  # months later, the same words: not a repeat, not frustration
    assert chat.agents_see() == []
    old, new = conversations(chat)
    assert (old.status, new.status, new.previous_id) == ("closed", "bot", old.id)


def test_a_recent_conversation_continues(chat: Harness) -> None:
    chat.say(LOGIN)
    age_conversations(chat, days=0)
    chat.say("also, how do I export a project to csv")
    assert len(conversations(chat)) == 1


def test_the_handoff_names_the_conversation_before(chat: Harness) -> None:
    chat.say(LOGIN)
    age_conversations(chat, days=3)
    chat.say("I want to speak to a human about my account")
    history = {f.label: str(f.value) for f in chat.only_card().fields}["History"]
    assert "continues conversation #1 (closed" in history and "login" in history


def test_a_question_is_never_taken_for_a_thank_you(chat: Harness) -> None:
    chat.say("how are tasks sorted?")
    assert not any(text.startswith("You're welcome") for text in chat.customer_sees())

"""What platforms send besides plain messages: edits and deletions (recorded, shown to the agent, never
answered again) and attachments (kept in the transcript and the handoff, never classified)."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.core.events import CustomerMessage, MessageChanged
from bot.storage.tables import Message
from tests.core.harness import ALICE, SAM, Harness, dm


def transcript(chat: Harness) -> list[str]:
    with Session(chat.bot.store.engine) as session:
        return [m.text for m in session.exec(select(Message).where(Message.author == "customer")).all()]


def test_an_edit_is_recorded_and_not_answered_again(chat: Harness) -> None:
    message_id = chat.say("how do I export a project to csv")
    chat.customer_sees()
    chat.deliver(MessageChanged(message_id, ALICE, dm(ALICE), "how do I export a project to json"))
    chat.deliver(MessageChanged(message_id, ALICE, dm(ALICE), deleted=True))
    assert chat.customer_sees() == [] and chat.agents_see() == []
    assert transcript(chat)[-2:] == ["[edited a message] how do I export a project to json", "[deleted a message]"]


def test_an_edit_while_an_agent_has_the_conversation_is_shown_in_the_ticket_thread(chat: Harness) -> None:
    chat.escalate()
    chat.press("Claim", who=SAM)
    message_id = chat.say("my invoice is INV-1")
    chat.agents_see()
    chat.deliver(MessageChanged(message_id, ALICE, dm(ALICE), "my invoice is INV-2"))
    [notice] = chat.agents_see()
    assert str(notice.text) == "Alice edited a message:“my invoice is INV-2”"
    assert notice.text.untrusted == ("Alice", "my invoice is INV-2")


def test_an_edit_of_an_unknown_message_is_ignored(chat: Harness) -> None:
    chat.deliver(MessageChanged("never-seen", ALICE, dm(ALICE), "hello"))
    assert chat.customer_sees() == [] and transcript(chat) == []


def test_attachments_are_kept_in_the_transcript_and_the_handoff(chat: Harness) -> None:
    chat.deliver(
        CustomerMessage(
            "m-file", ALICE, dm(ALICE), "I want to talk to a person, see the screenshot", attachments=("screenshot.png",)
        )
    )
    assert transcript(chat) == ["I want to talk to a person, see the screenshot\n[attached: screenshot.png]"]
    assert "[attached: screenshot.png]" in {h: str(b) for h, b in chat.only_card().sections}["Transcript"]


def test_a_file_without_words_is_kept_and_the_customer_asked_for_words(chat: Harness) -> None:
    chat.deliver(CustomerMessage("m-img", ALICE, dm(ALICE), "", attachments=("error.jpg",)))
    assert chat.customer_sees() == ["I can only read text for now. Could you tell me in words what you need?"]
    assert transcript(chat) == ["[attached: error.jpg]"]

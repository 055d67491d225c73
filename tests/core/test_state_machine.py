"""One state machine: stale buttons and late messages cannot overwrite what an agent or the customer
already decided, and buttons that went stale are retired on the platform."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from bot.core.states import CLAIM, HAND_OFF, Conflict
from bot.core.work import Work
from bot.storage.tables import Conversation, Draft, Ticket
from tests.core.harness import ALICE, SAM, Harness

EXPORT = "how do I export a project to csv"


def answered_then_escalated(chat: Harness) -> tuple[str, str]:
    """An answer with buttons, then a handoff; returns the old answer's solved and not-quite values."""
    chat.say(EXPORT)
    offered = {b.action: b.value for b in chat._customer_buttons}
    chat.say("I want to speak to a human about my account")
    chat.customer_sees()
    return offered["answer.solved"], offered["answer.not_quite"]


def conversation_status(chat: Harness) -> str:
    with Session(chat.bot.store.engine) as session:
        return session.exec(select(Conversation)).one().status


def test_an_old_solved_button_cannot_close_a_conversation_an_agent_holds(chat: Harness) -> None:
    solved, _ = answered_then_escalated(chat)
    chat.press("Claim", who=SAM)
    chat.customer_sees()
    chat.click("answer.solved", solved, who=ALICE, place=None)
    assert chat.private_sees() == ["A teammate has your conversation now; just write here and they'll see it."]
    assert chat.customer_sees() == []
    assert conversation_status(chat) == "with_agent"


def test_not_quite_on_an_old_answer_neither_talks_over_the_agent_nor_opens_a_second_ticket(chat: Harness) -> None:
    _, not_quite = answered_then_escalated(chat)
    chat.click("answer.not_quite", not_quite, who=ALICE, place=None)
    chat.click("answer.not_quite", not_quite, who=ALICE, place=None)
    assert chat.customer_sees() == []
    with Session(chat.bot.store.engine) as session:
        assert len(session.exec(select(Ticket)).all()) == 1


def test_a_message_relayed_while_the_agent_resolves_never_reopens_the_old_conversation(chat: Harness) -> None:
    chat.say("I want to speak to a human about my account")
    chat.press("Claim", who=SAM)
    chat.press("Resolve", who=SAM)
    chat.customer_sees()
    chat.say("oh and one more thing: how do I export a project to csv")
    assert "export" in chat.customer_sees()[0].lower()  # the bot answers: a new conversation
    with Session(chat.bot.store.engine) as session:
        old, new = session.exec(select(Conversation).order_by(Conversation.id)).all()  # type: ignore[arg-type]
    assert (old.status, new.status, new.previous_id) == ("resolved", "bot", old.id)


def test_approving_a_draft_after_the_conversation_was_handed_off_withdraws_it(chat: Harness) -> None:
    chat.say("how do I set up SAML single sign-on with Okta?")
    draft_id = next(item.draft_id for item in chat.agents_see() if hasattr(item, "draft_id"))
    chat.say("actually I want to speak to a human")
    chat.customer_sees()
    chat.agents_see()
    chat.click("draft.approve", str(draft_id), who=SAM)
    assert chat.private_sees() == [f"Draft #{draft_id} was already withdrawn."]
    assert chat.customer_sees() == []
    with Session(chat.bot.store.engine) as session:
        assert session.exec(select(Draft)).one().action == "withdrawn"


def test_stale_buttons_are_retired_where_they_were_posted(chat: Harness) -> None:
    chat.say(EXPORT)
    chat.say("I want to speak to a human about my account")
    assert [r.place for r in chat.retired] == [chat.customer_inbox[0].place]  # the answer's buttons, in Alice's DM
    card = chat.only_card()
    chat.retired.clear()
    chat.press("Claim", who=SAM)
    chat.press("Resolve", who=SAM)
    on_the_card = [(str(r.note), [b.label for b in r.keep]) for r in chat.retired if r.ref == f"thread-{card.ticket_id}"]
    assert on_the_card == [
        ("Claimed by Sam.", ["Resolve", "Hand back to bot"]),  # the card says who has it; Claim is gone
        ("Resolved by Sam.", []),  # and then no button works any more
    ]


def test_a_move_from_the_wrong_state_rolls_the_whole_transaction_back(chat: Harness) -> None:
    chat.say("I want to speak to a human about my account")
    chat.customer_sees()

    def claim_twice(work: Work) -> None:
        work.move(Ticket, 1, CLAIM, assigned_agent=SAM.key)
        work.move(Conversation, 1, HAND_OFF)  # already waiting for an agent: not allowed

    with pytest.raises(Conflict, match="conversation #1 is waiting_agent: cannot hand_off"):
        chat.bot.store.transaction(claim_twice)
    with Session(chat.bot.store.engine) as session:
        assert session.exec(select(Ticket)).one().status == "open"  # the claim was rolled back too

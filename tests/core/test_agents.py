"""Agents in the agents' channel: claim, reply through the bot, internal notes, resolve, hand back."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.core.agent_desk import NOT_A_TICKET
from bot.storage.tables import CsatRating, Message, Ticket
from tests.core.conftest import BotFactory
from tests.core.harness import KIM, SAM, Harness


def test_an_agent_claims_replies_notes_and_resolves(chat: Harness) -> None:
    ticket_id = chat.escalate()
    chat.press("Claim", who=SAM)
    assert chat.customer_sees() == ["Sam from the support team has joined and has your conversation."]
    assert [str(n.text) for n in chat.agents_see()] == [f"Sam claimed ticket #{ticket_id}."]

    chat.say("thanks, I need the owner role moved to my colleague")
    assert chat.customer_sees() == []  # with a person now: relayed, the bot stays quiet
    [relayed] = chat.agents_see()
    assert str(relayed.text) == "Alice wrote:“thanks, I need the owner role moved to my colleague”"
    assert relayed.text.untrusted == ("Alice", "thanks, I need the owner role moved to my colleague")

    chat.agent_says(ticket_id, "Done: Jordan is the owner now.", who=SAM)
    chat.agent_says(ticket_id, "verified ownership via email with Jordan", who=SAM, internal=True)
    assert chat.customer_sees() == ["Done: Jordan is the owner now."]  # and never the note
    assert chat.customer_inbox == [] and "(internal)" in chat.agents_see_text()

    chat.press("Resolve", who=SAM)
    assert chat.customer_sees()[-1].startswith("How did we do?")
    chat.press("5")
    with Session(chat.bot.store.engine) as session:
        stored = session.exec(select(Ticket)).one()
        assert (stored.status, stored.assigned_agent) == ("resolved", SAM.key)
        assert stored.first_response_at is not None and stored.resolved_at is not None
        assert session.exec(select(CsatRating)).one().interaction_type == "human"
        actions = [m.text for m in session.exec(select(Message).where(Message.direction == "internal")).all()]
    assert actions == [
        f"claimed ticket #{ticket_id}",
        "verified ownership via email with Jordan",
        f"resolved ticket #{ticket_id}",
    ]


def test_a_reply_in_the_ticket_thread_reaches_the_customer_and_claims_it(chat: Harness) -> None:
    ticket_id = chat.escalate()
    chat.agent_says(None, "Hi Alice, looking into it now.", who=KIM, thread=f"thread-{ticket_id}")
    assert chat.customer_sees() == [
        "Kim from the support team has joined and has your conversation.",
        "Hi Alice, looking into it now.",
    ]


def test_a_redelivered_agent_message_is_sent_once(chat: Harness) -> None:
    ticket_id = chat.escalate()
    chat.press("Claim", who=SAM)
    chat.customer_sees()
    message_id = chat.agent_says(ticket_id, "On it!", who=SAM)
    chat.agent_says(ticket_id, "On it!", who=SAM, message_id=message_id)
    assert chat.customer_sees() == ["On it!"]


def test_a_claimed_ticket_cannot_be_taken_or_answered_by_another_agent(chat: Harness) -> None:
    ticket_id = chat.escalate()
    chat.press("Claim", who=SAM)
    chat.press("Claim", who=KIM)
    assert chat.private_sees() == [f"Ticket #{ticket_id} is already claimed by {SAM.key}."]
    chat.agent_says(ticket_id, "I'll take this", who=KIM)
    assert chat.private_sees() == [f"Ticket #{ticket_id} is claimed by {SAM.key}; claim it before replying."]
    chat.click("ticket.resolve", str(ticket_id), who=KIM)
    assert "only they or an admin can resolve it" in chat.private_sees()[0]


def test_handing_back_returns_the_conversation_to_the_bot(chat: Harness) -> None:
    chat.escalate()
    chat.press("Claim", who=SAM)
    chat.press("Hand back to bot", who=SAM)
    assert chat.customer_sees()[-1].startswith("You're back with the Orbitask bot")
    chat.say("how do I log time on a task")
    assert "time" in chat.customer_sees()[0].lower()
    assert str(chat.agents_see()[-1].text).endswith("handed ticket #1 back to the bot.")


def test_only_configured_agents_may_act_when_agents_are_configured(new_bot: BotFactory) -> None:
    chat = new_bot(agents=frozenset({SAM.key}))
    ticket_id = chat.escalate()
    chat.click("ticket.claim", str(ticket_id), who=KIM)
    assert chat.private_sees() == ["Only support agents can act on tickets."]
    chat.click("ticket.claim", str(ticket_id), who=SAM)
    assert chat.customer_sees() == ["Sam from the support team has joined and has your conversation."]


def test_unknown_tickets_are_refused_clearly(chat: Harness) -> None:
    chat.escalate()
    chat.customer_sees()
    chat.click("ticket.claim", "42", who=SAM)
    chat.agent_says(None, "hello?", who=SAM, thread="not-a-ticket")
    assert chat.private_sees() == ["There is no ticket #42.", NOT_A_TICKET]
    assert chat.customer_sees() == []  # Alice, whose ticket is open, got nothing


def test_a_closed_ticket_cannot_be_resolved_or_handed_back_again(chat: Harness) -> None:
    ticket_id = chat.escalate()
    chat.press("Resolve", who=SAM)
    chat.click("ticket.resolve", str(ticket_id), who=SAM)
    chat.click("ticket.handback", str(ticket_id), who=SAM)
    assert chat.private_sees() == [f"Ticket #{ticket_id} is already resolved."] * 2


def test_a_customer_waiting_for_an_agent_hears_once_that_they_were_heard(chat: Harness) -> None:
    chat.escalate()
    chat.say("also the invoice number is INV-77")
    chat.say("and it happened twice")
    assert chat.customer_sees() == ["Thanks, I've added that to your request; someone from the team will reply here."]
    assert [str(n.text) for n in chat.agents_see()] == [
        "Alice wrote:“also the invoice number is INV-77”",
        "Alice wrote:“and it happened twice”",
    ]
    chat.press("Claim", who=SAM)
    chat.customer_sees()
    chat.say("are you there?")
    assert chat.customer_sees() == []  # a person has it now: they answer


def test_the_ticket_thread_shows_what_the_customer_was_sent(chat: Harness) -> None:
    ticket_id = chat.escalate()
    chat.agent_says(ticket_id, "Refund issued, sorry about that.", who=SAM)
    assert "Sam → customer:“Refund issued, sorry about that.”" in [str(n.text) for n in chat.agents_see()]


def test_a_thread_id_with_a_nul_byte_is_refused_not_a_database_error(chat: Harness) -> None:
    """PostgreSQL refuses NUL in a query parameter; no ticket's thread has one, so the message is refused."""
    chat.agent_says(None, "hello", thread="\x00")
    assert "not in a ticket's thread" in chat.private_sees()[0]

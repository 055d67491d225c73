"""Who may act: agent actions only from the agents' room and only by agents; customers only on their
own conversation; an agent message tied to no ticket is refused, never guessed."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.core.agent_desk import NOT_A_TICKET
from bot.storage.tables import AuditEntry, Draft, Message, Ticket
from tests.core.conftest import BotFactory
from tests.core.harness import ALICE, BOB, SAM, Harness, dm

ONLY_ROOM = "Agent actions only work from the agents' channel."


def two_unlinked_tickets(new_bot: BotFactory) -> Harness:
    """Two customers with open tickets whose cards never got a thread (the adapter reported none)."""
    chat = new_bot()
    original = chat.send

    async def send_without_threads(item: object) -> str | None:
        ref = await original(item)  # type: ignore[arg-type]
        return None if ref and ref.startswith("thread-") else ref

    chat.bot.attach(send_without_threads)
    chat.say("I want to speak to a human about my account", who=ALICE)
    chat.say("let me talk to a real person please", who=BOB)
    chat.customer_sees()
    chat.agents_see()
    return chat


def test_an_agent_message_tied_to_no_ticket_is_refused_and_reaches_nobody(new_bot: BotFactory) -> None:
    chat = two_unlinked_tickets(new_bot)
    chat.agent_says(None, "Hi, refund done!", who=SAM)  # a top-level message in the agents' room
    assert chat.private_sees() == [NOT_A_TICKET]
    assert chat.customer_sees() == []
    with Session(chat.bot.store.engine) as session:
        assert session.exec(select(Message).where(Message.author == "agent")).all() == []
        assert {t.status for t in session.exec(select(Ticket)).all()} == {"open"}


def test_a_customer_cannot_forge_agent_buttons(chat: Harness) -> None:
    chat.say("how do I set up SAML single sign-on with Okta?")  # a draft waits for review
    chat.say("I want to speak to a human about billing", who=BOB)  # a ticket waits for an agent
    chat.customer_sees()
    chat.agents_see()
    chat.click("draft.approve", "1", who=ALICE, place=dm(ALICE))
    chat.click("ticket.resolve", "1", who=BOB, place=dm(BOB))
    chat.click("ticket.claim", "1", who=BOB, place=dm(BOB))
    assert chat.private_sees() == [ONLY_ROOM] * 3
    assert chat.customer_sees() == []
    with Session(chat.bot.store.engine) as session:
        assert session.exec(select(Draft)).one().action == "pending"
        assert session.exec(select(Ticket)).one().status == "open"
        refused = session.exec(select(AuditEntry).where(AuditEntry.allowed == False)).all()  # noqa: E712
    assert [(a.actor, a.command) for a in refused] == [
        (ALICE.key, "draft.approved"),
        (BOB.key, "ticket.resolve"),
        (BOB.key, "ticket.claim"),
    ]


def test_a_customer_cannot_send_agent_messages_from_their_dm(chat: Harness) -> None:
    chat.say("I want to speak to a human about my account")
    ticket_id = chat.only_card().ticket_id
    chat.customer_sees()
    chat.agent_says(ticket_id, "Resolved, goodbye", who=ALICE, place=dm(ALICE))
    chat.agent_says(ticket_id, "Resolved, goodbye", who=ALICE, place=None)  # an adapter that did not say where
    assert chat.private_sees() == [ONLY_ROOM] * 2
    assert chat.customer_sees() == []


def test_a_listed_agent_still_acts_only_from_the_agents_room(new_bot: BotFactory) -> None:
    chat = new_bot(agents=frozenset({SAM.key}))
    chat.say("I want to speak to a human about my account")
    ticket_id = chat.only_card().ticket_id
    chat.customer_sees()
    chat.click("ticket.claim", str(ticket_id), who=SAM, place=dm(SAM))
    assert chat.private_sees() == [ONLY_ROOM]
    chat.click("ticket.claim", str(ticket_id), who=SAM)
    assert chat.customer_sees() == ["Sam from the support team has joined and has your conversation."]


def test_customer_buttons_pressed_from_the_agents_room_are_refused(chat: Harness) -> None:
    chat.say("how do I export a project to csv")
    chat.customer_sees()
    solved = next(b for b in chat._customer_buttons if b.action == "answer.solved")
    chat.click(solved.action, solved.value, who=ALICE)  # from the agents' room, as if Alice were an agent there
    assert chat.private_sees() == ["That button belongs to someone else's conversation."]
    assert chat.customer_sees() == []

"""The assisted (shadow) tier: drafts reviewed by agents, and the approval rate that promotes an intent."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from bot.storage.tables import Conversation, Customer, Draft, Message, Ticket
from tests.core.harness import SAM, Harness

SSO = "how do I set up SAML single sign-on with Okta?"


def drafted(chat: Harness) -> int:
    chat.say(SSO)
    assert chat.customer_sees() == [
        "Thanks! I've prepared an answer and a teammate is checking it; you'll get it right here shortly."
    ]
    [card] = chat.agents_see()
    assert card.intent == "sso_setup" and "single sign-on" in str(card.draft_text).lower()  # type: ignore[union-attr]
    return card.draft_id  # type: ignore[union-attr]


def test_an_approved_draft_goes_to_the_customer_as_written(chat: Harness) -> None:
    drafted(chat)
    chat.press("Approve", who=SAM)
    [answer] = chat.customer_sees()
    assert "Configure SAML single sign-on" in answer
    with Session(chat.bot.store.engine) as session:
        draft = session.exec(select(Draft)).one()
        assert (draft.action, draft.agent_id, draft.final_text) == ("approved", SAM.key, draft.ai_text)
        assert session.exec(select(Conversation)).one().interaction_type == "assisted"
        customer_visible = [m.text for m in session.exec(select(Message).where(Message.direction == "outbound")).all()]
    assert not any(text.startswith("[draft") for text in customer_visible)


def test_an_edited_draft_sends_the_agents_text(chat: Harness) -> None:
    drafted(chat)
    chat.press("Edit", who=SAM, text="Hi! SSO needs the Business plan; here is how to set it up with Okta: ...")
    assert chat.customer_sees() == ["Hi! SSO needs the Business plan; here is how to set it up with Okta: ..."]
    chat.press("Approve", who=SAM)  # a second verdict on the same draft is refused
    assert chat.private_sees()[0].startswith("Draft #1 was already edited")


def test_a_rejected_draft_becomes_a_ticket_for_that_agent(chat: Harness) -> None:
    drafted(chat)
    chat.press("Reject", who=SAM)
    seen = chat.customer_sees()
    assert seen[0].startswith("I've passed this to our support team")
    assert seen[-1] == "Sam from the support team has joined and has your conversation."
    with Session(chat.bot.store.engine) as session:
        ticket = session.exec(select(Ticket)).one()
    assert (ticket.status, ticket.assigned_agent) == ("claimed", SAM.key)
    assert "draft_rejected" in ticket.reason


def test_editing_without_text_is_refused(chat: Harness) -> None:
    draft_id = drafted(chat)
    chat.click("draft.edit", str(draft_id), who=SAM, text="  ")
    assert chat.private_sees() == [f"Editing draft #{draft_id} needs the new text."]


def _seed_decided_drafts(chat: Harness, intent: str, approved: int, edited: int, days_ago: int) -> None:
    """Drafts decided in the past, as weeks of shadow mode would leave them."""
    created = dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)
    with Session(chat.bot.store.engine) as session:
        customer = Customer(platform="test", platform_user_id=f"history-{intent}-{days_ago}")
        session.add(customer)
        session.flush()
        conversation = Conversation(customer_id=customer.id or 0, platform="test", channel_id="old", status="resolved")
        session.add(conversation)
        session.flush()
        message = Message(conversation_id=conversation.id or 0, platform="test", direction="inbound", author="customer", text="?")
        session.add(message)
        session.flush()
        for n in range(approved + edited):
            action = "approved" if n < approved else "edited"
            session.add(
                Draft(
                    conversation_id=conversation.id or 0,
                    message_id=message.id or 0,
                    intent=intent,
                    ai_text="a",
                    action=action,
                    final_text="a",
                    agent_id=SAM.key,
                    created_at=created,
                    decided_at=created,
                )
            )
        session.commit()


def test_stats_suggest_promoting_an_intent_that_passes_the_approval_bar(chat: Harness) -> None:
    _seed_decided_drafts(chat, "sso_setup", approved=19, edited=1, days_ago=15)  # 95% over two weeks, 20 drafts
    _seed_decided_drafts(chat, "bug_report", approved=17, edited=3, days_ago=15)  # 85%: below the bar
    report = chat.command("/stats 30").text
    assert (
        "sso_setup: 95% approved as-is of 20 (edited 1, rejected 0) → suggest promoting to auto: /tier sso_setup auto" in report
    )
    assert "bug_report: 85% approved as-is of 20" in report and "/tier bug_report auto" not in report


def test_a_young_intent_needs_a_hundred_drafts(chat: Harness) -> None:
    _seed_decided_drafts(chat, "sso_setup", approved=50, edited=0, days_ago=2)
    assert "/tier sso_setup auto" not in chat.command("/stats").text
    _seed_decided_drafts(chat, "sso_setup", approved=50, edited=0, days_ago=1)
    assert "/tier sso_setup auto" in chat.command("/stats").text

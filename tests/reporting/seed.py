"""Rows for the report tests, written directly (no bot): a customer's conversations, their turns and what
came of them, at times the test chooses; and `scenario`, a small week whose every figure is worked out
by hand in tests/reporting/test_report_figures.py."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from sqlmodel import Session

from bot.storage.tables import (
    Conversation,
    CsatRating,
    Customer,
    Decision,
    Draft,
    Message,
    QualityReview,
    Ticket,
)
from knowledge.gaps import KnowledgeGap

NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)  # a Monday
MINUTE = dt.timedelta(minutes=1)


@dataclass
class Seeder:
    session: Session
    customer_id: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        customer = Customer(platform="test", platform_user_id="seeded", display_name="Seeded")
        self.session.add(customer)
        self.session.flush()
        assert customer.id is not None
        self.customer_id = customer.id

    def conversation(self, started: dt.datetime, status: str = "bot", interaction_type: str = "automated") -> Conversation:
        row = Conversation(
            customer_id=self.customer_id,
            platform="test",
            channel_id=f"dm-{next(self._ids)}",
            status=status,
            interaction_type=interaction_type,
            started_at=started,
            updated_at=started,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def message(self, conversation: Conversation, text: str, at: dt.datetime, click: bool = False) -> Message:
        assert conversation.id is not None
        row = Message(
            conversation_id=conversation.id,
            platform="test",
            platform_message_id=f"m{next(self._ids)}",
            direction="click" if click else "inbound",
            author="customer",
            author_id="seeded",
            text=text,
            created_at=at,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def turn(
        self,
        conversation: Conversation,
        text: str,
        at: dt.datetime,
        intent: str,
        confidence: float,
        outcome: str,
        tier: str = "auto",
        triggers: str = "",
        article: str | None = None,
        click: bool = False,
        oos: bool = False,
    ) -> Decision:
        message = self.message(conversation, text, at, click)
        assert conversation.id is not None and message.id is not None
        row = Decision(
            conversation_id=conversation.id,
            message_id=message.id,
            intent=intent,
            confidence=confidence,
            out_of_scope=oos,
            tier=tier,
            outcome=outcome,
            article_id=article,
            triggers=triggers,
            created_at=at,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def ticket(
        self,
        conversation: Conversation,
        created: dt.datetime,
        priority: str,
        due: dt.datetime | None,
        first_response: dt.datetime | None = None,
        resolved: dt.datetime | None = None,
    ) -> Ticket:
        assert conversation.id is not None
        row = Ticket(
            conversation_id=conversation.id,
            priority=priority,
            reason="seeded",
            due_at=due,
            created_at=created,
            first_response_at=first_response,
            resolved_at=resolved,
            status="resolved" if resolved else ("claimed" if first_response else "open"),
        )
        self.session.add(row)
        return row

    def rating(self, conversation: Conversation, rating: int, interaction_type: str, at: dt.datetime) -> None:
        assert conversation.id is not None
        self.session.add(
            CsatRating(conversation_id=conversation.id, rating=rating, interaction_type=interaction_type, created_at=at)
        )

    def draft(self, decision: Decision, action: str, at: dt.datetime) -> None:
        self.session.add(
            Draft(
                conversation_id=decision.conversation_id,
                message_id=decision.message_id,
                intent=decision.intent,
                ai_text="seeded draft",
                action=action,
                created_at=at,
                decided_at=at + MINUTE,
            )
        )

    def gap(self, kind: str, text: str, intent: str | None, at: dt.datetime) -> None:
        self.session.add(KnowledgeGap(kind=kind, text=text, intent=intent, created_at=at))

    def review(self, decision: Decision, verdict: str, drawn: dt.datetime, reviewed: dt.datetime | None) -> None:
        assert decision.id is not None
        self.session.add(
            QualityReview(
                decision_id=decision.id,
                verdict=verdict,
                reviewer="test:sam" if reviewed else None,
                created_at=drawn,
                reviewed_at=reviewed,
            )
        )


def scenario(session: Session, now: dt.datetime = NOW) -> None:
    """Seven conversations started in the last week, one older one; see test_report_figures for the sums."""
    seed = Seeder(session)
    day = dt.timedelta(days=1)
    old = seed.conversation(now - 10 * day, "resolved")
    old_answer = seed.turn(old, "how do I export", now - 10 * day, "data_export", 0.9, "answered", article="data-export")
    seed.ticket(old, now - 10 * day, "normal", now - 10 * day + 240 * MINUTE)
    for i in range(20):  # the assisted intent's earlier drafts, all approved: the promotion bar is met
        seed.draft(
            Decision(conversation_id=old.id, message_id=old_answer.message_id, intent="sso_setup"),
            "approved",
            now - 20 * day + i * MINUTE,
        )
    seed.review(old_answer, "pending", now - 9 * day, None)
    seed.gap("unanswered", "an old question", "data_export", now - 10 * day)

    c1 = seed.conversation(now - 6 * day, "resolved")
    answer = seed.turn(c1, "How do I export my projects?", now - 6 * day, "data_export", 0.9, "answered", article="data-export")
    seed.message(c1, "[pressed answer.solved]", now - 6 * day + MINUTE, click=True)
    seed.rating(c1, 5, "automated", now - 6 * day + 2 * MINUTE)
    seed.review(answer, "good", now - 2 * day, now - 1 * day)

    c2 = seed.conversation(now - 5 * day, "closed")
    seed.turn(c2, "hello", now - 5 * day, "greeting", 0.95, "smalltalk")
    reset = seed.turn(
        c2, "reset my password", now - 5 * day + MINUTE, "password_reset", 0.8, "answered", article="password-reset"
    )
    seed.turn(c2, "[pressed answer.not_quite]", now - 5 * day + 2 * MINUTE, "password_reset", 1.0, "answer_rejected", click=True)
    seed.review(reset, "bad", now - 2 * day, now - 1 * day)
    seed.gap("quality_bad", "reset my password", "password_reset", now - 1 * day)

    c3 = seed.conversation(now - 4 * day, "resolved", "human")
    start = now - 4 * day
    seed.turn(c3, "I want a human", start, "talk_to_human", 0.9, "handed_off", tier="human", triggers="human_request")
    seed.ticket(c3, start + MINUTE, "high", start + 61 * MINUTE, start + 30 * MINUTE, start + 120 * MINUTE)
    seed.turn(c3, "thanks for taking this", start + 40 * MINUTE, "-", 0.0, "relayed", tier="-")
    seed.rating(c3, 4, "human", start + 121 * MINUTE)
    seed.gap("escalation", "I want a human", "talk_to_human", start)

    c4 = seed.conversation(now - 3 * day, "resolved", "assisted")
    sso = seed.turn(c4, "how do I set up SAML", now - 3 * day, "sso_setup", 0.7, "drafted", tier="assisted")
    seed.draft(sso, "approved", now - 3 * day)
    seed.rating(c4, 3, "assisted", now - 3 * day + 5 * MINUTE)

    c5 = seed.conversation(now - 2 * day, "with_agent", "human")
    start = now - 2 * day
    seed.turn(c5, "this is useless ???", start, "bug_report", 0.3, "handed_off", "assisted", "low_confidence,frustration")
    seed.ticket(c5, start + MINUTE, "normal", start + 241 * MINUTE, start + 301 * MINUTE)
    seed.rating(c5, 2, "human", start + 400 * MINUTE)
    seed.gap("escalation", "this is useless ???", "bug_report", start)

    c6 = seed.conversation(now - 1 * day)
    seed.turn(c6, "What is the weather", now - 1 * day, "out_of_scope", 0.2, "clarified", tier="-", oos=True)
    seed.gap("unanswered", "What is the weather", "out_of_scope", now - 1 * day)
    seed.gap("unanswered", "what is the weather ", "out_of_scope", now - 1 * day + MINUTE)

    c7 = seed.conversation(now - 2 * dt.timedelta(hours=1), "waiting_agent", "human")
    start = now - 2 * dt.timedelta(hours=1)
    cancel = seed.turn(c7, "cancel my plan", start, "cancel_subscription", 0.6, "drafted", tier="assisted")
    seed.draft(cancel, "rejected", start)
    seed.ticket(c7, now - 60 * MINUTE, "urgent", now - 45 * MINUTE)
    session.commit()

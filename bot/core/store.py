"""The conversation record: every read and write the core makes, one short transaction each.

Methods are synchronous SQLModel code; the async core calls them through `asyncio.to_thread` so the
event loop never waits on the database. Objects come back detached (no lazy loading surprises).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.core.events import CustomerProfile, Person, Place
from bot.core.turn import PastTurn
from bot.storage.tables import (
    AuditEntry,
    Conversation,
    CsatRating,
    Customer,
    Decision,
    Draft,
    Message,
    RuntimeSetting,
    Ticket,
    utcnow,
)

OPEN_TICKET = ("open", "claimed")
CLICK = "click"  # Message.direction of a customer's button press


def _commit_unique(session: Session) -> bool:
    """Commit; False (and nothing written) when a unique constraint says this was stored already."""
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


@dataclass(frozen=True)
class Opened:
    """The stored side of a customer message: who, which conversation, which row."""

    customer: Customer
    conversation: Conversation
    message: Message


@dataclass(frozen=True)
class CustomerRecord:
    past_tickets: int
    recent_intents: tuple[str, ...]
    csat_average: float | None
    conversations: int


class ConversationStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    # Customers and conversations -----------------------------------------------------------------

    def _customer(self, session: Session, person: Person, profile: CustomerProfile | None) -> Customer:
        customer = session.exec(
            select(Customer).where(Customer.platform == person.platform, Customer.platform_user_id == person.user_id)
        ).first()
        if customer is None:
            customer = Customer(platform=person.platform, platform_user_id=person.user_id)
        if person.name:
            customer.display_name = person.name
        if profile is not None:
            for name in ("company", "account_id", "tier", "role", "account_value", "email"):
                value = getattr(profile, name)
                if value is not None:
                    setattr(customer, name, value)
        session.add(customer)
        session.flush()
        return customer

    def _open_conversation(self, session: Session, customer: Customer, place: Place) -> Conversation:
        conversation = session.exec(
            select(Conversation)
            .where(
                Conversation.customer_id == customer.id,
                Conversation.platform == place.platform,
                Conversation.channel_id == place.channel_id,
                Conversation.thread_id == place.thread_id if place.thread_id else col(Conversation.thread_id).is_(None),
                Conversation.status != "resolved",
            )
            .order_by(col(Conversation.id).desc())
        ).first()
        if conversation is None:
            assert customer.id is not None
            conversation = Conversation(
                customer_id=customer.id, platform=place.platform, channel_id=place.channel_id, thread_id=place.thread_id
            )
            session.add(conversation)
            session.flush()
        return conversation

    def open_turn(
        self, message_id: str, person: Person, place: Place, text: str, profile: CustomerProfile | None
    ) -> Opened | None:
        """Store an inbound customer message; None when this platform message id was seen before."""
        with self.session() as session:
            if self._seen(session, person.platform, message_id):
                return None
            customer = self._customer(session, person, profile)
            conversation = self._open_conversation(session, customer, place)
            assert conversation.id is not None
            message = Message(
                conversation_id=conversation.id,
                platform=person.platform,
                platform_message_id=message_id,
                direction="inbound",
                author="customer",
                author_id=person.user_id,
                text=text,
            )
            conversation.updated_at = utcnow()
            session.add_all([message, conversation])
            if not _commit_unique(session):  # the same delivery raced in from another worker
                return None
            return Opened(customer, conversation, message)

    def _seen(self, session: Session, platform: str, message_id: str) -> bool:
        found = session.exec(
            select(Message.id).where(Message.platform == platform, Message.platform_message_id == message_id)
        ).first()
        return found is not None

    def remember_delivery(
        self,
        conversation_id: int,
        platform: str,
        message_id: str,
        author: str,
        author_id: str,
        text: str,
        direction: str = "inbound",
    ) -> Message | None:
        """Store a message that is not a customer turn (agent messages, button presses); None if seen before."""
        with self.session() as session:
            if self._seen(session, platform, message_id):
                return None
            return self._store(session, conversation_id, platform, text, author, author_id, direction, message_id)

    def say(
        self,
        conversation_id: int,
        platform: str,
        text: str,
        author: str = "bot",
        author_id: str | None = None,
        direction: str = "outbound",
    ) -> None:
        """Store something the bot or an agent said (no platform id: outbound messages are ours)."""
        with self.session() as session:
            self._store(session, conversation_id, platform, text, author, author_id, direction, None)

    @staticmethod
    def _store(
        session: Session,
        conversation_id: int,
        platform: str,
        text: str,
        author: str,
        author_id: str | None,
        direction: str,
        message_id: str | None,
    ) -> Message | None:
        message = Message(
            conversation_id=conversation_id,
            platform=platform,
            platform_message_id=message_id,
            direction=direction,
            author=author,
            author_id=author_id,
            text=text,
        )
        session.add(message)
        return message if _commit_unique(session) else None

    def conversation(self, conversation_id: int) -> Conversation | None:
        with self.session() as session:
            return session.get(Conversation, conversation_id)

    def customer(self, customer_id: int) -> Customer | None:
        with self.session() as session:
            return session.get(Customer, customer_id)

    def update_conversation(self, conversation_id: int, **changes: object) -> Conversation:
        with self.session() as session:
            conversation = session.get(Conversation, conversation_id)
            assert conversation is not None
            for name, value in changes.items():
                setattr(conversation, name, value)
            conversation.updated_at = utcnow()
            session.add(conversation)
            session.commit()
            return conversation

    def history(self, conversation_id: int, before_message_id: int | None = None) -> tuple[PastTurn, ...]:
        """Customer turns (before the given message, or all) with the bot's decision on each, oldest first."""
        query = (
            select(Message, Decision)
            .join(Decision, col(Decision.message_id) == Message.id, isouter=True)
            .where(Message.conversation_id == conversation_id, Message.author == "customer")
        )
        if before_message_id is not None:
            query = query.where(col(Message.id) < before_message_id)
        with self.session() as session:
            rows = session.exec(query.order_by(col(Message.id))).all()
        return tuple(
            PastTurn(
                m.text,
                d.intent if d else "",
                d.sentiment if d else None,
                d.outcome if d else "",
                d.article_id if d else None,
                clicked=m.direction == CLICK,
            )
            for m, d in rows
        )

    def transcript(self, conversation_id: int, limit: int = 50) -> list[Message]:
        """The last messages the customer and the bot or agents exchanged (no internal notes)."""
        with self.session() as session:
            rows = session.exec(
                select(Message)
                .where(Message.conversation_id == conversation_id, Message.direction != "internal")
                .order_by(col(Message.id).desc())
                .limit(limit)
            ).all()
        return list(reversed(rows))

    def record_decision(self, decision: Decision) -> Decision:
        with self.session() as session:
            session.add(decision)
            session.commit()
            return decision

    def customer_record(self, customer_id: int, excluding_conversation: int) -> CustomerRecord:
        with self.session() as session:
            conversations = [
                c.id
                for c in session.exec(select(Conversation).where(Conversation.customer_id == customer_id)).all()
                if c.id != excluding_conversation
            ]
            tickets = (
                session.exec(
                    select(Ticket).where(col(Ticket.conversation_id).in_(conversations)).order_by(col(Ticket.id).desc())
                ).all()
                if conversations
                else []
            )
            average = (
                session.exec(
                    select(func.avg(CsatRating.rating)).where(col(CsatRating.conversation_id).in_(conversations))
                ).first()
                if conversations
                else None
            )
        return CustomerRecord(
            past_tickets=len(tickets),
            recent_intents=tuple(t.intent or "unknown" for t in tickets[:3]),
            csat_average=round(float(average), 2) if average is not None else None,
            conversations=len(conversations),
        )

    # Tickets and drafts ---------------------------------------------------------------------------

    def add(self, row: Ticket | Draft | CsatRating | AuditEntry) -> Ticket | Draft | CsatRating | AuditEntry:
        with self.session() as session:
            session.add(row)
            session.commit()
            return row

    def open_ticket(self, conversation_id: int) -> Ticket | None:
        with self.session() as session:
            return session.exec(
                select(Ticket).where(Ticket.conversation_id == conversation_id, col(Ticket.status).in_(OPEN_TICKET))
            ).first()

    def ticket(self, ticket_id: int | None = None, agent_thread_id: str | None = None) -> Ticket | None:
        with self.session() as session:
            if ticket_id is not None:
                return session.get(Ticket, ticket_id)
            return session.exec(select(Ticket).where(Ticket.agent_thread_id == agent_thread_id)).first()

    def update_ticket(self, ticket_id: int, **changes: object) -> Ticket:
        with self.session() as session:
            ticket = session.get(Ticket, ticket_id)
            assert ticket is not None
            for name, value in changes.items():
                setattr(ticket, name, value)
            session.add(ticket)
            session.commit()
            return ticket

    def claim_ticket(self, ticket_id: int, agent_key: str) -> tuple[Ticket | None, str | None]:
        """Atomically claim an open ticket; returns (ticket, holder) where holder is who has it if not us."""
        with self.session() as session:
            query = select(Ticket).where(Ticket.id == ticket_id).with_for_update()
            ticket = session.exec(query).first()
            if ticket is None:
                return None, None
            if ticket.status == "claimed" and ticket.assigned_agent != agent_key:
                return ticket, ticket.assigned_agent
            if ticket.status not in OPEN_TICKET:
                return ticket, None
            ticket.status, ticket.assigned_agent = "claimed", agent_key
            session.add(ticket)
            session.commit()
            return ticket, None

    def open_tickets(self) -> list[Ticket]:
        with self.session() as session:
            return list(session.exec(select(Ticket).where(col(Ticket.status).in_(OPEN_TICKET)).order_by(col(Ticket.id))).all())

    def draft(self, draft_id: int) -> Draft | None:
        with self.session() as session:
            return session.get(Draft, draft_id)

    def decide_draft(self, draft_id: int, action: str, final_text: str | None, agent_key: str) -> Draft | None:
        """Record an agent's verdict once; None when the draft was already decided."""
        with self.session() as session:
            draft = session.exec(select(Draft).where(Draft.id == draft_id).with_for_update()).first()
            if draft is None or draft.action != "pending":
                return None
            draft.action, draft.final_text, draft.agent_id, draft.decided_at = action, final_text, agent_key, utcnow()
            session.add(draft)
            session.commit()
            return draft

    def pending_drafts(self, conversation_id: int | None = None) -> list[Draft]:
        with self.session() as session:
            query = select(Draft).where(Draft.action == "pending")
            if conversation_id is not None:
                query = query.where(Draft.conversation_id == conversation_id)
            return list(session.exec(query.order_by(col(Draft.id))).all())

    def rate(self, conversation_id: int, rating: int, interaction_type: str) -> bool:
        """Store the conversation's CSAT rating; False when it was already rated."""
        with self.session() as session:
            session.add(CsatRating(conversation_id=conversation_id, rating=rating, interaction_type=interaction_type))
            return _commit_unique(session)

    # Runtime settings -----------------------------------------------------------------------------

    def settings(self) -> dict[str, str]:
        with self.session() as session:
            return {s.key: s.value for s in session.exec(select(RuntimeSetting)).all()}

    def set_setting(self, key: str, value: str, by: str) -> None:
        with self.session() as session:
            setting = session.get(RuntimeSetting, key) or RuntimeSetting(key=key, value=value, updated_by=by)
            setting.value, setting.updated_by, setting.updated_at = value, by, utcnow()
            session.add(setting)
            session.commit()


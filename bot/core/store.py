"""The conversation record: the reads the core makes, the stored inbound turn, the outbox, and the
one-transaction-per-decision entry point (`transaction`, see bot.core.work).

Methods are synchronous SQLModel code; the async core calls them through `asyncio.to_thread` so the
event loop never waits on the database. Objects come back detached (no lazy loading surprises).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal, TypeVar

from sqlalchemy import Engine, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.core.events import CustomerProfile, Person, Place
from bot.core.lease_records import LeaseRecords
from bot.core.outbox import Outgoing
from bot.core.outbox_records import OutboxRecords
from bot.core.settings_records import SettingsRecords
from bot.core.states import ENDED, GOES_QUIET, OPEN_TICKET, ConversationState, DraftState
from bot.core.turn import PastTurn
from bot.core.work import Work
from bot.storage.tables import (
    AuditEntry,
    Conversation,
    CsatRating,
    Customer,
    Decision,
    Draft,
    Message,
    Ticket,
    aware,
    utcnow,
)

CLICK = "click"  # Message.direction of a customer's button press
R = TypeVar("R")
TurnState = Literal["new", "received", "decided", "done"]


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
    state: TurnState  # new, or how far an earlier delivery of the same message got


@dataclass(frozen=True)
class CustomerRecord:
    past_tickets: int
    recent_intents: tuple[str, ...]
    csat_average: float | None
    conversations: int


class ConversationStore(OutboxRecords, SettingsRecords, LeaseRecords):
    def __init__(self, engine: Engine, idle_close: dt.timedelta = dt.timedelta(hours=24)) -> None:
        self.engine = engine
        self.idle_close = idle_close  # a conversation the bot has, silent this long, ends; the next message starts anew

    def transaction(self, write: Callable[[Work], R], inbound_id: int | None = None) -> tuple[R, list[Outgoing]]:
        """Run `write` in one transaction; commit its rows and queued events together, or nothing."""
        with self.session() as session:
            work = Work(session, inbound_id)
            try:
                result = write(work)
                outgoing = work.finish()
                session.commit()
            except BaseException:
                session.rollback()
                raise
            return result, outgoing

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
        """The customer's live conversation in this place, or a new one linked to the one before it.

        A conversation the bot had that went quiet for `idle_close` is closed first (through the state
        machine), so months-old turns never feed today's repeat and sentiment signals."""
        latest = session.exec(
            select(Conversation)
            .where(
                Conversation.customer_id == customer.id,
                Conversation.platform == place.platform,
                Conversation.channel_id == place.channel_id,
                Conversation.thread_id == place.thread_id if place.thread_id else col(Conversation.thread_id).is_(None),
            )
            .order_by(col(Conversation.id).desc())
        ).first()
        quiet = latest is not None and utcnow() - aware(latest.updated_at) > self.idle_close
        if latest is not None and quiet and latest.status == ConversationState.BOT:
            assert latest.id is not None
            Work(session).move(Conversation, latest.id, GOES_QUIET)
            session.refresh(latest)
        if latest is not None and latest.status not in ENDED:
            return latest
        assert customer.id is not None
        conversation = Conversation(
            customer_id=customer.id,
            platform=place.platform,
            channel_id=place.channel_id,
            thread_id=place.thread_id,
            previous_id=latest.id if latest is not None else None,
        )
        session.add(conversation)
        session.flush()
        return conversation

    def open_turn(self, message_id: str, person: Person, place: Place, text: str, profile: CustomerProfile | None) -> Opened:
        """Store an inbound customer message (state `received`). A re-delivery returns the stored turn
        with how far it got, so an unfinished one runs again and a finished one is ignored."""
        with self.session() as session:
            earlier = self._turn(session, person.platform, message_id)
            if earlier is not None:
                return earlier
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
                state="received",
            )
            conversation.updated_at = utcnow()
            session.add_all([message, conversation])
            if not _commit_unique(session):  # the same delivery raced in from another worker
                raced = self._turn(session, person.platform, message_id)
                assert raced is not None
                return raced
            return Opened(customer, conversation, message, "new")

    def _turn(self, session: Session, platform: str, message_id: str) -> Opened | None:
        message = session.exec(
            select(Message).where(Message.platform == platform, Message.platform_message_id == message_id)
        ).first()
        if message is None:
            return None
        conversation = session.get(Conversation, message.conversation_id)
        assert conversation is not None
        customer = session.get(Customer, conversation.customer_id)
        assert customer is not None
        return Opened(customer, conversation, message, message.state)  # type: ignore[arg-type]

    def move_turn(self, message_id: int, customer: Customer, place: Place) -> Conversation:
        """Move a stored turn into a fresh conversation (its old one ended while it was on its way)."""
        with self.session() as session:
            conversation = self._open_conversation(session, customer, place)
            session.execute(update(Message).where(col(Message.id) == message_id).values(conversation_id=conversation.id))
            session.commit()
            return conversation

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
                signals=json.loads(d.signals) if d and d.signals else {},
                message_id=m.id,
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

    def previous(self, conversation: Conversation) -> Conversation | None:
        if conversation.previous_id is None:
            return None
        with self.session() as session:
            return session.get(Conversation, conversation.previous_id)

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

    def add(self, row: AuditEntry) -> AuditEntry:
        with self.session() as session:
            session.add(row)
            session.commit()
            return row

    def ticket(self, ticket_id: int) -> Ticket | None:
        with self.session() as session:
            return session.get(Ticket, ticket_id)

    def ticket_in_thread(self, agent_thread_id: str) -> Ticket | None:
        """The ticket whose card started this thread in the agents' room (thread ids are unique per platform)."""
        if "\x00" in agent_thread_id:  # no stored id has one, and PostgreSQL refuses it in a query
            return None
        with self.session() as session:
            return session.exec(select(Ticket).where(Ticket.agent_thread_id == agent_thread_id)).first()

    def open_tickets(self) -> list[Ticket]:
        with self.session() as session:
            return list(session.exec(select(Ticket).where(col(Ticket.status).in_(OPEN_TICKET)).order_by(col(Ticket.id))).all())

    def draft(self, draft_id: int) -> Draft | None:
        with self.session() as session:
            return session.get(Draft, draft_id)

    def pending_drafts(self, conversation_id: int | None = None) -> list[Draft]:
        with self.session() as session:
            query = select(Draft).where(Draft.action == DraftState.PENDING)
            if conversation_id is not None:
                query = query.where(Draft.conversation_id == conversation_id)
            return list(session.exec(query.order_by(col(Draft.id))).all())

    def rate(self, conversation_id: int, rating: int, interaction_type: str) -> bool:
        """Store the conversation's CSAT rating; False when it was already rated."""
        with self.session() as session:
            session.add(CsatRating(conversation_id=conversation_id, rating=rating, interaction_type=interaction_type))
            return _commit_unique(session)

    def decision_of(self, platform: str, message_id: str) -> Decision | None:
        """What the bot decided on the message the platform knows by this id (benchmarks, replays)."""
        with self.session() as session:
            return session.exec(
                select(Decision)
                .join(Message, col(Decision.message_id) == Message.id)
                .where(Message.platform == platform, Message.platform_message_id == message_id)
            ).first()

    def message_by_platform_id(self, platform: str, message_id: str) -> Message | None:
        with self.session() as session:
            return session.exec(
                select(Message).where(Message.platform == platform, Message.platform_message_id == message_id)
            ).first()

    def message(self, message_id: int) -> Message | None:
        with self.session() as session:
            return session.get(Message, message_id)

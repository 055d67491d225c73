"""One transaction per decision: state moves, rows, and the outbound events they produce.

A handler reads what it needs first, then hands a function to `SupportBot.commit`, which runs it with
a `Work` in one database transaction: either the decision, its ticket, its card and every reply are
all written (the replies as pending outbox items), or none are. A `Conflict` from a move rolls back.
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

from sqlalchemy import update
from sqlmodel import Session, SQLModel, col, select

from bot.core import outbox
from bot.core.events import AgentCard, Button, CustomerReply, DraftCard, OutboundEvent, Place, RatingRequest, RetireButtons
from bot.core.outbox import Outgoing
from bot.core.outbox_records import FIRST_LEASE
from bot.core.states import Conflict, Move
from bot.core.text import Rich, rich
from bot.storage.tables import Conversation, Draft, Message, OutboxItem, Ticket, utcnow

R = TypeVar("R", bound=SQLModel)
STATEFUL: dict[type, str] = {Conversation: "status", Ticket: "status", Draft: "action"}


def place_of(conversation: Conversation) -> Place:
    return Place(conversation.platform, conversation.channel_id, conversation.thread_id)


class Work:
    def __init__(self, session: Session, inbound_id: int | None = None) -> None:
        self.session = session
        self.inbound_id = inbound_id
        self._queued: list[tuple[OutboundEvent, OutboxItem]] = []

    # State ----------------------------------------------------------------------------------------

    def move(self, table: type[Conversation | Ticket | Draft], row_id: int, move: Move, **changes: object) -> None:
        """Compare-and-set: apply `move` (and `changes`) only if the row is in one of its source states.

        One UPDATE in the usual case; the row is read only to say why a move was refused."""
        column = getattr(table, STATEFUL[table])
        values: dict[str, object] = dict(changes)
        if move.target is not None:
            values[STATEFUL[table]] = move.target
        if table is Conversation:
            values["updated_at"] = utcnow()
        if not values:
            values[STATEFUL[table]] = column  # assert the state only: set it to itself
        result = self.session.execute(
            update(table).where(col(table.id) == row_id, col(column).in_(move.sources)).values(**values)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            current = self.session.exec(select(column).where(table.id == row_id)).first()
            raise Conflict(table.__tablename__, row_id, move, current)  # type: ignore[arg-type]

    def add(self, row: R) -> R:
        self.session.add(row)
        self.session.flush()
        return row

    def get(self, table: type[R], row_id: int) -> R | None:
        return self.session.get(table, row_id, populate_existing=True)

    # What people see -------------------------------------------------------------------------------

    def send(
        self,
        event: OutboundEvent,
        conversation_id: int | None = None,
        ticket_id: int | None = None,
        draft_id: int | None = None,
    ) -> OutboundEvent:
        buttons = getattr(event, "buttons", ())
        item = OutboxItem(
            conversation_id=conversation_id,
            inbound_id=self.inbound_id,
            kind=type(event).__name__,
            payload=outbox.encode(event),
            side=outbox.side(event),
            live_buttons=bool(buttons),
            ticket_id=ticket_id,
            draft_id=draft_id,
            lease_until=utcnow() + FIRST_LEASE,
        )
        self._queued.append((event, item))
        return event

    def store_message(self, conversation: Conversation, text: str, author: str, author_id: str | None, direction: str) -> Message:
        assert conversation.id is not None
        message = Message(
            conversation_id=conversation.id,
            platform=conversation.platform,
            direction=direction,
            author=author,
            author_id=author_id,
            text=text,
        )
        return self.add(message)

    def say(
        self,
        conversation: Conversation,
        text: Rich | str,
        kind: str,
        buttons: tuple[Button, ...] = (),
        author: str | None = None,
        author_id: str | None = None,
    ) -> CustomerReply:
        """A message to the customer: stored in the transcript and queued for sending. New buttons
        retire the ones offered before, so only the latest question or answer can be acted on."""
        assert conversation.id is not None
        body = rich(text)
        if buttons:
            self.retire_customer_buttons(conversation)
        self.store_message(conversation, str(body), "agent" if author else "bot", author_id, "outbound")
        reply = CustomerReply(place_of(conversation), body, kind, buttons, author)  # type: ignore[arg-type]
        self.send(reply, conversation.id)
        return reply

    def ask_rating(self, conversation: Conversation, text: str, buttons: tuple[Button, ...]) -> RatingRequest:
        assert conversation.id is not None
        self.retire_customer_buttons(conversation)
        self.store_message(conversation, text, "bot", None, "outbound")
        request = RatingRequest(place_of(conversation), conversation.id, rich(text), buttons)
        self.send(request, conversation.id)
        return request

    def note(self, conversation: Conversation, text: str, author: str, author_id: str | None) -> Message:
        """An internal line in the conversation record (agent actions, drafts): never shown to the customer."""
        return self.store_message(conversation, text, author, author_id, "internal")

    # Stale buttons ---------------------------------------------------------------------------------

    def _retire(self, note: str, place: Place | None, **match: object) -> None:
        """Retire live buttons on outbox items whose columns equal `match` (posted ones get an edit)."""
        clauses = [getattr(OutboxItem, name) == value for name, value in match.items()]
        items = self.session.exec(select(OutboxItem).where(col(OutboxItem.live_buttons).is_(True), *clauses)).all()
        for item in items:
            item.live_buttons = False
            self.session.add(item)
            if item.platform_ref:
                original = outbox.decode(item.payload)
                assert isinstance(original, CustomerReply | RatingRequest | AgentCard | DraftCard)
                self.send(RetireButtons(item.platform_ref, rich(note), place, original), item.conversation_id)
        for i, (event, queued) in enumerate(self._queued):  # offered earlier in this transaction: never post them
            if queued.live_buttons and all(getattr(queued, name) == value for name, value in match.items()):
                assert isinstance(event, CustomerReply | RatingRequest | AgentCard | DraftCard)
                stripped = dataclasses.replace(event, buttons=())
                queued.live_buttons, queued.payload = False, outbox.encode(stripped)
                self._queued[i] = (stripped, queued)

    def retire_customer_buttons(self, conversation: Conversation, note: str = "") -> None:
        self._retire(note, place_of(conversation), conversation_id=conversation.id, side="customer")

    def retire_ticket_buttons(self, ticket_id: int, note: str) -> None:
        self._retire(note, None, ticket_id=ticket_id)

    def update_card(self, ticket_id: int, note: str, keep: tuple[Button, ...]) -> None:
        """A ticket card changed state but still acts (claimed): show who has it, keep the buttons that apply."""
        cards = self.session.exec(
            select(OutboxItem).where(
                OutboxItem.ticket_id == ticket_id, OutboxItem.kind == "AgentCard", col(OutboxItem.live_buttons).is_(True)
            )
        ).all()
        for item in cards:
            if item.platform_ref:
                original = outbox.decode(item.payload)
                assert isinstance(original, AgentCard)
                self.send(RetireButtons(item.platform_ref, rich(note), None, original, keep), item.conversation_id)

    def retire_draft_buttons(self, draft_id: int, note: str) -> None:
        self._retire(note, None, draft_id=draft_id)

    # Commit ----------------------------------------------------------------------------------------

    def finish(self) -> list[Outgoing]:
        """Write the queued events to the outbox and mark the inbound turn decided."""
        for _, item in self._queued:
            self.session.add(item)
        self.session.flush()
        if self.inbound_id is not None:
            self.session.execute(update(Message).where(col(Message.id) == self.inbound_id).values(state="decided"))
        return [Outgoing(event, item.id, item.inbound_id, item.conversation_id) for event, item in self._queued]

"""The outbox: outbound events waiting for the adapter's confirmation, and inbound turns a crash left
undecided. A mixin of `ConversationStore` (it only needs `session()`).
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.core.events import AgentCard
from bot.core.outbox import Outgoing, decode
from bot.storage.tables import Message, OutboxItem, Ticket, utcnow


class OutboxRecords:
    def session(self) -> AbstractContextManager[Session]:
        raise NotImplementedError

    def pending(self, inbound_id: int | None = None) -> list[Outgoing]:
        """Outbound events not yet confirmed sent (for one inbound turn, or all), oldest first."""
        with self.session() as session:
            query = select(OutboxItem).where(OutboxItem.status == "pending")
            if inbound_id is not None:
                query = query.where(OutboxItem.inbound_id == inbound_id)
            items = session.exec(query.order_by(col(OutboxItem.id))).all()
        return [Outgoing(decode(item.payload), item.id, item.inbound_id) for item in items]

    def mark_sent(self, confirmed: list[tuple[Outgoing, str | None]]) -> None:
        """Confirm sends (with what the adapter posted) in one transaction; a ticket card's reference is
        the thread agents reply in, and an inbound turn with nothing left pending is done."""
        now = utcnow()
        with self.session() as session:
            for item, ref in confirmed:
                session.execute(
                    update(OutboxItem)
                    .where(col(OutboxItem.id) == item.outbox_id)
                    .values(status="sent", platform_ref=ref, sent_at=now, attempts=OutboxItem.attempts + 1)
                )
                if isinstance(item.event, AgentCard) and ref:
                    session.execute(update(Ticket).where(col(Ticket.id) == item.event.ticket_id).values(agent_thread_id=ref))
            for inbound_id in {item.inbound_id for item, _ in confirmed if item.inbound_id is not None}:
                pending = select(OutboxItem.id).where(OutboxItem.inbound_id == inbound_id, OutboxItem.status == "pending")
                session.execute(update(Message).where(col(Message.id) == inbound_id, ~pending.exists()).values(state="done"))
            session.commit()

    def mark_failed(self, outbox_id: int) -> None:
        with self.session() as session:
            session.execute(update(OutboxItem).where(col(OutboxItem.id) == outbox_id).values(attempts=OutboxItem.attempts + 1))
            session.commit()

    def unfinished_turns(self, older_than: dt.timedelta) -> list[int]:
        """Customer turns stored but never decided (the process died on them), for recovery on start."""
        cutoff = utcnow() - older_than
        with self.session() as session:
            rows = session.exec(
                select(Message.id).where(
                    Message.state == "received", Message.author == "customer", col(Message.created_at) < cutoff
                )
            ).all()
        return [r for r in rows if r is not None]

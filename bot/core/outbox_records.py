"""The outbox: outbound events waiting for the adapter's confirmation, and inbound turns a crash left
undecided. A mixin of `ConversationStore` (it only needs `session()`).

Several processes may share the outbox. Each item carries a lease: the process that wrote it sends it
first; once the lease runs out (that process died, or the send failed and its back-off passed) any
process may claim it, by moving the lease forward in one conditional UPDATE that only one can win.
A send that keeps failing ends `failed` after `MAX_ATTEMPTS`, for the agents and `/status` to see.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager

from sqlalchemy import ColumnElement, func, or_, update
from sqlmodel import Session, col, select

from bot.core.events import AgentCard
from bot.core.outbox import Outgoing, decode
from bot.storage.tables import Message, OutboxItem, Ticket, aware, utcnow

FIRST_LEASE = dt.timedelta(seconds=30)  # the writer's own first attempt; then anyone's retry loop may take it
CLAIM_LEASE = dt.timedelta(seconds=30)  # a claimed item is someone's for this long
MAX_ATTEMPTS = 8  # with the back-off below: about ten minutes of trying before a send is given up


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try: none after the first failure (a re-delivery may send at once), then
    5 s doubling to 5 minutes."""
    return dt.timedelta(seconds=0 if attempts <= 1 else min(5 * 2 ** (attempts - 2), 300))


def _lease_over(now: dt.datetime) -> ColumnElement[bool]:
    return or_(col(OutboxItem.lease_until).is_(None), col(OutboxItem.lease_until) <= now)


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
        return [Outgoing(decode(item.payload), item.id, item.inbound_id, item.conversation_id) for item in items]

    def claim_due(self, now: dt.datetime | None = None, inbound_id: int | None = None, limit: int = 200) -> list[Outgoing]:
        """Claim pending items whose lease ran out (for one inbound turn, or all), oldest first. An item
        waits while an older one of its conversation is still pending and not claimable: the customer
        reads them in order."""
        now = now or utcnow()
        with self.session() as session:
            query = select(OutboxItem).where(OutboxItem.status == "pending")
            if inbound_id is not None:
                query = query.where(OutboxItem.inbound_id == inbound_id)
            items = session.exec(query.order_by(col(OutboxItem.id)).limit(limit)).all()
            blocked: set[int | None] = set()
            claimed: list[Outgoing] = []
            for item in items:
                due = item.lease_until is None or aware(item.lease_until) <= now
                if not due or item.conversation_id in blocked:
                    if item.conversation_id is not None:
                        blocked.add(item.conversation_id)
                    continue
                taken = session.execute(
                    update(OutboxItem)
                    .where(col(OutboxItem.id) == item.id, col(OutboxItem.status) == "pending", _lease_over(now))
                    .values(lease_until=now + CLAIM_LEASE)
                )
                if taken.rowcount == 1:  # type: ignore[attr-defined]
                    claimed.append(Outgoing(decode(item.payload), item.id, item.inbound_id, item.conversation_id))
                elif item.conversation_id is not None:
                    blocked.add(item.conversation_id)
            session.commit()
        return claimed

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

    def release(self, outbox_ids: list[int], now: dt.datetime | None = None) -> None:
        """Give claimed items back untried (an earlier one of their conversation failed): due at once,
        and still behind the failed one."""
        with self.session() as session:
            session.execute(update(OutboxItem).where(col(OutboxItem.id).in_(outbox_ids)).values(lease_until=now or utcnow()))
            session.commit()

    def mark_failed(self, outbox_id: int, error: str, now: dt.datetime | None = None) -> bool:
        """Count a failed send and schedule the next try; True when that was the last one (now `failed`)."""
        now = now or utcnow()
        with self.session() as session:
            item = session.get(OutboxItem, outbox_id)
            if item is None or item.status != "pending":
                return False
            item.attempts += 1
            item.last_error = error[:200]
            item.lease_until = now + backoff(item.attempts)
            if item.attempts >= MAX_ATTEMPTS:
                item.status = "failed"
            session.add(item)
            session.commit()
            return item.status == "failed"

    def outbox_health(self, limit: int = 5) -> tuple[dict[str, int], list[OutboxItem]]:
        """How many items are pending and failed, and the latest sends that were given up."""
        with self.session() as session:
            rows = session.exec(
                select(OutboxItem.status, func.count()).where(col(OutboxItem.status) != "sent").group_by(OutboxItem.status)
            ).all()
            latest = session.exec(
                select(OutboxItem).where(OutboxItem.status == "failed").order_by(col(OutboxItem.id).desc()).limit(limit)
            ).all()
        return {"pending": 0, "failed": 0, **{status: int(n) for status, n in rows}}, list(latest)

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

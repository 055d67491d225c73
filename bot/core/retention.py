"""Retention: conversation text older than N days is blanked, while the rows that `/stats` counts stay.

The bot process runs `purge_older_than` on a schedule when `SUPPORTBOT_RETENTION_DAYS` is set, and
`supportbot purge` runs it by hand. Rows keep their ids, states, intents, outcomes and times, so
decision, ticket, draft, rating and gap counts are unchanged; only what people wrote goes. Copies
that exist only for their text go whole: confirmed examples (they would teach the model "[erased]")
and outbox items (a delivery queue, never counted; a stale pending one must not be sent later).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, case, delete, update
from sqlalchemy.sql.dml import Delete, Update
from sqlmodel import Session, col, select

from bot.storage.tables import ConfirmedExample, Draft, Message, OutboxItem, Ticket, utcnow
from knowledge.gaps import KnowledgeGap

ERASED = "[erased]"  # what erased text reads as, everywhere


@dataclass(frozen=True)
class PurgeCounts:
    """How many rows had their text blanked (or, for examples and outbox items, were deleted)."""

    messages: int = 0
    tickets: int = 0
    drafts: int = 0
    gaps: int = 0
    examples: int = 0
    outbox: int = 0

    @property
    def total(self) -> int:
        return self.messages + self.tickets + self.drafts + self.gaps + self.examples + self.outbox

    def describe(self) -> str:
        return (
            f"{self.messages} messages, {self.tickets} tickets, {self.drafts} drafts and {self.gaps} knowledge gaps "
            f"blanked; {self.examples} confirmed examples and {self.outbox} outbox items deleted"
        )


def changed(session: Session, statement: Update | Delete) -> int:
    """Run an UPDATE or DELETE; how many rows it touched."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount


def erase_ticket_text() -> dict[str, Any]:
    """The values that blank a ticket's reason (it can quote the customer) and its handoff summary."""
    return {"reason": ERASED, "summary": case((col(Ticket.summary) == "", ""), else_=ERASED)}


def erase_draft_text() -> dict[str, Any]:
    return {"ai_text": ERASED, "final_text": case((col(Draft.final_text).is_(None), None), else_=ERASED)}


def purge_older_than(engine: Engine, days: int, now: dt.datetime | None = None) -> PurgeCounts:
    """Blank conversation text created more than `days` ago, in one transaction; running it again
    changes nothing more. Old turns are marked done so a restart never replays an erased one."""
    if days < 1:
        raise ValueError(f"retention must be at least 1 day, not {days}")
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    with Session(engine) as session:
        old_messages = select(Message.id).where(col(Message.created_at) < cutoff)
        counts = PurgeCounts(
            messages=changed(
                session,
                update(Message)
                .where(col(Message.created_at) < cutoff, col(Message.text) != ERASED)
                .values(text=ERASED, state="done"),
            ),
            tickets=changed(
                session,
                update(Ticket).where(col(Ticket.created_at) < cutoff, col(Ticket.reason) != ERASED).values(**erase_ticket_text()),
            ),
            drafts=changed(
                session,
                update(Draft).where(col(Draft.created_at) < cutoff, col(Draft.ai_text) != ERASED).values(**erase_draft_text()),
            ),
            gaps=changed(
                session,
                update(KnowledgeGap)
                .where(col(KnowledgeGap.created_at) < cutoff, col(KnowledgeGap.text) != ERASED)
                .values(text=ERASED),
            ),
            examples=changed(
                session,
                delete(ConfirmedExample).where(
                    (col(ConfirmedExample.created_at) < cutoff) | col(ConfirmedExample.message_id).in_(old_messages)
                ),
            ),
            outbox=changed(session, delete(OutboxItem).where(col(OutboxItem.created_at) < cutoff)),
        )
        session.commit()
    return counts

"""Receipts for inbound events and leases for scheduled jobs: what lets several bot processes share one
database without doing anything twice. A mixin of `ConversationStore` (it only needs `session()`).
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.storage.tables import InboundReceipt, JobLease, utcnow


class LeaseRecords:
    def session(self) -> AbstractContextManager[Session]:
        raise NotImplementedError

    # Inbound receipts ------------------------------------------------------------------------------

    def begin_receipt(self, platform: str, event_id: str) -> bool:
        """True when this event should be handled: it is new, or a process took it on and died (the
        caller holds the event's lock, so nobody else is on it now). False: handled already."""
        with self.session() as session:
            found = session.exec(
                select(InboundReceipt.state).where(InboundReceipt.platform == platform, InboundReceipt.event_id == event_id)
            ).first()
            if found is not None:
                return found != "done"
            session.add(InboundReceipt(platform=platform, event_id=event_id))
            try:
                session.commit()
            except IntegrityError:  # taken on a moment ago by another process without the same lock key
                return False
            return True

    def finish_receipt(self, platform: str, event_id: str) -> None:
        with self.session() as session:
            session.execute(
                update(InboundReceipt)
                .where(col(InboundReceipt.platform) == platform, col(InboundReceipt.event_id) == event_id)
                .values(state="done")
            )
            session.commit()

    # Job leases ------------------------------------------------------------------------------------

    def take_job(self, name: str, holder: str, every: dt.timedelta, now: dt.datetime | None = None) -> bool:
        """Take a scheduled job if it is due, and make it due again `every` later. One conditional
        UPDATE (or the first INSERT): of several processes asking at once, exactly one gets True."""
        now = now or utcnow()
        with self.session() as session:
            moved = session.execute(
                update(JobLease)
                .where(col(JobLease.name) == name, col(JobLease.due_at) <= now)
                .values(holder=holder[:100], due_at=now + every, last_run_at=now)
            )
            if moved.rowcount == 1:  # type: ignore[attr-defined]
                session.commit()
                return True
            if session.get(JobLease, name) is not None:
                return False
            session.add(JobLease(name=name, holder=holder[:100], due_at=now + every, last_run_at=now))
            try:
                session.commit()
            except IntegrityError:
                return False
            return True

    def job(self, name: str) -> JobLease | None:
        with self.session() as session:
            return session.get(JobLease, name)

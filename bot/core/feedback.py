"""Confirmed examples: what people confirm about the customer's words during daily work.

A customer picking an article from a clarifying choice, an agent approving or editing a draft, an
agent labelling a ticket: each one pairs a customer message with the intent (and article) a person
confirmed. Rejected drafts are kept too, as "rejected", for review. `supportbot train --with-feedback`
adds the confirmed ones to the training data; `supportbot feedback export` writes them all as CSV.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from bot.storage.tables import ConfirmedExample, Message, Ticket

SOURCES = ("customer_choice", "draft_approved", "draft_edited", "draft_rejected", "agent_label")
MAX_TEXT = 4000  # what the classifier reads of a message; the full text stays in the message table


def record(
    session: Session,
    message_id: int,
    source: str,
    intent: str | None,
    article_id: str | None = None,
    confirmed_by: str | None = None,
    verdict: str = "confirmed",
) -> ConfirmedExample | None:
    """Pair the stored customer message with what was confirmed (a later label by the same source
    replaces the earlier one). None when the message is not a customer's."""
    if source not in SOURCES:
        raise ValueError(f"unknown feedback source '{source}'")
    message = session.get(Message, message_id)
    if message is None or message.author != "customer":
        return None
    row = session.exec(
        select(ConfirmedExample).where(ConfirmedExample.message_id == message_id, ConfirmedExample.source == source)
    ).first()
    if row is None:
        row = ConfirmedExample(
            conversation_id=message.conversation_id, message_id=message_id, text=message.text[:MAX_TEXT], source=source
        )
    row.intent, row.article_id, row.confirmed_by, row.verdict = intent, article_id, confirmed_by, verdict
    session.add(row)
    return row


def confirmed(session: Session, include_rejected: bool = False) -> Sequence[ConfirmedExample]:
    query = select(ConfirmedExample).order_by(col(ConfirmedExample.id))
    if not include_rejected:
        query = query.where(ConfirmedExample.verdict == "confirmed")
    return session.exec(query).all()


def ticket_question(session: Session, ticket: Ticket) -> Message | None:
    """The customer's last typed message before the ticket was opened: what an agent's label is about."""
    return session.exec(
        select(Message)
        .where(
            Message.conversation_id == ticket.conversation_id,
            Message.author == "customer",
            Message.direction == "inbound",
            col(Message.created_at) <= ticket.created_at,
        )
        .order_by(col(Message.id).desc())
    ).first()


def count(session: Session) -> int:
    return len(session.exec(select(ConfirmedExample.id).where(ConfirmedExample.verdict == "confirmed")).all())

"""Customer-data requests: find a customer, export everything stored about them, or forget them.

Forgetting keeps every row that `/stats` counts (conversations, decisions, tickets, drafts, ratings,
gaps) and blanks what is personal in it, so the figures stay true; the customer row keeps its id but
loses its profile, and its platform id becomes `forgotten-<id>`, so the same person writing again
starts as a new customer. Messages already posted on Slack or Discord are the platform's copy: the
operator deletes those there. Retention (`purge_older_than`) is the same blanking by age.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, func, or_, update
from sqlmodel import Session, SQLModel, col, select

from bot.core.retention import ERASED, PurgeCounts, changed, erase_draft_text, erase_ticket_text, purge_older_than
from bot.core.states import OPEN_TICKET, WITH_HUMAN, ConversationState, DraftState, TicketState
from bot.storage.tables import (
    AuditEntry,
    ConfirmedExample,
    Conversation,
    CsatRating,
    Customer,
    Decision,
    Draft,
    Message,
    OutboxItem,
    Ticket,
    aware,
    utcnow,
)
from knowledge.gaps import KnowledgeGap

__all__ = ["ERASED", "ForgetResult", "PurgeCounts", "export", "find_customers", "forget", "purge_older_than"]

PLATFORM = re.compile(r"[a-z][a-z0-9_-]{0,15}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
FORMS = (
    "Give a platform key (slack:U0123ABCD, discord:80351110224678912, console:alice) "
    "or the customer's e-mail address (ana@acme.com)."
)


class CustomerDataError(Exception):
    """A customer argument that names nobody, or that is not a form we look customers up by."""


class UnknownCustomer(CustomerDataError):
    pass


class InvalidCustomer(CustomerDataError):
    pass


def _shown(text: str, most: int = 80) -> str:
    text = text.replace("\x00", "")
    return text if len(text) <= most else text[: most - 1] + "…"


def find_customers(session: Session, who: str) -> list[Customer]:
    """The customers `who` names: one by platform key, or every platform account with that e-mail
    (compared without case). Raises with what was searched when nobody matches."""
    who = who.strip()
    platform, colon, user_id = who.partition(":")
    if "\x00" in who or len(who) > 320:
        raise InvalidCustomer(f"'{_shown(who)}' is not a customer. {FORMS}")
    if colon and PLATFORM.fullmatch(platform.lower()) and user_id and len(user_id) <= 64:
        found = session.exec(
            select(Customer).where(Customer.platform == platform.lower(), Customer.platform_user_id == user_id)
        ).all()
        searched = f"platform key {platform.lower()}:{user_id}"
    elif EMAIL.fullmatch(who):
        found = session.exec(select(Customer).where(func.lower(Customer.email) == who.lower()).order_by(col(Customer.id))).all()
        searched = f"e-mail {who} (any case)"
    else:
        raise InvalidCustomer(f"'{_shown(who)}' is neither a platform key nor an e-mail address. {FORMS}")
    if not found:
        raise UnknownCustomer(f"No customer with {_shown(searched, 120)}.")
    return list(found)


@dataclass(frozen=True)
class Scope:
    """Who is being exported or forgotten, and the ids their rows hang from."""

    customers: tuple[Customer, ...]
    conversation_ids: tuple[int, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(f"{c.platform}:{c.platform_user_id}" for c in self.customers)

    @property
    def needles(self) -> tuple[str, ...]:
        """Strings that name them in free text (audit arguments, outbox payloads): keys and e-mails."""
        emails = {c.email.lower() for c in self.customers if c.email}
        return (*self.keys, *sorted(emails))

    @property
    def pattern(self) -> re.Pattern[str]:
        words = "|".join(re.escape(n) for n in self.needles)
        return re.compile(rf"(?<![\w.%+-])(?:{words})(?![\w-]|\.\w)", re.IGNORECASE)

    @property
    def gap_ids(self) -> tuple[str, ...]:
        return tuple(str(i) for i in self.conversation_ids)  # the gap log stores conversation ids as text


def _scope(session: Session, who: str) -> Scope:
    customers = tuple(find_customers(session, who))
    ids = [c.id for c in customers]
    conversations = session.exec(
        select(Conversation.id).where(col(Conversation.customer_id).in_(ids)).order_by(col(Conversation.id))
    ).all()
    return Scope(customers, tuple(i for i in conversations if i is not None))


def _mentions(session: Session, table: type[AuditEntry] | type[OutboxItem], columns: Sequence[Any], scope: Scope) -> list[int]:
    """Ids of rows whose text columns name one of them (key or e-mail, any case, as a whole word:
    forgetting console:al leaves console:alice alone)."""
    if not scope.needles:
        return []
    clauses = [func.lower(column).contains(needle.lower(), autoescape=True) for column in columns for needle in scope.needles]
    rows = session.exec(select(table.id, *columns).where(or_(*clauses))).all()
    return [row[0] for row in rows if row[0] is not None and any(scope.pattern.search(v or "") for v in row[1:])]


def _audit_ids(session: Session, scope: Scope) -> list[int]:
    by_them = session.exec(select(AuditEntry.id).where(col(AuditEntry.actor).in_(scope.keys))).all()
    about = _mentions(session, AuditEntry, [AuditEntry.arguments, AuditEntry.result], scope)
    return sorted({i for i in by_them if i is not None} | set(about))


def _outbox_ids(session: Session, scope: Scope) -> list[int]:
    """Their conversations' outbound events, and any other (a command's answer) that names them."""
    theirs = session.exec(select(OutboxItem.id).where(col(OutboxItem.conversation_id).in_(scope.conversation_ids))).all()
    named = _mentions(session, OutboxItem, [OutboxItem.payload], scope)
    named += _addressed(session, scope)
    return sorted({i for i in theirs if i is not None} | set(named))


def _addressed(session: Session, scope: Scope) -> list[int]:
    """Outbox items holding one of them as a person (a command answer sent to them), found by user id."""
    found = []
    for customer in scope.customers:
        rows = session.exec(
            select(OutboxItem.id, OutboxItem.payload).where(
                col(OutboxItem.payload).contains(json.dumps(customer.platform_user_id, ensure_ascii=False), autoescape=True)
            )
        ).all()
        person = {"__type__": "Person", "platform": customer.platform, "user_id": customer.platform_user_id}
        found += [i for i, payload in rows if i is not None and _holds(json.loads(payload), person)]
    return found


def _holds(value: Any, person: dict[str, str]) -> bool:
    if isinstance(value, dict):
        if all(value.get(k) == v for k, v in person.items()):
            return True
        return any(_holds(v, person) for v in value.values())
    if isinstance(value, list):
        return any(_holds(v, person) for v in value)
    return False


# Export -----------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return aware(value).isoformat()
    return value


def _row(row: SQLModel) -> dict[str, Any]:
    data = {name: _plain(getattr(row, name)) for name in type(row).model_fields}
    if isinstance(row, OutboxItem):
        data["payload"] = json.loads(row.payload)
    return data


def _rows(session: Session, table: type[Any], *where: Any) -> list[dict[str, Any]]:
    return [_row(r) for r in session.exec(select(table).where(*where).order_by(col(table.id))).all()]


def export(engine: Engine, who: str) -> dict[str, Any]:
    """Everything stored about the customers `who` names, by table, datetimes as ISO strings (UTC)."""
    with Session(engine) as session:
        scope = _scope(session, who)
        conversations = col(Message.conversation_id).in_(scope.conversation_ids)
        return {
            "query": who,
            "exported_at": utcnow().isoformat(),
            "customer": [_row(c) for c in scope.customers],
            "conversation": _rows(session, Conversation, col(Conversation.id).in_(scope.conversation_ids)),
            "message": _rows(session, Message, conversations),
            "decision": _rows(session, Decision, col(Decision.conversation_id).in_(scope.conversation_ids)),
            "ticket": _rows(session, Ticket, col(Ticket.conversation_id).in_(scope.conversation_ids)),
            "draft": _rows(session, Draft, col(Draft.conversation_id).in_(scope.conversation_ids)),
            "csat_rating": _rows(session, CsatRating, col(CsatRating.conversation_id).in_(scope.conversation_ids)),
            "confirmed_example": _rows(
                session, ConfirmedExample, col(ConfirmedExample.conversation_id).in_(scope.conversation_ids)
            ),
            "knowledge_gap": _rows(session, KnowledgeGap, col(KnowledgeGap.conversation_id).in_(scope.gap_ids)),
            "outbox": _rows(session, OutboxItem, col(OutboxItem.id).in_(_outbox_ids(session, scope))),
            "audit_log": _rows(session, AuditEntry, col(AuditEntry.id).in_(_audit_ids(session, scope))),
        }


# Forget -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ForgetResult:
    """What one `forget` changed: rows blanked, ended or deleted; the counted rows all stay."""

    customers: tuple[int, ...]
    conversations: int = 0
    messages: int = 0
    tickets: int = 0
    drafts: int = 0
    gaps: int = 0
    examples: int = 0  # deleted: training copies of their words
    outbox: int = 0  # deleted: outbound events for or about them, pending ones never sent
    audit: int = 0  # audit entries they ran or that named them, with their key and e-mail blanked

    def describe(self) -> str:
        who = ", ".join(f"#{i}" for i in self.customers)
        return (
            f"Forgot customer {who}: {self.messages} messages, {self.tickets} tickets, {self.drafts} drafts and "
            f"{self.gaps} knowledge gaps blanked in {self.conversations} conversations; {self.examples} confirmed "
            f"examples and {self.outbox} outbox items deleted; {self.audit} audit entries redacted. "
            "Counts for /stats are kept; copies already posted on the platform are not touched."
        )


def forget(engine: Engine, who: str, actor: str) -> ForgetResult:
    """Erase the customers `who` names in one transaction, and record it in the audit log (by customer
    id: the entry must not name them either). Open conversations, tickets and drafts are ended: the
    customer can no longer be written to where they were."""
    now = utcnow()
    with Session(engine) as session:
        scope = _scope(session, who)
        ids = scope.conversation_ids
        result = ForgetResult(
            customers=tuple(c.id for c in scope.customers if c.id is not None),
            conversations=len(ids),
            messages=_erase_messages(session, ids),
            tickets=_erase_tickets(session, ids, now),
            drafts=_erase_drafts(session, ids, now),
            gaps=changed(
                session,
                update(KnowledgeGap)
                .where(col(KnowledgeGap.conversation_id).in_(scope.gap_ids), col(KnowledgeGap.text) != ERASED)
                .values(text=ERASED),
            ),
            examples=changed(session, delete(ConfirmedExample).where(col(ConfirmedExample.conversation_id).in_(ids))),
            outbox=changed(session, delete(OutboxItem).where(col(OutboxItem.id).in_(_outbox_ids(session, scope)))),
            audit=_redact_audit(session, scope),
        )
        _end_conversations(session, ids, now)
        for customer in scope.customers:
            _anonymise(session, customer)
        session.add(
            AuditEntry(
                actor=actor[:64],
                platform=(actor.partition(":")[0] or "cli")[:16],
                command="forget",
                arguments=" ".join(f"customer#{i}" for i in result.customers),
                allowed=True,
                result=result.describe()[:2000],
            )
        )
        session.commit()
    return result


def _erase_messages(session: Session, ids: tuple[int, ...]) -> int:
    """Blank every message; the customer's lose their platform ids; all are done (never replayed)."""
    mine = col(Message.conversation_id).in_(ids)
    count = changed(session, update(Message).where(mine, col(Message.text) != ERASED).values(text=ERASED))
    changed(session, update(Message).where(mine).values(state="done"))
    changed(
        session, update(Message).where(mine, col(Message.author) == "customer").values(author_id=None, platform_message_id=None)
    )
    return count


def _erase_tickets(session: Session, ids: tuple[int, ...], now: dt.datetime) -> int:
    mine = col(Ticket.conversation_id).in_(ids)
    count = changed(session, update(Ticket).where(mine, col(Ticket.reason) != ERASED).values(**erase_ticket_text()))
    changed(
        session,
        update(Ticket).where(mine, col(Ticket.status).in_(OPEN_TICKET)).values(status=TicketState.RESOLVED, resolved_at=now),
    )
    return count


def _erase_drafts(session: Session, ids: tuple[int, ...], now: dt.datetime) -> int:
    mine = col(Draft.conversation_id).in_(ids)
    count = changed(session, update(Draft).where(mine, col(Draft.ai_text) != ERASED).values(**erase_draft_text()))
    changed(
        session,
        update(Draft).where(mine, col(Draft.action) == DraftState.PENDING).values(action=DraftState.WITHDRAWN, decided_at=now),
    )
    return count


def _end_conversations(session: Session, ids: tuple[int, ...], now: dt.datetime) -> None:
    """No place to write to any more: the DM or thread id goes, and a live conversation ends (the bot's
    closes, a person's is resolved), so nothing is relayed or replayed into it."""
    mine = col(Conversation.id).in_(ids)
    changed(session, update(Conversation).where(mine).values(channel_id="forgotten", thread_id=None))
    changed(
        session,
        update(Conversation)
        .where(mine, col(Conversation.status) == ConversationState.BOT)
        .values(status=ConversationState.CLOSED, updated_at=now),
    )
    changed(
        session,
        update(Conversation)
        .where(mine, col(Conversation.status).in_(WITH_HUMAN))
        .values(status=ConversationState.RESOLVED, resolved_at=now, updated_at=now),
    )


def _redact_audit(session: Session, scope: Scope) -> int:
    """Audit entries keep what was done, not who it was done about: keys and e-mails become [erased],
    and commands the customer tried themselves are credited to their placeholder."""
    pattern = scope.pattern
    placeholders = {f"{c.platform}:{c.platform_user_id}": f"{c.platform}:{_placeholder(c)}" for c in scope.customers}
    ids = _audit_ids(session, scope)
    for entry in session.exec(select(AuditEntry).where(col(AuditEntry.id).in_(ids))).all():
        entry.actor = placeholders.get(entry.actor, entry.actor)
        entry.arguments = pattern.sub(ERASED, entry.arguments)
        entry.result = pattern.sub(ERASED, entry.result)
        session.add(entry)
    return len(ids)


def _placeholder(customer: Customer) -> str:
    """Unique per row (so the platform+user id constraint holds) and derived from nothing they gave."""
    return f"forgotten-{customer.id}"


def _anonymise(session: Session, customer: Customer) -> None:
    customer.platform_user_id = _placeholder(customer)
    customer.display_name = customer.email = customer.company = customer.account_id = customer.role = None
    customer.tier, customer.account_value = "free", 0.0
    session.add(customer)

"""Customer-data requests on real databases: forgetting a customer leaves no trace of what they wrote or
who they are, yet every count /stats reads stays; an export holds everything; retention blanks by age."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, String
from sqlmodel import Session, SQLModel, func, select
from sqlmodel.sql.sqltypes import AutoString

from bot.core import outbox, stats
from bot.core.customer_data import ERASED, InvalidCustomer, UnknownCustomer, export, find_customers, forget, purge_older_than
from bot.core.events import AgentNotice, CommandResponse, CustomerProfile, CustomerReply, Person, Place
from bot.core.text import join, name, rich, said
from bot.storage import open_database
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
)
from knowledge.gaps import KnowledgeGap
from tests.core.conftest import BotFactory
from tests.core.harness import ALICE, BOB, SAM, Harness

NOW = dt.datetime(2025, 6, 1, 12, tzinfo=dt.UTC)
COUNTED = [str(t.__tablename__) for t in (Conversation, Message, Decision, Ticket, Draft, CsatRating, KnowledgeGap)]


@dataclasses.dataclass(frozen=True)
class Someone:
    user_id: str
    name: str
    email: str
    secret: str  # a phrase only they wrote

    @property
    def key(self) -> str:
        return f"slack:{self.user_id}"

    @property
    def traces(self) -> tuple[str, ...]:
        return (self.user_id, self.name, self.email, self.secret, f"D{self.user_id}")


ANA = Someone("U0ANA1234", "Ana Lindqvist", "ana@lindqvist.example", "my cat Dinah shredded invoice 4471")
BEN = Someone("U0BEN5678", "Ben Okafor", "ben@okafor.example", "the tractor dashboard shows 9931 errors")


def seed(engine: Engine, who: Someone, at: dt.datetime = NOW) -> None:
    """One conversation with every kind of row that can hold what a customer wrote or who they are."""
    with Session(engine) as session:
        customer = Customer(
            platform="slack",
            platform_user_id=who.user_id,
            display_name=who.name,
            email=who.email,
            company=f"{who.name} AB",
            account_id=f"ACC-{who.user_id}",
            tier="business",
            created_at=at,
        )
        session.add(customer)
        session.flush()
        place = Place("slack", f"D{who.user_id}", f"{who.user_id}.17")
        conversation = Conversation(
            customer_id=customer.id or 0,
            platform="slack",
            channel_id=place.channel_id,
            thread_id=place.thread_id,
            status="with_agent",
            started_at=at,
            updated_at=at,
        )
        session.add(conversation)
        session.flush()
        cid = conversation.id or 0
        asked = Message(
            conversation_id=cid,
            platform="slack",
            platform_message_id=f"{who.user_id}-1",
            direction="inbound",
            author="customer",
            author_id=who.user_id,
            text=f"Help: {who.secret}",
            created_at=at,
        )
        reply = Message(
            conversation_id=cid, platform="slack", direction="outbound", author="bot", text=f"Hi {who.name}!", created_at=at
        )
        session.add_all([asked, reply])
        session.flush()
        mid = asked.id or 0
        ticket = Ticket(
            conversation_id=cid,
            reason=f'business_rules: legal: mentions "{who.secret}"',
            summary=f'{{"said": "{who.secret}"}}',
            intent="billing",
            created_at=at,
        )
        session.add_all(
            [
                Decision(
                    conversation_id=cid,
                    message_id=mid,
                    intent="billing",
                    confidence=0.9,
                    out_of_scope=False,
                    tier="human",
                    outcome="handed_off",
                    triggers="business_rules",
                    created_at=at,
                ),
                ticket,
                Draft(conversation_id=cid, message_id=mid, intent="billing", ai_text=f"Dear {who.name}", created_at=at),
                CsatRating(conversation_id=cid, rating=2, interaction_type="human", created_at=at),
                ConfirmedExample(
                    conversation_id=cid, message_id=mid, text=asked.text, intent="billing", source="agent_label", created_at=at
                ),
                KnowledgeGap(kind="escalation", text=asked.text, intent="billing", conversation_id=str(cid), created_at=at),
                AuditEntry(actor=who.key, platform="slack", command="stats", allowed=False, result="admins only", created_at=at),
                AuditEntry(
                    actor="slack:UADMIN",
                    platform="slack",
                    command="note",
                    arguments=f"asked by {who.email.upper()}",
                    allowed=True,
                    created_at=at,
                ),
            ]
        )
        session.flush()
        person = Person("slack", who.user_id, who.name)
        events = [
            (CustomerReply(place, rich(f"Hi {who.name}!"), "answer"), cid, "pending"),
            (AgentNotice(join([name(who.name), " wrote:", said(who.secret)]), ticket.id), cid, "sent"),
            (CommandResponse(person, "Sorry, /stats is for admins only.", place), None, "sent"),
        ]
        for event, conversation_id, status in events:
            session.add(
                OutboxItem(
                    conversation_id=conversation_id,
                    kind=type(event).__name__,
                    payload=outbox.encode(event),
                    side=outbox.side(event),
                    status=status,
                    created_at=at,
                )
            )
        session.commit()


def every_text(engine: Engine) -> list[str]:
    """Every string stored in any table, read generically from the schema."""
    found = []
    with Session(engine) as session:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if _is_text(c)]
            if columns:
                found += [str(v) for row in session.execute(select(*columns)).all() for v in row if v is not None]
    return found


def _is_text(column: Any) -> bool:
    return isinstance(column.type, String | AutoString)


def traces_of(engine: Engine, who: Someone) -> list[str]:
    texts = [t.lower() for t in every_text(engine)]
    return [trace for trace in who.traces for t in texts if trace.lower() in t]


def counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            t.name: session.execute(select(func.count()).select_from(t)).scalar_one() for t in SQLModel.metadata.sorted_tables
        }


def without_time(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "exported_at"}


def test_forgetting_blanks_everything_personal_and_keeps_the_counts(database_url: str) -> None:
    engine = open_database(database_url)
    seed(engine, ANA)
    seed(engine, BEN)
    assert traces_of(engine, ANA) and traces_of(engine, BEN)
    ben_before, before = export(engine, BEN.key), counts(engine)

    result = forget(engine, ANA.email.upper(), "slack:UADMIN")

    assert traces_of(engine, ANA) == []
    after = counts(engine)
    assert {t: after[t] for t in COUNTED} == {t: before[t] for t in COUNTED}
    assert after["confirmedexample"] == before["confirmedexample"] - 1 and after["outbox"] == before["outbox"] - 3
    assert (result.messages, result.tickets, result.drafts, result.gaps, result.examples, result.outbox, result.audit) == (
        2,
        1,
        1,
        1,
        1,
        3,
        2,
    )
    assert without_time(export(engine, BEN.key)) == without_time(ben_before)
    with Session(engine) as session:
        ana = session.get(Customer, result.customers[0])
        assert ana is not None and (ana.platform_user_id, ana.email, ana.display_name) == (f"forgotten-{ana.id}", None, None)
        entry = session.exec(select(AuditEntry).where(AuditEntry.command == "forget")).one()
        assert (entry.actor, entry.arguments, entry.allowed) == ("slack:UADMIN", f"customer#{ana.id}", True)
        assert "2 messages" in entry.result
        conversation = session.exec(select(Conversation).where(Conversation.customer_id == ana.id)).one()
        ticket = session.exec(select(Ticket).where(Ticket.conversation_id == conversation.id)).one()
        assert (conversation.status, conversation.channel_id, ticket.status, ticket.reason) == (
            "resolved",
            "forgotten",
            "resolved",
            ERASED,
        )
        assert {m.state for m in session.exec(select(Message).where(Message.conversation_id == conversation.id)).all()} == {
            "done"
        }
        assert (
            session.exec(select(func.count()).select_from(OutboxItem).where(OutboxItem.status == "pending")).one() == 1
        )  # Ben's


def test_the_same_person_writing_again_is_a_new_customer(database_url: str) -> None:
    engine = open_database(database_url)
    seed(engine, ANA)
    forget(engine, ANA.key, "cli:ops")
    seed(engine, ANA)  # the same platform id and e-mail again: the unique key is free
    with Session(engine) as session:
        [again] = find_customers(session, ANA.key)
        assert again.email == ANA.email and again.id == 2
    assert [len(export(engine, ANA.email)[t]) for t in ("customer", "conversation", "message")] == [1, 1, 2]


def test_an_email_names_every_account_and_a_bad_argument_says_what_is_accepted(database_url: str) -> None:
    engine = open_database(database_url)
    seed(engine, ANA)
    seed(engine, dataclasses.replace(ANA, user_id="U0ANA9999", secret="a second account"))
    with Session(engine) as session:
        assert len(find_customers(session, " Ana@Lindqvist.example ")) == 2
        with pytest.raises(UnknownCustomer, match=r"^No customer with platform key slack:U0NOBODY\.$"):
            find_customers(session, "slack:U0NOBODY")
        with pytest.raises(UnknownCustomer, match=r"^No customer with e-mail nobody@x\.example \(any case\)\.$"):
            find_customers(session, "nobody@x.example")
        for bad in ("ana", "", "x\x00@y", ":U0ANA1234", "y" * 40_000):
            with pytest.raises(InvalidCustomer, match="Give a platform key"):
                find_customers(session, bad)
    assert forget(engine, ANA.email, "cli:ops").customers == (1, 2)
    assert traces_of(engine, ANA) == [] and traces_of(engine, dataclasses.replace(ANA, secret="a second account")) == []


def test_a_key_or_e_mail_that_only_starts_like_theirs_is_someone_else(database_url: str) -> None:
    engine = open_database(database_url)
    lookalike = Someone("U0ANA12345", "Anna Lindqvist", "hana@lindqvist.example", "the kanban board is empty")
    seed(engine, ANA)
    seed(engine, lookalike)
    before = export(engine, lookalike.key)
    forget(engine, ANA.key, "cli:ops")
    assert without_time(export(engine, lookalike.key)) == without_time(before)
    texts = " ".join(every_text(engine))
    assert ANA.secret not in texts and ANA.name not in texts


def test_an_export_holds_every_row_about_them_with_iso_times(database_url: str) -> None:
    engine = open_database(database_url)
    seed(engine, ANA)
    seed(engine, BEN)
    data = export(engine, ANA.key)
    sizes = {k: len(v) for k, v in data.items() if isinstance(v, list)}
    assert sizes == {
        "customer": 1,
        "conversation": 1,
        "message": 2,
        "decision": 1,
        "ticket": 1,
        "draft": 1,
        "csat_rating": 1,
        "confirmed_example": 1,
        "knowledge_gap": 1,
        "outbox": 3,
        "audit_log": 2,
    }
    assert data["customer"][0]["created_at"] == NOW.isoformat() and data["customer"][0]["email"] == ANA.email
    assert data["outbox"][1]["payload"]["__type__"] == "AgentNotice"
    assert BEN.secret not in str(data) and BEN.email not in str(data)


def test_retention_blanks_only_old_text_and_keeps_the_counts(database_url: str) -> None:
    engine = open_database(database_url)
    seed(engine, ANA, at=NOW - dt.timedelta(days=40))
    seed(engine, BEN, at=NOW - dt.timedelta(days=10))
    before = counts(engine)

    purged = purge_older_than(engine, 30, now=NOW)

    assert (purged.messages, purged.tickets, purged.drafts, purged.gaps, purged.examples, purged.outbox) == (2, 1, 1, 1, 1, 3)
    assert purge_older_than(engine, 30, now=NOW).total == 0  # nothing more to do
    texts = " ".join(every_text(engine))
    assert ANA.secret not in texts and BEN.secret in texts
    after = counts(engine)
    assert {t: after[t] for t in COUNTED} == {t: before[t] for t in COUNTED}
    with Session(engine) as session:
        assert session.exec(select(Customer.email).order_by(Customer.id)).all() == [ANA.email, BEN.email]  # profiles stay
    with pytest.raises(ValueError, match="at least 1 day"):
        purge_older_than(engine, 0)


# A real conversation through the whole bot ------------------------------------------------------


def converse(chat: Harness, who: Person, secret: str, email: str) -> None:
    """Answered and rated, then a draft an agent approves, then a ticket with a relayed message."""
    chat.say("how do I reset my password? I forgot it", who=who, profile=CustomerProfile(email=email, company=f"{secret} Inc"))
    chat.press("That solved it", who=who)
    chat.press("5", who=who)
    chat.say("how do I set up SAML single sign-on with Okta?", who=who)
    chat.press("Approve", who=SAM)
    ticket = chat.escalate(who)
    chat.agent_says(ticket, "Looking into it now")
    chat.say(f"thanks, it is about {secret}", who=who)
    chat.customer_sees(), chat.agents_see(), chat.private_sees()


def test_a_real_conversation_is_forgotten_and_the_other_customer_is_untouched(new_bot: BotFactory) -> None:
    chat = new_bot()
    converse(chat, ALICE, "zanzibar-quokka", "alice@wonder.example")
    converse(chat, BOB, "reykjavik-puffin", "bob@builder.example")
    engine = chat.bot.store.engine
    alice = Someone("alice", "Alice", "alice@wonder.example", "zanzibar-quokka")
    assert len(traces_of(engine, alice)) > 10
    with Session(engine) as session:
        report_before = stats.compute(session, 7)
        assert session.exec(select(func.count()).select_from(ConfirmedExample)).one() >= 2
    bob_before, before = export(engine, BOB.key), counts(engine)

    result = chat.command("/forget test:alice")

    assert result.ok and result.text.startswith("Forgot customer #1:"), result.text
    leftovers = [t for t in every_text(engine) if "zanzibar" in t or "wonder.example" in t or "alice" in t.lower()]
    audit = [(a.command, a.arguments) for a in _audit(engine)]
    assert leftovers == [] and ("forget", "[withheld]") in audit  # not even the admin log keeps who it was
    after = counts(engine)
    assert {t: after[t] for t in COUNTED} == {t: before[t] for t in COUNTED}
    assert without_time(export(engine, BOB.key)) == without_time(bob_before)
    with Session(engine) as session:
        report_after = stats.compute(session, 7)
    keep = ("conversations", "turns", "automation_rate", "deflection_rate", "escalation_rate", "triggers", "csat", "gaps")
    assert [getattr(report_after, k) for k in keep] == [getattr(report_before, k) for k in keep]

    chat.say("hello again", who=ALICE)  # a fresh start: a new customer row, nothing carried over
    with Session(engine) as session:
        newest = session.exec(select(Customer).where(Customer.platform_user_id == "alice")).one()
        assert newest.id != 1 and newest.email is None


def _audit(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry)).all())


def test_forget_is_for_admins_and_names_what_it_could_not_find(chat: Harness) -> None:
    refused = chat.command("/forget test:alice", who=ALICE)
    assert not refused.ok and "is for admins only" in refused.text
    assert chat.command("/forget test:nobody").text == "No customer with platform key test:nobody."
    assert chat.command("/forget").text.startswith("Usage: /forget CUSTOMER")
    assert "Give a platform key" in chat.command("/forget nobody").text

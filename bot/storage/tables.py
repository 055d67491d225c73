"""The conversation record, as SQLModel tables (SQLite by default, PostgreSQL through DATABASE_URL).

Groundwork for the conversation core: every table the pipeline, agents, admins and reports need.
Times are timezone-aware UTC. Enumerated values are plain strings checked by the core, so adding a
value is a code change, not a migration.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from knowledge.gaps import KnowledgeGap  # noqa: F401  (registers knowledge_gap in the shared metadata)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(value: dt.datetime) -> dt.datetime:
    """SQLite hands stored datetimes back naive; everything stored is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class Customer(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)  # console | slack | discord
    platform_user_id: str = Field(max_length=64)
    display_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    company: str | None = Field(default=None, max_length=200)
    account_id: str | None = Field(default=None, max_length=64, index=True)
    tier: str = Field(default="free", max_length=16)  # free | team | business | enterprise
    role: str | None = Field(default=None, max_length=16)  # owner | admin | member | guest
    account_value: float = 0.0  # yearly contract value, for priority
    created_at: dt.datetime = Field(default_factory=utcnow)


class Conversation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    platform: str = Field(max_length=16)
    channel_id: str = Field(max_length=64)
    thread_id: str | None = Field(default=None, max_length=64)
    status: str = Field(default="bot", max_length=16, index=True)  # bot.core.states.ConversationState
    previous_id: int | None = Field(default=None, foreign_key="conversation.id")  # the one this continues after silence
    interaction_type: str = Field(default="automated", max_length=16)  # automated | assisted | human
    started_at: dt.datetime = Field(default_factory=utcnow, index=True)  # reports count conversations by start
    updated_at: dt.datetime = Field(default_factory=utcnow)
    resolved_at: dt.datetime | None = None


class Message(SQLModel, table=True):
    """Both directions; the platform message id makes re-delivered events idempotent."""

    __table_args__ = (UniqueConstraint("platform", "platform_message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    platform: str = Field(max_length=16)
    platform_message_id: str | None = Field(default=None, max_length=128)
    direction: str = Field(max_length=8)  # inbound | outbound | internal (agents only: notes, drafts) | click (a button)
    author: str = Field(max_length=16)  # customer | bot | agent
    author_id: str | None = Field(default=None, max_length=64)
    text: str
    state: str = Field(default="done", max_length=8)  # inbound turns: received → decided → done (all replies sent)
    created_at: dt.datetime = Field(default_factory=utcnow, index=True)


class Decision(SQLModel, table=True):
    """What the bot decided for one customer message, and how long it took."""

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    # Unique: however processes race (a lock lost when the database restarts), a turn is decided once.
    message_id: int = Field(foreign_key="message.id", index=True, unique=True)
    intent: str = Field(max_length=64)
    confidence: float
    out_of_scope: bool
    sentiment: float | None = None
    tier: str = Field(max_length=16)
    outcome: str = Field(max_length=32)  # see bot.core.decisions.Outcome
    article_id: str | None = Field(default=None, max_length=100)
    triggers: str = ""  # comma-separated escalation triggers that fired
    signals: str | None = None  # JSON {signal: probability} from the model's signals head, when it has one
    latency_ms: float = 0.0
    created_at: dt.datetime = Field(default_factory=utcnow, index=True)  # reports read a window of decisions


class Ticket(SQLModel, table=True):
    """A handoff to the agents' channel."""

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    status: str = Field(default="open", max_length=16, index=True)  # bot.core.states.TicketState
    priority: str = Field(default="normal", max_length=8)  # low | normal | high | urgent
    intent: str | None = Field(default=None, max_length=64)
    reason: str = Field(max_length=500)
    assigned_agent: str | None = Field(default=None, max_length=64)
    summary: str = ""  # the handoff packet as JSON
    agent_thread_id: str | None = Field(default=None, max_length=128, index=True)  # the card's thread in the agents' channel
    due_at: dt.datetime | None = None  # first-response SLA
    created_at: dt.datetime = Field(default_factory=utcnow, index=True)
    first_response_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    routed_to: str | None = Field(default=None, max_length=100, index=True)  # platform:user_id or group:NAME (bot.core.routing)
    sla_reminded_at: dt.datetime | None = None  # the reminder before the first reply is due went out (once)
    sla_breached_at: dt.datetime | None = None  # the first reply was overdue: re-announced, priority raised (once)


class Draft(SQLModel, table=True):
    """An assisted-tier answer awaiting an agent; the approval rate per intent comes from here."""

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    message_id: int = Field(foreign_key="message.id")
    intent: str = Field(max_length=64, index=True)
    ai_text: str
    action: str = Field(default="pending", max_length=16)  # bot.core.states.DraftState
    final_text: str | None = None
    agent_id: str | None = Field(default=None, max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow)
    decided_at: dt.datetime | None = None


class ConfirmedExample(SQLModel, table=True):
    """A customer's words with what a person confirmed they meant: the customer picked an article from a
    clarifying choice, an agent approved, edited or rejected a draft, or labelled a ticket. Confirmed rows
    become training examples (`supportbot train --with-feedback`); rejected ones are kept for review."""

    __table_args__ = (UniqueConstraint("message_id", "source"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True)
    message_id: int = Field(foreign_key="message.id", index=True)  # the customer's message
    text: str
    intent: str | None = Field(default=None, max_length=64)
    article_id: str | None = Field(default=None, max_length=100)
    verdict: str = Field(default="confirmed", max_length=16)  # confirmed | rejected
    source: str = Field(max_length=24)  # customer_choice | draft_approved | draft_edited | draft_rejected | agent_label
    confirmed_by: str | None = Field(default=None, max_length=64)  # the agent's key; None for the customer
    created_at: dt.datetime = Field(default_factory=utcnow)


class CsatRating(SQLModel, table=True):
    """One rating per conversation; a re-delivered click changes nothing."""

    __table_args__ = (UniqueConstraint("conversation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id")
    rating: int = Field(ge=1, le=5)
    interaction_type: str = Field(max_length=16)  # automated | assisted | human
    created_at: dt.datetime = Field(default_factory=utcnow)


class AuditEntry(SQLModel, table=True):
    """Every admin command, allowed or not."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    actor: str = Field(max_length=64)
    platform: str = Field(max_length=16)
    command: str = Field(max_length=64)
    arguments: str = ""
    allowed: bool
    result: str = ""
    created_at: dt.datetime = Field(default_factory=utcnow, index=True)


class RuntimeSetting(SQLModel, table=True):
    """Admin changes made at runtime (tiers, thresholds, switches); they outlive a restart."""

    __tablename__ = "runtime_setting"

    key: str = Field(primary_key=True, max_length=100)
    value: str = Field(max_length=200)
    updated_by: str = Field(max_length=100)
    updated_at: dt.datetime = Field(default_factory=utcnow)


class OutboxItem(SQLModel, table=True):
    """An outbound event, written in the same transaction as the decision that produced it and kept
    pending until the adapter confirms the send; pending items are sent again on start."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int | None = Field(default=None, foreign_key="conversation.id", index=True)
    inbound_id: int | None = Field(default=None, foreign_key="message.id", index=True)  # the turn it answers
    kind: str = Field(max_length=32)  # the event's class name
    payload: str  # the event as JSON (bot.core.outbox)
    side: str = Field(max_length=8)  # customer | agents | private
    status: str = Field(default="pending", max_length=8, index=True)  # pending | sent | failed (gave up)
    live_buttons: bool = False  # posted buttons that still act; retired when they go stale
    ticket_id: int | None = Field(default=None, index=True)
    draft_id: int | None = Field(default=None, index=True)
    platform_ref: str | None = Field(default=None, max_length=200)  # what the adapter posted
    attempts: int = 0
    # Who may send it when: the process that wrote it owns the first attempt until then; after that (a
    # crash, a failed send) any process's retry loop may claim it by moving the lease forward.
    lease_until: dt.datetime | None = None
    last_error: str | None = Field(default=None, max_length=200)  # the exception's type and the platform's code
    created_at: dt.datetime = Field(default_factory=utcnow)
    sent_at: dt.datetime | None = None


class SettingsVersion(SQLModel, table=True):
    """One row, bumped with every admin change and reload, so every process notices within seconds."""

    __tablename__ = "settings_version"

    id: int = Field(default=1, primary_key=True)
    version: int = 0
    kb_reloads: int = 0
    model_reloads: int = 0


class InboundReceipt(SQLModel, table=True):
    """An inbound event (button press, slash command, edit) taken on by some process: a re-delivery, to
    this process or another, finds it and is dropped. Customer and agent messages need none: their
    stored `Message` (unique platform id) is the receipt."""

    __tablename__ = "inbound_receipt"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    event_id: str = Field(max_length=200)
    state: str = Field(default="handling", max_length=8)  # handling | done
    created_at: dt.datetime = Field(default_factory=utcnow, index=True)


class JobLease(SQLModel, table=True):
    """A scheduled job (outbox retries, retention, reports) is run by whichever process takes its lease
    first; the others see it is not due and skip, so each job runs once however many processes serve."""

    __tablename__ = "job_lease"

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=100)  # host:pid of the process that ran it last
    due_at: dt.datetime  # when it may run next
    last_run_at: dt.datetime | None = None


class QualityReview(SQLModel, table=True):
    """An automated answer drawn for the weekly quality sample (bot.core.quality_jobs), and the verdict an
    agent gave it: audited accuracy per intent is good / reviewed. A decision is drawn at most once."""

    __tablename__ = "quality_review"

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", index=True, unique=True)
    verdict: str = Field(default="pending", max_length=8)  # pending | good | bad
    reviewer: str | None = Field(default=None, max_length=64)  # the agent's platform:user_id
    created_at: dt.datetime = Field(default_factory=utcnow)  # drawn and posted for review
    reviewed_at: dt.datetime | None = Field(default=None, index=True)

"""initial schema: customers, conversations, messages, decisions, tickets, drafts, CSAT, audit, knowledge gaps

Revision ID: 0001
Revises:
Create Date: 2026-11-29 05:13:01.445449
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("command", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("arguments", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("result", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_created_at"), ["created_at"], unique=False)

    op.create_table(
        "customer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("platform_user_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=True),
        sa.Column("company", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("account_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("tier", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("account_value", sa.Float(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "platform_user_id"),
    )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_account_id"), ["account_id"], unique=False)

    # Databases from before migrations existed already have this table (GapLog created it).
    if not sa.inspect(op.get_bind()).has_table("knowledge_gap"):
        op.create_table(
            "knowledge_gap",
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
            sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
            sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
            sa.Column("intent", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
            sa.Column("best_article_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
            sa.Column("best_score", sa.Float(), nullable=True),
            sa.Column("conversation_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("knowledge_gap", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_knowledge_gap_created_at"), ["created_at"], unique=False)

    op.create_table(
        "conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("channel_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("thread_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("interaction_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customer.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversation_status"), ["status"], unique=False)

    op.create_table(
        "csatrating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("interaction_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("csatrating", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_csatrating_conversation_id"), ["conversation_id"], unique=False)

    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("platform_message_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column("direction", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("author_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "platform_message_id"),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_message_created_at"), ["created_at"], unique=False)

    op.create_table(
        "ticket",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("priority", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("intent", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("assigned_agent", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("first_response_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("resolved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ticket_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ticket_status"), ["status"], unique=False)

    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("intent", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("out_of_scope", sa.Boolean(), nullable=False),
        sa.Column("sentiment", sa.Float(), nullable=True),
        sa.Column("tier", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("article_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("triggers", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["message.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_message_id"), ["message_id"], unique=False)

    op.create_table(
        "draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("intent", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("ai_text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("final_text", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("agent_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["message.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_draft_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_draft_intent"), ["intent"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_draft_intent"))
        batch_op.drop_index(batch_op.f("ix_draft_conversation_id"))

    op.drop_table("draft")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_message_id"))

    op.drop_table("decision")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_status"))
        batch_op.drop_index(batch_op.f("ix_ticket_conversation_id"))

    op.drop_table("ticket")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_created_at"))
        batch_op.drop_index(batch_op.f("ix_message_conversation_id"))

    op.drop_table("message")
    with op.batch_alter_table("csatrating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_csatrating_conversation_id"))

    op.drop_table("csatrating")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_status"))
        batch_op.drop_index(batch_op.f("ix_conversation_customer_id"))

    op.drop_table("conversation")
    with op.batch_alter_table("knowledge_gap", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_gap_created_at"))

    op.drop_table("knowledge_gap")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_account_id"))

    op.drop_table("customer")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_created_at"))

    op.drop_table("audit_log")

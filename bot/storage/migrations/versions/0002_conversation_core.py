"""conversation core: decisions point at their conversation, tickets carry their agents' thread and SLA,
one CSAT rating per conversation, runtime settings changed by admins

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 06:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "runtime_setting",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    # No code wrote decisions before this revision, so the new column needs no backfill.
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("conversation_id", sa.Integer(), nullable=False))
        batch_op.create_index(batch_op.f("ix_decision_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_foreign_key("fk_decision_conversation_id", "conversation", ["conversation_id"], ["id"])
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agent_thread_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True))
        batch_op.add_column(sa.Column("due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_ticket_agent_thread_id"), ["agent_thread_id"], unique=False)
    with op.batch_alter_table("csatrating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_csatrating_conversation_id"))
        batch_op.create_unique_constraint("uq_csatrating_conversation_id", ["conversation_id"])


def downgrade() -> None:
    with op.batch_alter_table("csatrating", schema=None) as batch_op:
        batch_op.drop_constraint("uq_csatrating_conversation_id", type_="unique")
        batch_op.create_index(batch_op.f("ix_csatrating_conversation_id"), ["conversation_id"], unique=False)
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ticket_agent_thread_id"))
        batch_op.drop_column("due_at")
        batch_op.drop_column("agent_thread_id")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_constraint("fk_decision_conversation_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_decision_conversation_id"))
        batch_op.drop_column("conversation_id")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_column("resolved_at")
    op.drop_table("runtime_setting")

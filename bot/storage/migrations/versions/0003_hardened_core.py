"""hardened core: processing state of inbound turns, the outbox, conversations that continue after
silence, and the settings version every process watches

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

String = sqlmodel.sql.sqltypes.AutoString
Time = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("message", schema=None) as batch_op:
        # Rows stored before this revision were fully handled.
        batch_op.add_column(sa.Column("state", String(length=8), nullable=False, server_default="done"))
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_conversation_previous_id", "conversation", ["previous_id"], ["id"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("inbound_id", sa.Integer(), nullable=True),
        sa.Column("kind", String(length=32), nullable=False),
        sa.Column("payload", String(), nullable=False),
        sa.Column("side", String(length=8), nullable=False),
        sa.Column("status", String(length=8), nullable=False),
        sa.Column("live_buttons", sa.Boolean(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("platform_ref", String(length=200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", Time(), nullable=False),
        sa.Column("sent_at", Time(), nullable=True),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
        sa.ForeignKeyConstraint(["inbound_id"], ["message.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    for column in ("conversation_id", "inbound_id", "status", "ticket_id", "draft_id"):
        op.create_index(f"ix_outbox_{column}", "outbox", [column], unique=False)
    op.create_table(
        "settings_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kb_reloads", sa.Integer(), nullable=False),
        sa.Column("model_reloads", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO settings_version (id, version, kb_reloads, model_reloads) VALUES (1, 0, 0, 0)")


def downgrade() -> None:
    op.drop_table("settings_version")
    for column in ("conversation_id", "inbound_id", "status", "ticket_id", "draft_id"):
        op.drop_index(f"ix_outbox_{column}", table_name="outbox")
    op.drop_table("outbox")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_constraint("fk_conversation_previous_id", type_="foreignkey")
        batch_op.drop_column("previous_id")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_column("state")

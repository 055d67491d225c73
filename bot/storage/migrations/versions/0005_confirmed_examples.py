"""confirmed examples: customers' words with the intent or article a person confirmed, for retraining

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 03:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "confirmedexample",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("intent", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("article_id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("verdict", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("confirmed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["conversation_id"], ["conversation.id"]),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id", "source"),
    )
    with op.batch_alter_table("confirmedexample", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_confirmedexample_conversation_id"), ["conversation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_confirmedexample_message_id"), ["message_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("confirmedexample", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_confirmedexample_message_id"))
        batch_op.drop_index(batch_op.f("ix_confirmedexample_conversation_id"))
    op.drop_table("confirmedexample")

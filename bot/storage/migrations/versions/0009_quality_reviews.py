"""quality reviews: automated answers drawn for the weekly sample, with the agents' Good / Bad verdicts;
indexes on the times reports read a window by (decisions, conversations, tickets)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WINDOWS = (("decision", "created_at"), ("conversation", "started_at"), ("ticket", "created_at"))


def upgrade() -> None:
    op.create_table(
        "quality_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("reviewer", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reviewed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["decision_id"], ["decision.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("quality_review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quality_review_decision_id"), ["decision_id"], unique=True)
        batch_op.create_index(batch_op.f("ix_quality_review_reviewed_at"), ["reviewed_at"], unique=False)
    for table, column in WINDOWS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def downgrade() -> None:
    for table, column in WINDOWS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
    with op.batch_alter_table("quality_review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quality_review_reviewed_at"))
        batch_op.drop_index(batch_op.f("ix_quality_review_decision_id"))
    op.drop_table("quality_review")

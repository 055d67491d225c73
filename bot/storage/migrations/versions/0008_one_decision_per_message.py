"""one decision per message: a unique index, so that no lost lock or race can decide a turn twice

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A database that already holds a turn decided twice keeps the first decision.
    op.execute("DELETE FROM decision WHERE id NOT IN (SELECT MIN(id) FROM decision GROUP BY message_id)")
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_message_id"))
        batch_op.create_index(batch_op.f("ix_decision_message_id"), ["message_id"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_decision_message_id"))
        batch_op.create_index(batch_op.f("ix_decision_message_id"), ["message_id"], unique=False)

"""access_log: every read of a person's learning data and every dashboard read, in a SHA-256 hash chain
(learning/audit). The privacy_officer role needs no schema change: roles are stored as plain strings
(a non-native enum of length 20, without a CHECK constraint), and "PRIVACY_OFFICER" fits.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("actor_role", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("purpose", sa.String(length=100), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_access_log_prev_hash")),
    )
    op.create_index("ix_access_log_actor_id", "access_log", ["actor", "id"], unique=False)
    op.create_index("ix_access_log_action_id", "access_log", ["action", "id"], unique=False)
    op.create_index("ix_access_log_at_id", "access_log", ["at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_access_log_at_id", table_name="access_log")
    op.drop_index("ix_access_log_action_id", table_name="access_log")
    op.drop_index("ix_access_log_actor_id", table_name="access_log")
    op.drop_table("access_log")

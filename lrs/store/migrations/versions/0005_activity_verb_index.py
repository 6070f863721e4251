"""index on (object activity, verb, seq) for activity+verb filters

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 06:05:00.000000
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_lrs_statement_activity_verb_seq", "lrs_statement", ["object_activity_id", "verb_id", "seq"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_lrs_statement_activity_verb_seq", table_name="lrs_statement")

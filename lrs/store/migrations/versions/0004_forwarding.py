"""statement forwarding: targets per credential and the durable queue

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "lrs_forward_target",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("credential_key", sa.String(length=40), nullable=False),
        sa.Column("endpoint", sa.String(length=2048), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("secret_token", sa.Text(), nullable=False),
        sa.Column("version", sa.String(length=10), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("retry_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_success_at", sa.DateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lrs_forward_target")),
        sa.UniqueConstraint("credential_key", name=op.f("uq_lrs_forward_target_credential_key")),
    )
    op.create_table(
        "lrs_forward_queue",
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("statement_seq", SEQ, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("dead_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["lrs_forward_target.id"],
            name=op.f("fk_lrs_forward_queue_target_id_lrs_forward_target"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["statement_seq"], ["lrs_statement.seq"], name=op.f("fk_lrs_forward_queue_statement_seq_lrs_statement")
        ),
        sa.PrimaryKeyConstraint("target_id", "statement_seq", name=op.f("pk_lrs_forward_queue")),
    )


def downgrade() -> None:
    op.drop_table("lrs_forward_queue")
    op.drop_table("lrs_forward_target")

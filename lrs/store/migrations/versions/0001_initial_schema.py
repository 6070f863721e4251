"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-24 03:48:20.156102
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "lrs_credential",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(length=400), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("last_version", sa.String(length=10), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_lrs_credential")),
    )
    op.create_table(
        "lrs_statement",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("stored", sa.DateTime(), nullable=False),
        sa.Column("timestamp", sa.DateTime(), nullable=False),
        sa.Column("verb_id", sa.String(length=600), nullable=False),
        sa.Column("object_activity_id", sa.String(length=600), nullable=True),
        sa.Column("registration", sa.String(length=36), nullable=True),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.Column("ref_target", sa.String(length=36), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_lrs_statement")),
        sa.UniqueConstraint("id", name=op.f("uq_lrs_statement_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("lrs_statement", schema=None) as batch_op:
        batch_op.create_index("ix_lrs_statement_activity_seq", ["object_activity_id", "seq"], unique=False)
        batch_op.create_index("ix_lrs_statement_registration_seq", ["registration", "seq"], unique=False)
        batch_op.create_index("ix_lrs_statement_stored", ["stored"], unique=False)
        batch_op.create_index("ix_lrs_statement_verb_seq", ["verb_id", "seq"], unique=False)

    op.create_table(
        "lrs_statement_ref",
        sa.Column(
            "statement_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=False, nullable=False
        ),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("statement_seq", name=op.f("pk_lrs_statement_ref")),
    )
    op.create_table(
        "lrs_statement_activity",
        sa.Column("activity_id", sa.String(length=600), nullable=False),
        sa.Column("statement_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("relation", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("activity_id", "statement_seq", name=op.f("pk_lrs_statement_activity")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "lrs_statement_agent",
        sa.Column("ifi", sa.String(length=600), nullable=False),
        sa.Column("statement_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("relation", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("ifi", "statement_seq", name=op.f("pk_lrs_statement_agent")),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:

    op.drop_table("lrs_statement_agent")
    op.drop_table("lrs_statement_ref")
    op.drop_table("lrs_statement_activity")
    with op.batch_alter_table("lrs_statement", schema=None) as batch_op:
        batch_op.drop_index("ix_lrs_statement_verb_seq")
        batch_op.drop_index("ix_lrs_statement_stored")
        batch_op.drop_index("ix_lrs_statement_registration_seq")
        batch_op.drop_index("ix_lrs_statement_activity_seq")

    op.drop_table("lrs_statement")
    op.drop_table("lrs_credential")

"""documents and canonical activity definitions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lrs_document",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("activity_id", sa.Text(), nullable=False),
        sa.Column("agent_ifi", sa.Text(), nullable=False),
        sa.Column("registration", sa.String(length=36), nullable=False),
        sa.Column("doc_id", sa.Text(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("etag", sa.String(length=40), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_lrs_document")),
    )
    op.create_index("ix_lrs_document_scope_updated", "lrs_document", ["scope", "updated"], unique=False)
    op.create_table(
        "lrs_activity",
        sa.Column("id", sa.String(length=2048), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lrs_activity")),
    )


def downgrade() -> None:
    op.drop_table("lrs_activity")
    op.drop_index("ix_lrs_document_scope_updated", table_name="lrs_document")
    op.drop_table("lrs_document")

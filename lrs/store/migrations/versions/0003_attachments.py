"""attachment data of statements

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 05:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lrs_attachment",
        sa.Column("sha2", sa.String(length=128), nullable=False),
        sa.Column("content_type", sa.String(length=255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("stored", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sha2", name=op.f("pk_lrs_attachment")),
    )


def downgrade() -> None:
    op.drop_table("lrs_attachment")

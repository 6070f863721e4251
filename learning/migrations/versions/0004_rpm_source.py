"""rpm_source: the LRS credentials (by the authority they stamp) that may send RPM statements for an organisation

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 07:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rpm_source",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("authority_home_page", sa.String(length=255), nullable=True),
        sa.Column("authority_name", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_rpm_source_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rpm_source")),
        sa.UniqueConstraint("organisation_id", "authority_name", name="uq_rpm_source_organisation_authority"),
    )


def downgrade() -> None:
    op.drop_table("rpm_source")

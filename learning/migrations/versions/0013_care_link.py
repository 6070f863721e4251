"""care_link: a patient lets a caregiver see their progress (a code they hand over), and can revoke it.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-05 20:40:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("caregiver_id", sa.Integer(), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("code_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["patient_id"], ["user_account.id"], name=op.f("fk_care_link_patient_id_user_account")),
        sa.ForeignKeyConstraint(
            ["caregiver_id"], ["user_account.id"], name=op.f("fk_care_link_caregiver_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["user_account.id"], name=op.f("fk_care_link_revoked_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_link")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_care_link_code_hash")),
    )
    op.create_index("ix_care_link_patient", "care_link", ["patient_id"])
    op.create_index("ix_care_link_caregiver", "care_link", ["caregiver_id"])


def downgrade() -> None:
    op.drop_index("ix_care_link_caregiver", table_name="care_link")
    op.drop_index("ix_care_link_patient", table_name="care_link")
    op.drop_table("care_link")

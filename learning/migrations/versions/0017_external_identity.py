"""Single sign-on binds an account to the provider's (issuer, subject), never to an e-mail address again; an
organisation's setting says whether its provider's e-mail addresses may be trusted for the first link.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 03:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_identity",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("issuer", "subject", name="uq_external_identity_issuer_subject"),
        sa.UniqueConstraint("user_id", "issuer", name="uq_external_identity_user_issuer"),
    )
    with op.batch_alter_table("oidc_provider") as batch:
        batch.add_column(sa.Column("trust_email", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("oidc_provider") as batch:
        batch.drop_column("trust_email")
    op.drop_table("external_identity")

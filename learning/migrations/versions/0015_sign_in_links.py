"""sign_in_link and user_account.email_confirmed_at: one-time sign-in links by e-mail, and confirmed addresses.

A sign-in link row holds a hash of the token (never the token: a copy of the database must not hold live links),
when it expires and when it was used. email_confirmed_at is empty until the person opened the link of a
confirmation mail (or completed a password reset, which proves the same mailbox); sign-in links go only to
confirmed addresses (docs/signing-in.md). Existing accounts start unconfirmed: nothing proved their address.
The README's demo log-ins (RFC 2606 example.org addresses, which no mail reaches) count as confirmed, as a new
`flask demo seed` makes them, so a demo shows sign-in links without a banner nobody can act on.

Revision ID: 0015
Revises: 0012 (on this branch; 0014 once merged after it: this migration reads nothing 0013/0014 add)
Create Date: 2026-12-05 23:40:00.000000
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0012"  # then 0014 (second factor), then 0016 (single sign-on): names, not order
branch_labels = None
depends_on = None
DEMO_LOGINS = (
    "patient@example.org",
    "caregiver@example.org",
    "nurse@example.org",
    "author@example.org",
    "reviewer@example.org",
    "manager@example.org",
    "admin@example.org",
    "privacy@example.org",
)


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("email_confirmed_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "sign_in_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_sign_in_link_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sign_in_link_token_hash")),
    )
    op.create_index("ix_sign_in_link_user", "sign_in_link", ["user_id"])
    account = sa.table(
        "user_account", sa.column("email", sa.String), sa.column("email_confirmed_at", sa.DateTime(timezone=True))
    )
    op.execute(
        account.update()
        .where(account.c.email.in_(DEMO_LOGINS), account.c.email_confirmed_at.is_(None))
        .values(email_confirmed_at=datetime.now(UTC))
    )


def downgrade() -> None:
    op.drop_index("ix_sign_in_link_user", table_name="sign_in_link")
    op.drop_table("sign_in_link")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("email_confirmed_at")

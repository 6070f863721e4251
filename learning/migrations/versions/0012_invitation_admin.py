"""invitation: revocable, and labelled with the pseudonym of the patient (or the note) it was made for.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-05 21:00:00.000000
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None
DEMO_CODES = ("DEMO-PATIENT", "DEMO-CAREGIVER", "DEMO-STAFF")


def upgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("label", sa.String(length=64), nullable=True))
    # The demo codes are printed in the README: in a database seeded before codes had limits they worked 1000
    # times and never expired. Bound them as a new seed does (25 more uses, 90 days).
    expires = datetime.now(UTC) + timedelta(days=90)
    invitation = sa.table(
        "invitation",
        sa.column("code", sa.String),
        sa.column("uses", sa.Integer),
        sa.column("max_uses", sa.Integer),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )
    op.execute(
        invitation.update()
        .where(invitation.c.code.in_(DEMO_CODES), invitation.c.expires_at.is_(None))
        .values(
            max_uses=sa.case(
                (invitation.c.max_uses < invitation.c.uses + 25, invitation.c.max_uses), else_=invitation.c.uses + 25
            ),
            expires_at=expires,
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("invitation") as batch:
        batch.drop_column("label")
        batch.drop_column("revoked_at")

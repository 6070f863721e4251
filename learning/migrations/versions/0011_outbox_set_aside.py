"""outbox_statement.set_aside_at: a statement the LRS refused is kept, but no longer sent with the others.

Before, a statement the LRS refused (400, 409 with other content) stayed first in line and its whole batch was
retried with it forever. Now it is set aside with the LRS's reason in last_error and the time in this column;
the queue skips it until an administrator puts it back (`flask tracking retry-set-aside`). NULL: still queued.

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-05 20:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_statement") as batch:
        batch.add_column(sa.Column("set_aside_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_statement") as batch:
        batch.drop_column("set_aside_at")

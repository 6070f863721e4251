"""user_account.session_version (logout and password change end every session) and login_failure.device_key
(failures made from a known device are counted apart from failures made elsewhere)

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-05 04:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("login_failure") as batch_op:
        batch_op.add_column(sa.Column("device_key", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("login_failure") as batch_op:
        batch_op.drop_column("device_key")
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("session_version")

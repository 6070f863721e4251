"""user_account: reading preferences per person (text size, contrast, read-aloud voice and rate).

Stored on the account, not only in the browser, so a patient who set large text on the ward tablet finds it again
on their phone. Defaults match what a new account gets: normal text, contrast following the device, no voice.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 14:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("text_size", sa.String(length=10), nullable=False, server_default="normal"))
        batch.add_column(sa.Column("contrast", sa.String(length=10), nullable=False, server_default="auto"))
        batch.add_column(sa.Column("speech_voice", sa.Text(), nullable=True))
        batch.add_column(sa.Column("speech_rate", sa.Float(), nullable=False, server_default=sa.text("0.9")))


def downgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.drop_column("speech_rate")
        batch.drop_column("speech_voice")
        batch.drop_column("contrast")
        batch.drop_column("text_size")

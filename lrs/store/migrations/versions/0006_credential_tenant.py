"""lrs_credential.tenant: the organisation (a learner homePage) a credential is confined to; NULL reads the region

Credentials made before this revision keep reading every statement, as they did: they stay regional until an
administrator replaces them with organisation-scoped ones. Statements need no change: the tenant links that
organisation-scoped reads walk are written from now on, and no statement before it carries an organisation
homePage.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 11:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lrs_credential") as batch_op:
        batch_op.add_column(sa.Column("tenant", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("lrs_credential") as batch_op:
        batch_op.drop_column("tenant")

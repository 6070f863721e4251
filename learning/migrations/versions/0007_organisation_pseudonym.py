"""organisation.pseudonym: the opaque id in a learner's xAPI homePage ({XAPI_BASE_IRI}/org/<pseudonym>), so an
LRS credential can be confined to one organisation's learners without statements naming the organisation

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 11:00:00.000000
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organisation") as batch_op:
        batch_op.add_column(sa.Column("pseudonym", sa.String(length=36), nullable=True))
    conn = op.get_bind()
    organisation = sa.table("organisation", sa.column("id", sa.Integer), sa.column("pseudonym", sa.String))
    for (org_id,) in conn.execute(sa.select(organisation.c.id)).all():
        conn.execute(organisation.update().where(organisation.c.id == org_id).values(pseudonym=str(uuid.uuid4())))
    with op.batch_alter_table("organisation") as batch_op:
        batch_op.alter_column("pseudonym", existing_type=sa.String(length=36), nullable=False)
        batch_op.create_unique_constraint("uq_organisation_pseudonym", ["pseudonym"])


def downgrade() -> None:
    with op.batch_alter_table("organisation") as batch_op:
        batch_op.drop_constraint("uq_organisation_pseudonym", type_="unique")
        batch_op.drop_column("pseudonym")

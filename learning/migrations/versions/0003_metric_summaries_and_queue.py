"""metric summaries (per learner x module, per patient-month) and the queue of months to recompute

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 06:48:08.207239

The summaries start empty: a run over recent months builds the learner summaries when they are empty and rebuilds a
patient-month whose summaries do not account for its daily rows, and `flask metrics rebuild` builds both at once
(learning/metrics/learner_state.py, patient_months.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metric_dirty",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_dirty")),
    )
    op.create_table(
        "rpm_patient_month",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("patient_pid", sa.String(length=64), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("present", sa.BigInteger(), nullable=False),
        sa.Column("expected", sa.BigInteger(), nullable=False),
        sa.Column("any_received", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("programme_id", "patient_pid", "month", name=op.f("pk_rpm_patient_month")),
    )
    with op.batch_alter_table("rpm_patient_month", schema=None) as batch_op:
        batch_op.create_index("ix_rpm_patient_month_month", ["month", "programme_id"], unique=False)

    op.create_table(
        "training_first_answer",
        sa.Column("actor_pid", sa.String(length=64), nullable=False),
        sa.Column("module_slug", sa.String(length=80), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("actor_pid", "module_slug", "item_id", name=op.f("pk_training_first_answer")),
    )
    op.create_table(
        "training_progress",
        sa.Column("actor_pid", sa.String(length=64), nullable=False),
        sa.Column("module_slug", sa.String(length=80), nullable=False),
        sa.Column("first_launched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_judged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_judged_passed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completion_seconds", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("actor_pid", "module_slug", name=op.f("pk_training_progress")),
    )


def downgrade() -> None:
    op.drop_table("training_progress")
    op.drop_table("training_first_answer")
    with op.batch_alter_table("rpm_patient_month", schema=None) as batch_op:
        batch_op.drop_index("ix_rpm_patient_month_month")

    op.drop_table("rpm_patient_month")
    op.drop_table("metric_dirty")

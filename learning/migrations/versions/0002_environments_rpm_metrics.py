"""implementation environments, RPM data and metrics

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 04:36:41.717920
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "environment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "condition",
            sa.Enum("HF", "T2DM", "COPD", "OA", "DEM", "HTN", name="condition", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column(
            "phase",
            sa.Enum(
                "CONTEXTUAL_INQUIRY",
                "VALUE_SPEC",
                "DESIGN",
                "OPERATIONALISATION",
                "SUMMATIVE_EVAL",
                "SUSTAINMENT",
                name="phase",
                native_enum=False,
                length=30,
            ),
            nullable=False,
        ),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("funding_end", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_environment")),
        sa.UniqueConstraint("name", name=op.f("uq_environment_name")),
    )
    op.create_table(
        "metric_definition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name_nl", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("formula_nl", sa.Text(), nullable=False),
        sa.Column("formula_en", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("frameworks", sa.JSON(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("min_cell", sa.Integer(), nullable=False),
        sa.Column("patient_derived", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_definition")),
        sa.UniqueConstraint("code", "version", name="uq_metric_definition_version"),
    )
    op.create_table(
        "metric_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("metric_code", sa.String(length=40), nullable=False),
        sa.Column("definition_version", sa.Integer(), nullable=False),
        sa.Column("scope_type", sa.String(length=20), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("numerator", sa.Float(), nullable=True),
        sa.Column("denominator", sa.Float(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("suppressed", sa.Boolean(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_value")),
        sa.UniqueConstraint(
            "metric_code", "definition_version", "scope_type", "scope_id", "period_start", name="uq_metric_value_cell"
        ),
    )
    with op.batch_alter_table("metric_value", schema=None) as batch_op:
        batch_op.create_index("ix_metric_value_scope", ["scope_type", "scope_id", "period_start"], unique=False)

    op.create_table(
        "staff_role",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label_nl", sa.String(length=100), nullable=False),
        sa.Column("label_en", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_staff_role")),
    )
    op.create_table(
        "sync_cursor",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("position", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sync_cursor")),
    )
    op.create_table(
        "training_event",
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.Column("actor_pid", sa.String(length=64), nullable=False),
        sa.Column("verb", sa.String(length=20), nullable=False),
        sa.Column("module_slug", sa.String(length=80), nullable=True),
        sa.Column("item_id", sa.String(length=64), nullable=True),
        sa.Column("registration", sa.String(length=36), nullable=True),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=True),
        sa.Column("scaled", sa.Float(), nullable=True),
        sa.Column("duration_seconds", sa.Float(), nullable=True),
        sa.Column("response", sa.String(length=64), nullable=True),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("statement_id", name=op.f("pk_training_event")),
    )
    with op.batch_alter_table("training_event", schema=None) as batch_op:
        batch_op.create_index("ix_training_event_actor_module", ["actor_pid", "module_slug", "timestamp"], unique=False)
        batch_op.create_index("ix_training_event_timestamp", ["timestamp"], unique=False)

    op.create_table(
        "rpm_api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=20), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_rpm_api_key_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rpm_api_key")),
        sa.UniqueConstraint("key_id", name=op.f("uq_rpm_api_key_key_id")),
    )
    op.create_table(
        "rpm_programme",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("environment_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "condition",
            sa.Enum("HF", "T2DM", "COPD", "OA", "DEM", "HTN", name="condition", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("platform_name", sa.String(length=100), nullable=False),
        sa.Column("measurement_schedule", sa.JSON(), nullable=False),
        sa.Column("alert_sla_minutes", sa.JSON(), nullable=False),
        sa.Column("business_hours", sa.JSON(), nullable=True),
        sa.Column("adherence_threshold", sa.Float(), nullable=False),
        sa.Column("monitoring_centre_team_id", sa.Integer(), nullable=True),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["environment_id"], ["environment.id"], name=op.f("fk_rpm_programme_environment_id_environment")
        ),
        sa.ForeignKeyConstraint(
            ["monitoring_centre_team_id"], ["team.id"], name=op.f("fk_rpm_programme_monitoring_centre_team_id_team")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_rpm_programme_organisation_id_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rpm_programme")),
    )
    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column(
            "framework", sa.Enum("NASSS", "CFIR", name="framework", native_enum=False, length=10), nullable=False
        ),
        sa.Column("domain", sa.String(length=100), nullable=False),
        sa.Column("rating", sa.String(length=20), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("assessed_by_role", sa.String(length=40), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["user_account.id"], name=op.f("fk_assessment_created_by_user_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["rpm_programme.id"], name=op.f("fk_assessment_programme_id_rpm_programme")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
    )
    op.create_table(
        "curriculum",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("role_code", sa.String(length=40), nullable=False),
        sa.Column("module_slugs", sa.JSON(), nullable=False),
        sa.Column("due_days", sa.Integer(), nullable=False),
        sa.Column("refresher_months", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["rpm_programme.id"], name=op.f("fk_curriculum_programme_id_rpm_programme")
        ),
        sa.ForeignKeyConstraint(["role_code"], ["staff_role.code"], name=op.f("fk_curriculum_role_code_staff_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_curriculum")),
        sa.UniqueConstraint("programme_id", "role_code", name="uq_curriculum_programme_role"),
    )
    op.create_table(
        "eligible_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["rpm_programme.id"], name=op.f("fk_eligible_count_programme_id_rpm_programme")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_eligible_count")),
        sa.UniqueConstraint("programme_id", "period_start", name="uq_eligible_count_period"),
    )
    op.create_table(
        "patient_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("patient_pid", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("consented_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["rpm_programme.id"], name=op.f("fk_patient_link_programme_id_rpm_programme")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_patient_link_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_link")),
        sa.UniqueConstraint("programme_id", "patient_pid", name="uq_patient_link_programme_pid"),
    )
    op.create_table(
        "programme_team",
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["rpm_programme.id"], name=op.f("fk_programme_team_programme_id_rpm_programme")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_programme_team_team_id_team")),
        sa.PrimaryKeyConstraint("programme_id", "team_id", name=op.f("pk_programme_team")),
    )
    op.create_table(
        "rpm_alert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=64), nullable=False),
        sa.Column("patient_pid", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_action_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("action_type", sa.String(length=30), nullable=True),
        sa.Column("outcome", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["rpm_programme.id"], name=op.f("fk_rpm_alert_programme_id_rpm_programme")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_rpm_alert_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rpm_alert")),
        sa.UniqueConstraint("programme_id", "external_id", name="uq_rpm_alert_external"),
    )
    with op.batch_alter_table("rpm_alert", schema=None) as batch_op:
        batch_op.create_index("ix_rpm_alert_programme_created", ["programme_id", "created_at"], unique=False)

    op.create_table(
        "rpm_daily",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("patient_pid", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("expected", sa.Boolean(), nullable=False),
        sa.Column("received_counts", sa.JSON(), nullable=False),
        sa.Column("manual_counts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["rpm_programme.id"], name=op.f("fk_rpm_daily_programme_id_rpm_programme")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rpm_daily")),
        sa.UniqueConstraint("programme_id", "patient_pid", "day", name="uq_rpm_daily_patient_day"),
    )
    with op.batch_alter_table("rpm_daily", schema=None) as batch_op:
        batch_op.create_index("ix_rpm_daily_programme_day", ["programme_id", "day"], unique=False)

    op.create_table(
        "rpm_enrolment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("patient_pid", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("offered_at", sa.Date(), nullable=True),
        sa.Column("enrolled_at", sa.Date(), nullable=True),
        sa.Column("first_measurement_at", sa.Date(), nullable=True),
        sa.Column("disenrolled_at", sa.Date(), nullable=True),
        sa.Column("disenrol_reason", sa.String(length=30), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["rpm_programme.id"], name=op.f("fk_rpm_enrolment_programme_id_rpm_programme")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_rpm_enrolment_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rpm_enrolment")),
        sa.UniqueConstraint("programme_id", "patient_pid", name="uq_rpm_enrolment_patient"),
    )
    op.create_table(
        "staff_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("pid", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("line_manager_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["line_manager_user_id"],
            ["user_account.id"],
            name=op.f("fk_staff_member_line_manager_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisation.id"], name=op.f("fk_staff_member_organisation_id_organisation")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_staff_member_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_member")),
        sa.UniqueConstraint("organisation_id", "pid", name="uq_staff_member_org_pid"),
        sa.UniqueConstraint("user_id", name=op.f("uq_staff_member_user_id")),
    )
    op.create_table(
        "staff_rpm_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("programme_id", sa.Integer(), nullable=False),
        sa.Column("staff_pid", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"], ["rpm_programme.id"], name=op.f("fk_staff_rpm_activity_programme_id_rpm_programme")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_rpm_activity")),
        sa.UniqueConstraint("programme_id", "staff_pid", "day", name="uq_staff_rpm_activity_day"),
    )
    op.create_table(
        "staff_membership",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("role_code", sa.String(length=40), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["role_code"], ["staff_role.code"], name=op.f("fk_staff_membership_role_code_staff_role")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_member.id"], name=op.f("fk_staff_membership_staff_id_staff_member")
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_staff_membership_team_id_team")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_membership")),
    )
    with op.batch_alter_table("staff_membership", schema=None) as batch_op:
        batch_op.create_index("ix_staff_membership_team_dates", ["team_id", "start", "end"], unique=False)

    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agb_code", sa.String(length=8), nullable=True))

    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_team_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_team_parent_team_id_team"), "team", ["parent_team_id"], ["id"])


def downgrade() -> None:

    with op.batch_alter_table("team", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_team_parent_team_id_team"), type_="foreignkey")
        batch_op.drop_column("parent_team_id")

    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("agb_code")

    with op.batch_alter_table("staff_membership", schema=None) as batch_op:
        batch_op.drop_index("ix_staff_membership_team_dates")

    op.drop_table("staff_membership")
    op.drop_table("staff_rpm_activity")
    op.drop_table("staff_member")
    op.drop_table("rpm_enrolment")
    with op.batch_alter_table("rpm_daily", schema=None) as batch_op:
        batch_op.drop_index("ix_rpm_daily_programme_day")

    op.drop_table("rpm_daily")
    with op.batch_alter_table("rpm_alert", schema=None) as batch_op:
        batch_op.drop_index("ix_rpm_alert_programme_created")

    op.drop_table("rpm_alert")
    op.drop_table("programme_team")
    op.drop_table("patient_link")
    op.drop_table("eligible_count")
    op.drop_table("curriculum")
    op.drop_table("assessment")
    op.drop_table("rpm_programme")
    op.drop_table("rpm_api_key")
    with op.batch_alter_table("training_event", schema=None) as batch_op:
        batch_op.drop_index("ix_training_event_timestamp")
        batch_op.drop_index("ix_training_event_actor_module")

    op.drop_table("training_event")
    op.drop_table("sync_cursor")
    op.drop_table("staff_role")
    with op.batch_alter_table("metric_value", schema=None) as batch_op:
        batch_op.drop_index("ix_metric_value_scope")

    op.drop_table("metric_value")
    op.drop_table("metric_definition")
    op.drop_table("environment")

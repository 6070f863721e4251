"""Authoring and review: drafts with their files and events, every stored version's files, approvals.

A module version is shown to learners only with an approval (module_approval). Versions loaded before this
revision were shown to everyone; they get an approval by "migration" marked not clinical, so nothing disappears
for learners mid-way and every step says no clinician has checked it. module_file starts empty for them: their
pictures are still served from modules_content/ until the version is loaded or published again.

Revision ID: 0010
Revises: 0013
Create Date: 2026-12-05 20:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0013"  # after main's 0011 and 0013 (merged first), so a database at 0013 still gets this one
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "module_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["module_id"], ["module.id"], name=op.f("fk_module_file_module_id_module")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_module_file")),
    )
    op.create_index("ix_module_file_version_path", "module_file", ["module_id", "version", "path"], unique=True)
    op.create_table(
        "module_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reviewer_name", sa.String(length=100), nullable=False),
        sa.Column("clinical", sa.Boolean(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["module_id"], ["module.id"], name=op.f("fk_module_approval_module_id_module")),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["user_account.id"], name=op.f("fk_module_approval_reviewer_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_module_approval")),
    )
    op.create_index("ix_module_approval_version", "module_approval", ["module_id", "version"], unique=True)
    op.execute(
        "INSERT INTO module_approval (module_id, version, content_hash, reviewer_id, reviewer_name, clinical,"
        " approved_at) SELECT id, current_version, '', NULL, 'migration', false, updated_at FROM module"
    )
    op.create_table(
        "draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("base_version", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("submitted_hash", sa.String(length=64), nullable=True),
        sa.Column("approved_hash", sa.String(length=64), nullable=True),
        sa.Column("published_version", sa.String(length=20), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user_account.id"], name=op.f("fk_draft_created_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft")),
    )
    op.create_index("ix_draft_slug", "draft", ["slug"], unique=False)
    op.create_table(
        "draft_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["draft_id"], ["draft.id"], name=op.f("fk_draft_file_draft_id_draft")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_file")),
    )
    op.create_index("ix_draft_file_path", "draft_file", ["draft_id", "path"], unique=True)
    op.create_table(
        "draft_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=True),
        sa.Column("language", sa.String(length=5), nullable=True),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["draft_id"], ["draft.id"], name=op.f("fk_draft_event_draft_id_draft")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_draft_event_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_event")),
    )
    op.create_index("ix_draft_event_draft", "draft_event", ["draft_id", "id"], unique=False)


def downgrade() -> None:
    for index, table in (
        ("ix_draft_event_draft", "draft_event"),
        ("ix_draft_file_path", "draft_file"),
        ("ix_draft_slug", "draft"),
        ("ix_module_approval_version", "module_approval"),
        ("ix_module_file_version_path", "module_file"),
    ):
        op.drop_index(index, table_name=table)
        op.drop_table(table)

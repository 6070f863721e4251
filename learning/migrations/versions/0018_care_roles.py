"""The region's care roles become reference data every database has (before, only `flask demo seed` wrote them, so a
region run without the demo had no role to put anyone in), with a German label beside the Dutch and English ones.

The rows are a frozen copy: learning.environments.roles may change later, this migration must not. Roles already
stored (a demo seed) keep their labels; only a missing German label is filled in.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 03:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

CARE_ROLES = (
    ("hf_nurse", "Hartfalenverpleegkundige", "Heart failure nurse", "Pflegefachkraft Herzinsuffizienz"),
    ("np", "Verpleegkundig specialist", "Nurse practitioner", "Pflegeexpertin/Pflegeexperte APN"),
    ("cardiologist", "Cardioloog", "Cardiologist", "Kardiologin/Kardiologe"),
    (
        "monitoring_nurse",
        "Verpleegkundige medisch servicecentrum",
        "Monitoring-centre nurse",
        "Pflegefachkraft Telemonitoring-Zentrum",
    ),
    ("ward_nurse", "Verpleegkundige", "Ward nurse", "Pflegefachkraft Station"),
    ("lung_nurse", "Longverpleegkundige", "Respiratory nurse", "Pflegefachkraft Pneumologie"),
    ("pulmonologist", "Longarts", "Pulmonologist", "Pneumologin/Pneumologe"),
    ("diabetes_nurse", "Diabetesverpleegkundige", "Diabetes nurse", "Diabetesberaterin/Diabetesberater"),
    ("internist", "Internist", "Internist", "Internistin/Internist"),
    ("district_nurse", "Wijkverpleegkundige", "District nurse", "Pflegefachkraft ambulante Pflege"),
    ("casemanager_dem", "Casemanager dementie", "Dementia case manager", "Case-Management Demenz"),
    ("gp", "Huisarts", "General practitioner", "Hausärztin/Hausarzt"),
    ("poh", "Praktijkondersteuner huisarts", "GP practice nurse", "Praxisfachkraft Hausarztpraxis"),
    ("physio", "Fysiotherapeut", "Physiotherapist", "Physiotherapeutin/Physiotherapeut"),
)

staff_role = sa.table(
    "staff_role",
    sa.column("code", sa.String),
    sa.column("label_nl", sa.String),
    sa.column("label_en", sa.String),
    sa.column("label_de", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("staff_role") as batch:
        batch.add_column(sa.Column("label_de", sa.String(length=100), nullable=True))
    conn = op.get_bind()
    present = set(conn.scalars(sa.select(staff_role.c.code)))
    missing = [
        {"code": c, "label_nl": nl, "label_en": en, "label_de": de} for c, nl, en, de in CARE_ROLES if c not in present
    ]
    if missing:
        conn.execute(staff_role.insert(), missing)
    for code, _nl, _en, de in CARE_ROLES:
        conn.execute(
            staff_role.update().where(staff_role.c.code == code, staff_role.c.label_de.is_(None)).values(label_de=de)
        )


def downgrade() -> None:
    """Drop the German labels and the care roles nothing refers to (a role in use stays, as before a demo seed)."""
    conn = op.get_bind()
    used: sa.CompoundSelect = sa.union(
        sa.select(sa.column("role_code")).select_from(sa.table("staff_membership", sa.column("role_code"))),
        sa.select(sa.column("role_code")).select_from(sa.table("curriculum", sa.column("role_code"))),
    )
    unused = [code for code, *_ in CARE_ROLES if code not in set(conn.scalars(used))]
    if unused:
        conn.execute(staff_role.delete().where(staff_role.c.code.in_(unused)))
    with op.batch_alter_table("staff_role") as batch:
        batch.drop_column("label_de")

"""The region's care roles ("functies"): reference data that curricula target and the roster's memberships name.

Real data, not demo data: a region run without `flask demo seed` needs them as much as the demo does. Migration 0018
inserts a frozen copy of these rows; `ensure_care_roles` adds the ones missing later (the demo seed calls it, and so
can a test that starts from empty tables). Labels of rows already stored are never overwritten: a region may have
renamed them.
"""

from __future__ import annotations

from sqlalchemy import select

from learning.db import db
from learning.environments.models import StaffRole

# code: (Dutch, English, German)
CARE_ROLES: dict[str, tuple[str, str, str]] = {
    "hf_nurse": ("Hartfalenverpleegkundige", "Heart failure nurse", "Pflegefachkraft Herzinsuffizienz"),
    "np": ("Verpleegkundig specialist", "Nurse practitioner", "Pflegeexpertin/Pflegeexperte APN"),
    "cardiologist": ("Cardioloog", "Cardiologist", "Kardiologin/Kardiologe"),
    "monitoring_nurse": (
        "Verpleegkundige medisch servicecentrum",
        "Monitoring-centre nurse",
        "Pflegefachkraft Telemonitoring-Zentrum",
    ),
    "ward_nurse": ("Verpleegkundige", "Ward nurse", "Pflegefachkraft Station"),
    "lung_nurse": ("Longverpleegkundige", "Respiratory nurse", "Pflegefachkraft Pneumologie"),
    "pulmonologist": ("Longarts", "Pulmonologist", "Pneumologin/Pneumologe"),
    "diabetes_nurse": ("Diabetesverpleegkundige", "Diabetes nurse", "Diabetesberaterin/Diabetesberater"),
    "internist": ("Internist", "Internist", "Internistin/Internist"),
    "district_nurse": ("Wijkverpleegkundige", "District nurse", "Pflegefachkraft ambulante Pflege"),
    "casemanager_dem": ("Casemanager dementie", "Dementia case manager", "Case-Management Demenz"),
    "gp": ("Huisarts", "General practitioner", "Hausärztin/Hausarzt"),
    "poh": ("Praktijkondersteuner huisarts", "GP practice nurse", "Praxisfachkraft Hausarztpraxis"),
    "physio": ("Fysiotherapeut", "Physiotherapist", "Physiotherapeutin/Physiotherapeut"),
}

PATIENT_AUDIENCE_ROLE = ("patient", "Patiënt (programma-educatie)", "Patient (programme education)")
"""Not a care role: the code a curriculum uses for a programme's patients (no member of staff ever holds it)."""
PATIENT_AUDIENCE_LABEL_DE = "Patientin/Patient (Programmschulung)"


def ensure_care_roles() -> None:
    """Add the care roles that are missing, and a German label where a stored role has none (not committed)."""
    stored = {role.code: role for role in db.session.scalars(select(StaffRole))}
    for code, (nl, en, de) in CARE_ROLES.items():
        role = stored.get(code)
        if role is None:
            db.session.add(StaffRole(code=code, label_nl=nl, label_en=en, label_de=de))
        elif not role.label_de:
            role.label_de = de
    db.session.flush()


def label(role: StaffRole, language: str) -> str:
    """The role's name in the reader's language; English where a German label was never stored."""
    if language == "nl":
        return role.label_nl
    if language == "de" and role.label_de:
        return role.label_de
    return role.label_en


def care_roles() -> list[StaffRole]:
    """Every role a member of staff can hold (the patients' curriculum code is none), by code."""
    query = select(StaffRole).where(StaffRole.code != PATIENT_AUDIENCE_ROLE[0]).order_by(StaffRole.code)
    return list(db.session.scalars(query))


def find_care_role(text: str) -> str | None:
    """The code of the care role written as its code or one of its labels (any case), or None when unknown."""
    wanted = " ".join(text.split()).casefold()
    if not wanted:
        return None
    for role in care_roles():
        names = (role.code, role.label_nl, role.label_en, role.label_de or "")
        if wanted in {name.casefold() for name in names if name}:
            return role.code
    return None

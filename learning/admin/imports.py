"""Bulk import from CSV: staff from an HR export, patients by pseudonym. Preview first; nothing is imported while
any row is wrong, and every problem of every row is listed at once (the pattern of the RPM upload).

Staff columns (header row, `;` or `,`, UTF-8; see docs/admin.md):
  personnel_number (required; the HR number, kept as the roster pseudonym), email (required), display_name
  (required), role (professional, author, reviewer, manager or privacy_officer; default professional), team
  (a team name of the organisation; optional), line_manager_email (a manager of the organisation, or one in the
  same file; optional), care_role ("functie": a care role's code or name, any case; optional, needs a team).
  A person whose e-mail address already has an account in this organisation is updated (name, role, team, line
  manager, care role): an HR system exports everyone every time. An empty care role keeps the one the person has
  (a move to another team takes it along); the roster follows as in learning.admin.roster.
Patient columns: pseudonym (required; the care organisation's own patient number or pseudonym, no names),
  team (optional), role (patient or caregiver; default patient). Each row gets its own single-use invitation
  code, labelled with the pseudonym, for a letter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from learning.accounts.models import Invitation, Role, Team, User
from learning.accounts.services import normalise_email
from learning.admin import log
from learning.admin.invitations import InvitationData, make_invitation
from learning.admin.people import LINE_MANAGER_ROLES, unusable_password
from learning.admin.roster import current_care_role, sync_roster
from learning.admin.scope import Actor, require
from learning.db import db
from learning.environments.models import StaffMember
from learning.environments.roles import find_care_role
from learning.rpm.csv_io import CsvError, TooManyRows, read_csv
from learning.rpm.problems import N_, Problem

MAX_ROWS = 5_000
STAFF_COLUMNS = ("personnel_number", "email", "display_name", "role", "team", "line_manager_email", "care_role")
STAFF_REQUIRED = ("personnel_number", "email", "display_name")
STAFF_ROLES = (Role.PROFESSIONAL, Role.AUTHOR, Role.REVIEWER, Role.MANAGER, Role.PRIVACY_OFFICER)
PATIENT_COLUMNS = ("pseudonym", "team", "role")
PATIENT_ROLES = (Role.PATIENT, Role.CAREGIVER)
KINDS = ("staff", "patients")
ALIASES = {
    "e_mail": "email",
    "e_mail_address": "email",
    "email_address": "email",
    "line_manager_e_mail": "line_manager_email",
    "name": "display_name",
    # the Dutch headers HR systems in the region export
    "personeelsnummer": "personnel_number",
    "e_mailadres": "email",
    "naam": "display_name",
    "rol": "role",
    "leidinggevende": "line_manager_email",
    "functie": "care_role",
    "zorgrol": "care_role",
    "e_mail_leidinggevende": "line_manager_email",
    "pseudoniem": "pseudonym",
    "patientnummer": "pseudonym",
}


@dataclass
class Preview:
    """What a file would do: the rows read, and every problem; `ok` only without problems."""

    kind: str
    rows: list[dict[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    updates: int = 0  # staff rows that change an existing account

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.problems


@dataclass(frozen=True)
class Result:
    created: int
    updated: int
    invitations: list[Invitation]


def template_csv(kind: str) -> str:
    """An example file with the columns, as a spreadsheet opens it."""
    if kind == "staff":
        rows = ["personnel_number;email;display_name;role;team;line_manager_email;care_role",
                "HR-1001;j.jansen@example.org;Jan Jansen;professional;;;"]  # fmt: skip
    else:
        rows = ["pseudonym;team;role", "P-0001;;patient"]
    return "\r\n".join(rows) + "\r\n"


def _table(kind: str, data: bytes, preview: Preview) -> list[dict[str, str]]:
    columns = STAFF_COLUMNS if kind == "staff" else PATIENT_COLUMNS
    required = STAFF_REQUIRED if kind == "staff" else ("pseudonym",)
    try:
        table = read_csv(data, MAX_ROWS)
    except CsvError as error:
        preview.problems.append(error.problem)
        return []
    except TooManyRows:
        preview.problems.append(Problem(None, None, N_("The file has more than %(max)d rows."), {"max": MAX_ROWS}))
        return []
    table.header[:] = [ALIASES.get(name, name) for name in table.header]
    for name in table.header:
        if name not in columns:
            preview.problems.append(Problem(None, name, N_("Unknown column %(column)s: remove it."), {"column": name}))
    for name in required:
        if name not in table.header:
            preview.problems.append(Problem(None, name, N_("The column %(column)s is missing."), {"column": name}))
    if preview.problems:
        return []
    rows = []
    for cells in table.rows:
        row = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(table.header)}
        rows.append({name: row.get(name, "") for name in columns})
    if not any(any(row.values()) for row in rows):
        preview.problems.append(Problem(None, None, N_("The file has no rows below the header.")))
    return rows


def _teams(organisation_id: int) -> dict[str, int]:
    rows = db.session.execute(select(Team.name, Team.id).where(Team.organisation_id == organisation_id))
    return {name.casefold(): team_id for name, team_id in rows}


def preview(actor: Actor, organisation_id: int, kind: str, data: bytes) -> Preview:
    """Read and check a file without changing anything."""
    require(actor, organisation_id)
    result = Preview(kind)
    result.rows = _table(kind, data, result)
    check: Callable[[int, list[dict[str, str]], Preview], None] = _check_staff if kind == "staff" else _check_patients
    if result.rows and not result.problems:
        check(organisation_id, result.rows, result)
    return result


def _problem(result: Preview, index: int, where: str, template: str, /, **params: Any) -> None:
    result.problems.append(Problem(index, where, template, params))


def _check_staff(organisation_id: int, rows: list[dict[str, str]], result: Preview) -> None:
    teams = _teams(organisation_id)
    emails_in_file = {normalise_email(r["email"]) for r in rows}
    seen_email: dict[str, int] = {}
    seen_number: dict[str, int] = {}
    for i, row in enumerate(rows):
        email, number = normalise_email(row["email"]), row["personnel_number"]
        for name in STAFF_REQUIRED:
            if not row[name]:
                _problem(result, i, name, N_("Fill in %(column)s."), column=name)
        if email and ("@" not in email or any(ch.isspace() for ch in email) or len(email) > 254):
            _problem(result, i, "email", N_("%(value)s is not an e-mail address."), value=row["email"])
        if email in seen_email:
            _problem(result, i, "email", N_("This e-mail address is also on row %(row)d."), row=seen_email[email] + 2)
        seen_email.setdefault(email, i)
        if number in seen_number:
            _problem(result, i, "personnel_number", N_("This number is also on row %(row)d."),
                     row=seen_number[number] + 2)  # fmt: skip
        seen_number.setdefault(number, i)
        if len(row["display_name"]) > 100 or len(number) > 64:
            _problem(result, i, "display_name", N_("Too long: at most 100 characters for a name, 64 for a number."))
        role = row["role"].lower() or Role.PROFESSIONAL.value
        if role not in {r.value for r in STAFF_ROLES}:
            _problem(result, i, "role", N_("Unknown role %(value)s: use professional, author, reviewer, manager or "
                                           "privacy_officer."), value=row["role"])  # fmt: skip
        if row["team"] and row["team"].casefold() not in teams:
            _problem(result, i, "team", N_("There is no team %(value)s in this organisation."), value=row["team"])
        _check_line_manager(organisation_id, i, row, emails_in_file, rows, result)
        existing = db.session.scalar(select(User).where(User.email == email)) if email else None
        _check_care_role(i, row, existing, result)
        if email:
            if existing is not None and existing.organisation_id != organisation_id:
                _problem(result, i, "email", N_("%(value)s already has an account at another organisation."),
                         value=email)  # fmt: skip
            elif existing is not None:
                result.updates += 1
            _check_roster(organisation_id, i, number, existing, result)


def _check_care_role(i: int, row: dict[str, str], existing: User | None, result: Preview) -> None:
    """A care role named by its code or a label; it is held in a team (the row's, or the person's present one)."""
    if not row["care_role"]:
        return
    if find_care_role(row["care_role"]) is None:
        _problem(result, i, "care_role", N_("Unknown care role %(value)s: use a code or name from the list of care "
                                            "roles on this page."), value=row["care_role"])  # fmt: skip
    elif not row["team"] and (existing is None or existing.team_id is None):
        _problem(result, i, "care_role", N_("A care role belongs to a team: fill in team as well."))


def _check_roster(organisation_id: int, i: int, number: str, existing: User | None, result: Preview) -> None:
    """A personnel number already on the roster for another account would link two people to one record."""
    if not number:
        return
    linked = db.session.scalar(
        select(StaffMember.user_id).where(StaffMember.organisation_id == organisation_id, StaffMember.pid == number)
    )
    if linked is not None and (existing is None or linked != existing.id):
        _problem(result, i, "personnel_number", N_("This number already belongs to another person."))


def _check_line_manager(
    organisation_id: int, i: int, row: dict[str, str], in_file: set[str], rows: list[dict[str, str]], result: Preview
) -> None:
    manager = normalise_email(row["line_manager_email"])
    if not manager:
        return
    if manager == normalise_email(row["email"]):
        _problem(result, i, "line_manager_email", N_("A person cannot be their own line manager."))
        return
    if manager in in_file:
        listed = next(r for r in rows if normalise_email(r["email"]) == manager)
        if (listed["role"].lower() or "professional") != Role.MANAGER.value:
            _problem(result, i, "line_manager_email", N_("%(value)s is in the file, but not as a manager."),
                     value=manager)  # fmt: skip
        return
    found = db.session.scalar(
        select(User.id).where(
            User.email == manager, User.organisation_id == organisation_id, User.role.in_(LINE_MANAGER_ROLES),
            User.is_active_account.is_(True),
        )
    )  # fmt: skip
    if found is None:
        _problem(result, i, "line_manager_email", N_("%(value)s is not a manager of this organisation."),
                 value=manager)  # fmt: skip


def _check_patients(organisation_id: int, rows: list[dict[str, str]], result: Preview) -> None:
    teams = _teams(organisation_id)
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        pseudonym = row["pseudonym"]
        if not pseudonym:
            _problem(result, i, "pseudonym", N_("Fill in %(column)s."), column="pseudonym")
        elif "@" in pseudonym or len(pseudonym) > 64:
            _problem(result, i, "pseudonym", N_("Use a patient number or pseudonym (at most 64 characters), "
                                                "never an e-mail address or name."))  # fmt: skip
        elif pseudonym.casefold() in seen:
            _problem(result, i, "pseudonym", N_("This pseudonym is also on row %(row)d."),
                     row=seen[pseudonym.casefold()] + 2)  # fmt: skip
        elif _open_code_for(organisation_id, pseudonym):
            _problem(result, i, "pseudonym", N_("%(value)s already has a code that still works."), value=pseudonym)
        seen.setdefault(pseudonym.casefold(), i)
        if row["team"] and row["team"].casefold() not in teams:
            _problem(result, i, "team", N_("There is no team %(value)s in this organisation."), value=row["team"])
        if (row["role"].lower() or "patient") not in {r.value for r in PATIENT_ROLES}:
            _problem(result, i, "role", N_("Unknown role %(value)s: use patient or caregiver."), value=row["role"])


def _open_code_for(organisation_id: int, pseudonym: str) -> bool:
    from learning.admin.invitations import Status, status

    codes = db.session.scalars(
        select(Invitation).where(
            Invitation.organisation_id == organisation_id, func.lower(Invitation.label) == pseudonym.lower()
        )
    )
    return any(status(code) is Status.ACTIVE for code in codes)


def run(actor: Actor, organisation_id: int, kind: str, data: bytes, expires_on: date | None = None) -> Result:
    """Check the file again and, only when every row is right, import all rows in one transaction.

    :raises ImportRefused: with the preview, when any row is wrong (nothing is imported then).
    """
    checked = preview(actor, organisation_id, kind, data)
    if not checked.ok:
        raise ImportRefused(checked)
    teams = _teams(organisation_id)
    if kind == "staff":
        created, updated = _import_staff(organisation_id, checked.rows, teams)
        db.session.commit()
        log.record(actor, "admin.import.staff", f"organisation:{organisation_id} rows:{len(checked.rows)}")
        return Result(created, updated, [])
    invitations = [
        make_invitation(actor, organisation_id, InvitationData(
            role=Role(row["role"].lower() or "patient"), team_id=teams.get(row["team"].casefold()),
            max_uses=1, expires_on=expires_on, label=row["pseudonym"]))
        for row in checked.rows
    ]  # fmt: skip
    db.session.commit()
    log.record(actor, "admin.import.patients", f"organisation:{organisation_id} rows:{len(invitations)}")
    return Result(0, 0, invitations)


class ImportRefused(Exception):
    def __init__(self, checked: Preview) -> None:
        super().__init__(f"{len(checked.problems)} problem(s)")
        self.preview = checked


def _import_staff(organisation_id: int, rows: list[dict[str, str]], teams: dict[str, int]) -> tuple[int, int]:
    users: dict[str, User] = {}
    previous_teams: dict[str, int | None] = {}
    created = updated = 0
    for row in rows:
        email = normalise_email(row["email"])
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, password_hash=unusable_password(), organisation_id=organisation_id)
            db.session.add(user)
            created += 1
        else:
            updated += 1
        previous_teams[email] = user.team_id
        user.display_name = " ".join(row["display_name"].split())
        user.role = Role(row["role"].lower() or "professional")
        user.team_id = teams.get(row["team"].casefold()) if row["team"] else user.team_id
        users[email] = user
    db.session.flush()
    for row in rows:
        user = users[normalise_email(row["email"])]
        manager_email = normalise_email(row["line_manager_email"])
        manager_id = None
        if manager_email:
            manager = users.get(manager_email) or db.session.scalar(select(User).where(User.email == manager_email))
            manager_id = manager.id if manager else None
        staff = db.session.scalar(select(StaffMember).where(StaffMember.user_id == user.id))
        if staff is None:
            by_number = (StaffMember.organisation_id == organisation_id, StaffMember.pid == row["personnel_number"])
            staff = db.session.scalar(select(StaffMember).where(*by_number))
            if staff is None:
                staff = StaffMember(organisation_id=organisation_id, pid=row["personnel_number"])
                db.session.add(staff)
            staff.user_id = user.id
        staff.line_manager_user_id = manager_id
        db.session.flush()
        care_role = find_care_role(row["care_role"]) if row["care_role"] else current_care_role(user.id)
        sync_roster(user, care_role, previous_team=previous_teams[normalise_email(row["email"])])
    return created, updated

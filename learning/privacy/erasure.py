"""Erase a person (GDPR art. 17): hard-delete every row about them in the LMS and, through the LRS's own service,
in the LRS; make the access log's entries about them anonymous; recompute the metrics they counted in.

Order matters, because the LMS and the LRS commit separately (they may be two databases):
1. the account is closed and its outbox emptied, so nothing new about the person reaches the LRS;
2. the LRS erases (idempotent: if a later step fails, erasing again finishes the job);
3. the LMS deletes its rows in one transaction, the user row last;
4. the access log is made anonymous and the erasure appended, under the log's append lock;
5. the months the person counted in are recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import Column, Table, and_, delete, func, or_, select, update

from learning.accounts.models import Invitation, LoginFailure, User
from learning.accounts.throttle import key as throttle_key
from learning.audit.chain import Fields
from learning.audit.service import redact_person
from learning.caregivers.models import CareLink
from learning.db import Base, db, utcnow
from learning.environments.models import PatientLink, StaffMember, StaffMembership
from learning.metrics.arrivals import queue_months
from learning.metrics.models import PatientMonth, TrainingEvent, TrainingFirstAnswer, TrainingProgress
from learning.metrics.services import recompute_pending
from learning.personal_data.services import xapi_agent
from learning.player.models import Attempt, AttemptAnswer, AttemptStep
from learning.rpm.models import Alert, DailyMeasurement, Enrolment, StaffActivity
from learning.tracking.models import OutboxStatement

KEPT_RECORDS = {("draft", "created_by_id"), ("draft_event", "user_id"), ("module_approval", "reviewer_id")}
"""Columns naming a person in records the platform must keep (who wrote and who clinically approved a module):
an account they name is not erased but ended (docs/privacy.md, GDPR art. 17(3)(b))."""
HANDLED = {("attempt", "user_id"), ("care_link", "patient_id"), ("care_link", "caregiver_id"),
           ("care_link", "revoked_by_id"), ("patient_link", "user_id"), ("staff_member", "user_id")}  # fmt: skip


class ErasureRefused(Exception):
    """The account cannot be erased; `reason` is a stable key the page and the CLI turn into a message."""

    def __init__(self, reason: str, count: int = 0) -> None:
        super().__init__(reason)
        self.reason, self.count = reason, count


@dataclass(frozen=True)
class Eraser:
    """Who erases: `user:<id>` of a privacy officer or administrator, `cli:<os user>`, or None for the person."""

    actor: str | None
    role: str
    path: str


@dataclass
class Identifiers:
    """Everything the person can be recognised by, gathered before anything is deleted."""

    user_id: int
    email: str
    xapi_pid: str
    agent: dict[str, Any]
    patient_pids: list[tuple[int, str]] = field(default_factory=list)  # (programme, pseudonym)
    staff_pids: list[str] = field(default_factory=list)
    registrations: list[str] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        """The strings that name the person wherever they are written down."""
        return [self.email, self.xapi_pid, *(pid for _p, pid in self.patient_pids), *self.staff_pids]


@dataclass(frozen=True)
class Summary:
    """What an erasure will delete (shown on the confirmation page) or did delete (its result)."""

    attempts: int
    answers: int
    passed: int
    care_links: int
    programme_links: int
    statements: int | None = None  # None: not yet erased, or kept by a remote LRS
    documents: int | None = None
    access_log: int | None = None
    lrs_remote: bool = False
    remote_agent: dict[str, Any] | None = None  # the agent to erase on a remote LRS (`flask lrs erase-agent`)
    email: str = ""  # of the erased account, for that command only: it is stored nowhere any more


def find_person(text: str) -> User | None:
    """The account an e-mail address, xAPI account name or RPM/roster pseudonym names (paper requests)."""
    text = text.strip()
    if not text:
        return None
    user = db.session.scalar(select(User).where(or_(User.email == text.lower(), User.xapi_pid == text)))
    if user is not None:
        return user
    user_id = db.session.scalar(select(PatientLink.user_id).where(PatientLink.patient_pid == text).limit(1))
    user_id = user_id or db.session.scalar(select(StaffMember.user_id).where(StaffMember.pid == text).limit(1))
    return db.session.get(User, user_id) if user_id else None


def identifiers_of(user: User) -> Identifiers:
    """Gather the person's identifiers (call before anything is deleted)."""
    found = Identifiers(user.id, user.email, user.xapi_pid, xapi_agent(user))
    found.patient_pids = [(p, pid) for p, pid in db.session.execute(
        select(PatientLink.programme_id, PatientLink.patient_pid).where(PatientLink.user_id == user.id))]  # fmt: skip
    found.staff_pids = list(db.session.scalars(select(StaffMember.pid).where(StaffMember.user_id == user.id)))
    found.registrations = list(db.session.scalars(select(Attempt.registration).where(Attempt.user_id == user.id)))
    return found


def check_erasable(user: User) -> None:
    """Refuse when a kept record names the person.

    :raises ErasureRefused: "kept_records" with how many rows name them.
    """
    kept = [(t, c) for t, c in _user_columns() if (t.name, c.name) in KEPT_RECORDS]
    count = sum(db.session.scalar(select(func.count()).select_from(t).where(c == user.id)) or 0 for t, c in kept)
    if count:
        raise ErasureRefused("kept_records", count)


def summarise(user: User) -> Summary:
    """Count what erasing the person deletes in the LMS (the confirmation page shows it)."""
    attempts = db.session.scalars(select(Attempt).where(Attempt.user_id == user.id)).all()
    links = db.session.scalars(
        select(CareLink).where(or_(CareLink.patient_id == user.id, CareLink.caregiver_id == user.id))
    ).all()
    programmes = db.session.scalars(select(PatientLink).where(PatientLink.user_id == user.id)).all()
    return Summary(
        attempts=len(attempts),
        answers=sum(len(a.answers) for a in attempts),
        passed=sum(1 for a in attempts if a.passed),
        care_links=len(links),
        programme_links=len(programmes),
    )


def erase_person(user: User, eraser: Eraser) -> Summary:
    """Erase the person everywhere (see the module's docstring for the order); return what went."""
    check_erasable(user)
    before = summarise(user)
    ids = identifiers_of(user)
    _close(user, ids)
    erase = current_app.extensions.get("vtc.lrs_eraser")
    erased = erase(ids.agent, emails=[ids.email], texts=[ids.xapi_pid]) if erase is not None else None
    _delete_lms_rows(ids)
    if erase is not None:  # a statement an outbox run had already taken before step 1 may have arrived meanwhile
        again = erase(ids.agent, emails=[ids.email], texts=[ids.xapi_pid])
        erased = replace(erased, statements=erased.statements + again.statements) if erased else again
    label = eraser.actor or "(the account's owner)"
    action = "privacy.erase" if eraser.actor else "privacy.erase.self"
    entry = Fields(utcnow(), label, eraser.role, action, "an account", "privacy", eraser.path)
    redacted = redact_person(ids.user_id, ids.texts, entry)
    recompute_pending()
    return Summary(
        **{k: getattr(before, k) for k in ("attempts", "answers", "passed", "care_links", "programme_links")},
        statements=erased.statements if erased else None,
        documents=erased.documents if erased else None,
        access_log=redacted,
        lrs_remote=erased is None,
        remote_agent=ids.agent if erased is None else None,
        email=ids.email if erased is None else "",
    )


def _close(user: User, ids: Identifiers) -> None:
    """Close the account and drop its unsent statements, so nothing new about the person reaches the LRS."""
    user.is_active_account = False
    user.session_version += 1
    db.session.execute(delete(OutboxStatement).where(OutboxStatement.payload.contains(ids.xapi_pid, autoescape=True)))
    db.session.commit()


def _delete_lms_rows(ids: Identifiers) -> None:
    """Delete every LMS row about the person in one transaction, and queue the months they counted in."""
    uid, months = ids.user_id, set[tuple[int | None, date]]()
    months |= _delete_training(ids.xapi_pid)
    attempts = select(Attempt.id).where(Attempt.user_id == uid)
    for model in (AttemptAnswer, AttemptStep):
        db.session.execute(delete(model).where(model.attempt_id.in_(attempts)))
    db.session.execute(delete(Attempt).where(Attempt.user_id == uid))
    db.session.execute(delete(CareLink).where(or_(CareLink.patient_id == uid, CareLink.caregiver_id == uid)))
    db.session.execute(update(CareLink).where(CareLink.revoked_by_id == uid).values(revoked_by_id=None))
    for programme, pid in ids.patient_pids:
        months |= _delete_patient_rows(programme, pid)
    db.session.execute(delete(PatientLink).where(PatientLink.user_id == uid))
    staff = select(StaffMember.id).where(StaffMember.user_id == uid)
    db.session.execute(delete(StaffMembership).where(StaffMembership.staff_id.in_(staff)))
    db.session.execute(delete(StaffMember).where(StaffMember.user_id == uid))
    for pid in ids.staff_pids:
        days = db.session.scalars(select(StaffActivity.day).where(StaffActivity.staff_pid == pid)).all()
        months |= {(None, _month(day)) for day in days}
        db.session.execute(delete(StaffActivity).where(StaffActivity.staff_pid == pid))
    pseudonyms = [pid for _p, pid in ids.patient_pids] + ids.staff_pids
    if pseudonyms:
        db.session.execute(update(Invitation).where(Invitation.label.in_(pseudonyms)).values(label=None))
    failure_keys = [throttle_key(ids.email), throttle_key(f"mfa:{ids.email}")]  # wrong passwords, wrong codes
    db.session.execute(delete(LoginFailure).where(LoginFailure.account_key.in_(failure_keys)))
    _clear_other_references(uid)
    db.session.execute(delete(User).where(User.id == uid))
    queue_months(months)
    db.session.commit()


def _delete_training(pid: str) -> set[tuple[int | None, date]]:
    """The LMS's copy of the person's statements and their summaries; returns the months they counted in."""
    moments = db.session.scalars(select(TrainingEvent.timestamp).where(TrainingEvent.actor_pid == pid)).all()
    for model in (TrainingEvent, TrainingProgress, TrainingFirstAnswer):
        db.session.execute(delete(model).where(model.actor_pid == pid))
    return {(None, _month(at)) for at in moments}


def _delete_patient_rows(programme: int, pid: str) -> set[tuple[int | None, date]]:
    """The RPM rows of a patient linked to the account (their pseudonym in that programme)."""
    months: set[tuple[int | None, date]] = set()
    for model in (Enrolment, DailyMeasurement, Alert, PatientMonth):
        where = and_(model.programme_id == programme, model.patient_pid == pid)
        for row in db.session.scalars(select(model).where(where)).all():
            months |= {(getattr(row, "team_id", None), _month(v)) for v in _dates(row)}
        db.session.execute(delete(model).where(where))
    return months


def _dates(row: Any) -> list[date | datetime]:
    names = ("offered_at", "enrolled_at", "first_measurement_at", "disenrolled_at", "day", "created_at", "month")
    return [v for v in (getattr(row, n, None) for n in names) if isinstance(v, date)]


def _clear_other_references(uid: int) -> None:
    """Any other column naming the account: cleared when it may be empty, the row deleted when not.

    Read from the schema, so a table added later cannot keep a reference to an erased account unnoticed.
    """
    for table, column in _user_columns():
        if (table.name, column.name) in HANDLED | KEPT_RECORDS or table.name == "user_account":
            continue
        if column.nullable:
            db.session.execute(update(table).where(column == uid).values({column.name: None}))
        else:
            db.session.execute(delete(table).where(column == uid))


def _user_columns() -> list[tuple[Table, Column[Any]]]:
    return [
        (table, column)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if any(fk.column.table.name == "user_account" for fk in column.foreign_keys)
    ]


def _month(value: date | datetime) -> date:
    return date(value.year, value.month, 1)

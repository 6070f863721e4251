"""The rules of sharing: only the patient grants (by a code they hand over), the patient or the caregiver can end
it at any time, and a caregiver reads only what an active grant covers. Every grant, acceptance and end is logged.

Why a code and not an e-mail invitation: patients with low digital literacy often give the code in person or by
phone ("de code staat op je scherm"); it needs no address book and names nobody in our records before the
caregiver has an account. The code is 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L), valid for
7 days, stored only as a hash, and usable once: 32^8 ≈ 10^12 codes make guessing hopeless within its life.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from learning.accounts.models import Role, User
from learning.audit.recording import record_read
from learning.caregivers.models import CareLink
from learning.db import db, utcnow

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_LIFETIME = timedelta(days=7)


class SharingError(Exception):
    """A request the rules refuse; `reason` is a stable key the page turns into a message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class NewCode:
    link: CareLink
    code: str  # shown once to the patient, as XXXX-XXXX


def normalise_code(text: str) -> str:
    """What a person typed, as the code: case, spaces and dashes do not matter (the alphabet has no look-alikes)."""
    return "".join(text.split()).replace("-", "").upper()


def _log(action: str, patient_id: int) -> None:
    """Log a grant, acceptance or end before it is stored: the access log writes on its own connection, which
    must not wait behind this session's open write (SQLite has one writer), and a logged change that then failed
    to store is the safer error than a stored one that was never logged."""
    record_read(action, f"user:{patient_id}")


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def create_code(patient: User) -> NewCode:
    """Start a grant: a fresh code the patient gives to the caregiver of their choice."""
    if patient.role != Role.PATIENT:
        raise SharingError("not-a-patient")
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    _log("caregiver.code", patient.id)
    link = CareLink(patient_id=patient.id, code_hash=_hash(raw), code_expires_at=utcnow() + CODE_LIFETIME)
    db.session.add(link)
    db.session.commit()
    return NewCode(link, f"{raw[:4]}-{raw[4:]}")


def accept_code(caregiver: User, typed: str) -> CareLink:
    """Turn a patient's code into an active grant for this caregiver.

    :raises SharingError: "not-a-caregiver", "unknown-code" (wrong, used, revoked or expired: one answer, so a
        guess learns nothing), "own-code".
    """
    if caregiver.role != Role.CAREGIVER:
        raise SharingError("not-a-caregiver")
    code = normalise_code(typed)
    link = db.session.scalar(select(CareLink).where(CareLink.code_hash == _hash(code))) if code else None
    if link is None or not link.is_pending or link.code_expires_at <= utcnow():
        raise SharingError("unknown-code")
    if link.patient_id == caregiver.id:
        raise SharingError("own-code")
    existing = active_link(caregiver, link.patient_id)
    if existing is not None:  # the same patient again: keep the one grant, retire the spare code
        link.revoked_at, link.revoked_by_id = utcnow(), caregiver.id
        db.session.commit()
        return existing
    _log("caregiver.accept", link.patient_id)
    link.caregiver_id, link.accepted_at = caregiver.id, utcnow()
    db.session.commit()
    return link


def end_link(user: User, link_id: int) -> CareLink:
    """End a grant or withdraw an unused code; the patient and the caregiver of the link may both do it.

    :raises SharingError: "not-found" for a link that is not theirs (same answer as a missing one).
    """
    link = db.session.get(CareLink, link_id)
    if link is None or user.id not in (link.patient_id, link.caregiver_id):
        raise SharingError("not-found")
    if link.revoked_at is None:
        _log("caregiver.revoke", link.patient_id)
        link.revoked_at, link.revoked_by_id = utcnow(), user.id
        db.session.commit()
    return link


def links_of_patient(patient: User) -> list[CareLink]:
    """The patient's active grants and unused codes that have not expired, newest first."""
    rows = db.session.scalars(
        select(CareLink)
        .where(CareLink.patient_id == patient.id, CareLink.revoked_at.is_(None))
        .order_by(CareLink.created_at.desc())
    ).all()
    now = utcnow()
    return [link for link in rows if link.is_active or link.code_expires_at > now]


def shared_with(caregiver: User) -> list[tuple[CareLink, User]]:
    """The patients who let this caregiver see their progress."""
    rows = db.session.execute(
        select(CareLink, User)
        .join(User, User.id == CareLink.patient_id)
        .where(CareLink.caregiver_id == caregiver.id, CareLink.revoked_at.is_(None))
        .order_by(CareLink.accepted_at)
    ).all()
    return [(link, patient) for link, patient in rows]


def active_link(caregiver: User, patient_id: int) -> CareLink | None:
    return db.session.scalar(
        select(CareLink).where(
            CareLink.caregiver_id == caregiver.id,
            CareLink.patient_id == patient_id,
            CareLink.revoked_at.is_(None),
        )
    )


def patient_for(caregiver: User, link_id: int) -> User | None:
    """The patient whose progress an active grant lets this caregiver read, else None (refused like a 404)."""
    link = db.session.get(CareLink, link_id)
    if link is None or link.caregiver_id != caregiver.id or not link.is_active:
        return None
    return db.session.get(User, link.patient_id)


def people_names(ids: set[int]) -> dict[int, str]:
    """Display names (the e-mail address when there is none) for the other side of each link."""
    users = db.session.scalars(select(User).where(User.id.in_(ids))).all() if ids else []
    return {user.id: user.display_name or user.email for user in users}

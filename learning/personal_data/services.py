"""A person's copy of everything the platform keeps about them (GDPR art. 15 access, art. 20 portability).

One function gathers it, for the JSON download and the readable summary alike, so the two never differ: the
account and its settings, every attempt with its answers, progress and passed modules, links to care programmes
and staff rosters, who read their learning data (the access log), and what the LRS holds about them, read through
the LMS's own xAPI reader (the statements they appear in, their State and Agent Profile documents).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from learning.accounts.models import User
from learning.audit.models import AccessLogEntry
from learning.content.document import Quiz
from learning.content.services import get_document, get_module_text
from learning.db import db, utcnow
from learning.environments.models import PatientLink, Programme, StaffMember
from learning.player.models import Attempt
from learning.sso import identities
from learning.tracking.homes import learner_home
from learning.tracking.reader import current_reader

FORMAT = "vtc-personal-data/1"


@dataclass(frozen=True)
class Title:
    """A module's title in the reader's language, and how many steps and questions the version taken had."""

    text: str
    steps: int
    items: dict[str, Any]  # item id -> the question as the content defines it


def xapi_agent(user: User) -> dict[str, Any]:
    """The agent the platform records this person as in xAPI (see learning.player.services.learning_context)."""
    home = learner_home(current_app.config["XAPI_BASE_IRI"], user.organisation.pseudonym if user.organisation else None)
    return {"objectType": "Agent", "account": {"homePage": home, "name": user.xapi_pid}}


def collect_personal_data(user: User, language: str) -> dict[str, Any]:
    """Return everything kept about the person, as JSON-ready data in a documented shape (docs/privacy.md)."""
    attempts = _attempts(user, language)
    agent = xapi_agent(user)
    records = current_reader().read_agent(agent)
    return {
        "format": FORMAT,
        "exported_at": _iso(utcnow()),
        "account": _account(user, agent),
        "preferences": {
            "language": user.locale,
            "text_size": user.text_size,
            "contrast": user.contrast,
            "speech_voice": user.speech_voice,
            "speech_rate": user.speech_rate,
        },
        "progress": _progress(attempts),
        "attempts": attempts,
        "certificates": [
            {
                "module": a["module"],
                "title": a["title"],
                "version": a["version"],
                "passed_at": a["finished_at"],
                "score_scaled": a["score_scaled"],
            }
            for a in attempts
            if a["passed"]
        ],
        "care_programmes": _care_links(user),
        "work_accounts": identities.of_user(user),
        "access_log": _reads_of(user),
        "xapi": {"agent": agent, "statements": records.statements, "documents": records.documents},
    }


def _account(user: User, agent: dict[str, Any]) -> dict[str, Any]:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role.value,
        "organisation": user.organisation.name if user.organisation else None,
        "team": user.team.name if user.team else None,
        "created_at": _iso(user.created_at),
        "email_confirmed_at": _iso(user.email_confirmed_at),
        "active": user.is_active_account,
        "xapi_account": agent["account"],
    }


def _attempts(user: User, language: str) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(Attempt)
        .where(Attempt.user_id == user.id)
        .order_by(Attempt.started_at, Attempt.id)
        .options(selectinload(Attempt.module), selectinload(Attempt.answers), selectinload(Attempt.steps_seen))
    ).all()
    return [_attempt(attempt, _title(attempt, language)) for attempt in rows]


def _title(attempt: Attempt, language: str) -> Title:
    text = get_module_text(attempt.module, attempt.version, language)
    if text is None:
        return Title(attempt.module.slug, 0, {})
    document = get_document(text)
    items = {item.id: item for step in document.steps for item in step.items if hasattr(item, "id")}
    return Title(document.title, len(document.steps), items)


def _attempt(attempt: Attempt, title: Title) -> dict[str, Any]:
    return {
        "module": attempt.module.slug,
        "title": title.text,
        "version": attempt.version,
        "registration": attempt.registration,
        "started_at": _iso(attempt.started_at),
        "finished_at": _iso(attempt.finished_at),
        "active_seconds": round(attempt.active_seconds),
        "steps_total": title.steps,
        "steps_seen": [{"step": s.step_number, "first_seen_at": _iso(s.first_seen_at)} for s in attempt.steps_seen],
        "score_scaled": attempt.score_scaled,
        "passed": attempt.passed,
        "answers": [
            {
                "item": a.item_id,
                "question": getattr(title.items.get(a.item_id), "question", None),
                "response": a.response,
                "response_text": _response_text(title.items.get(a.item_id), a.response),
                "correct": a.correct,
                "answered_at": _iso(a.answered_at),
            }
            for a in attempt.answers
        ],
    }


def _response_text(item: Any, response: str) -> str | None:
    """The chosen options' texts for a multiple-choice answer (stored as their numbers); None for other kinds."""
    if not isinstance(item, Quiz):
        return None
    try:
        return "; ".join(item.choices[int(index)].text for index in response.split(",") if index.strip())
    except (ValueError, IndexError):
        return None


def _progress(attempts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per module: how often started, whether finished and passed, and the newest activity."""
    modules: dict[str, dict[str, Any]] = {}
    for attempt in attempts:
        row = modules.setdefault(
            attempt["module"],
            {"module": attempt["module"], "title": attempt["title"], "attempts": 0, "finished": False, "passed": False},
        )
        row["attempts"] += 1
        row["finished"] = row["finished"] or attempt["finished_at"] is not None
        row["passed"] = row["passed"] or bool(attempt["passed"])
        row["last_activity"] = attempt["finished_at"] or attempt["started_at"]
    return list(modules.values())


def _care_links(user: User) -> list[dict[str, Any]]:
    links = db.session.execute(
        select(Programme.name, PatientLink.consented_at)
        .join(Programme, Programme.id == PatientLink.programme_id)
        .where(PatientLink.user_id == user.id)
    ).all()
    found: list[dict[str, Any]] = [
        {"kind": "patient", "programme": name, "consented_at": _iso(at)} for name, at in links
    ]
    staff = db.session.scalars(
        select(StaffMember).where(StaffMember.user_id == user.id).options(selectinload(StaffMember.memberships))
    ).first()
    if staff is not None:
        found.append(
            {
                "kind": "staff roster",
                "organisation": staff.organisation.name,
                "teams": [
                    {
                        "team": m.team.name,
                        "role": m.role_code,
                        "start": str(m.start),
                        "end": str(m.end) if m.end else None,
                    }
                    for m in staff.memberships
                ],
            }
        )
    return found


def _reads_of(user: User) -> list[dict[str, Any]]:
    """Who read this person's learning data, by role (a colleague's account id is their own personal data)."""
    entries = db.session.scalars(
        select(AccessLogEntry).where(AccessLogEntry.subject == f"user:{user.id}").order_by(AccessLogEntry.id)
    ).all()
    return [
        {"at": _iso(e.at), "by": "you" if e.actor == f"user:{user.id}" else e.actor_role, "action": e.action}
        for e in entries
    ]


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")

"""Reading the access log for its page: filters from the query string, newest first, paged by id."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, select

from learning.accounts.models import User
from learning.audit.models import AccessLogEntry
from learning.db import db

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    """What the privacy officer asked for; empty strings and None mean "any"."""

    actor: str = ""
    action: str = ""
    subject: str = ""
    start: date | None = None
    end: date | None = None
    before: int | None = None  # show entries older than this id (the next page)

    def summary(self) -> str:
        """The filters as the subject of the page's own log entry."""
        parts = [f"{name}={value}" for name, value in self._shown().items() if value]
        return " ".join(["access_log", *parts])

    def _shown(self) -> dict[str, str]:
        return {"actor": self.actor, "action": self.action, "subject": self.subject,
                "from": self.start.isoformat() if self.start else "",
                "to": self.end.isoformat() if self.end else ""}  # fmt: skip

    def query_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for the next page's link), without the page itself."""
        return {name: value for name, value in self._shown().items() if value}


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def parse_filters(args: Mapping[str, str]) -> tuple[Filters, list[str]]:
    """Read the filters; return them with the names of the fields that could not be read (those are ignored)."""
    bad = [name for name in ("from", "to") if args.get(name, "").strip() and _date(args[name].strip()) is None]
    actor = args.get("actor", "").strip()
    before = args.get("before", "")
    filters = Filters(
        actor=f"user:{actor}" if actor.isdigit() else actor,
        action=args.get("action", "").strip(),
        subject=args.get("subject", "").strip(),
        start=_date(args.get("from", "").strip()),
        end=_date(args.get("to", "").strip()),
        before=int(before) if before.isdigit() and len(before) < 19 else None,
    )
    return filters, bad


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _filtered(filters: Filters) -> Select[AccessLogEntry]:
    query = select(AccessLogEntry)
    if filters.actor:
        query = query.where(AccessLogEntry.actor == filters.actor)
    if filters.action:
        query = query.where(AccessLogEntry.action == filters.action)
    if filters.subject:
        query = query.where(AccessLogEntry.subject.contains(filters.subject, autoescape=True))
    if filters.start:
        query = query.where(AccessLogEntry.at >= _day_start(filters.start))
    if filters.end:
        query = query.where(AccessLogEntry.at < _day_start(filters.end + timedelta(days=1)))
    return query


@dataclass(frozen=True)
class LogPage:
    entries: list[AccessLogEntry]
    older: int | None  # the `before` of the next page, if there are older entries
    emails: dict[str, str]  # "user:<id>" -> e-mail of the staff member or learner who read


def entries_page(filters: Filters, size: int = PAGE_SIZE) -> LogPage:
    """Return one page of matching entries, newest first, and the e-mail addresses of their actors.

    The log stores actors by id only; the page looks the address up so the privacy officer sees who it was.
    """
    query = _filtered(filters)
    if filters.before is not None:
        query = query.where(AccessLogEntry.id < filters.before)
    rows = list(db.session.scalars(query.order_by(AccessLogEntry.id.desc()).limit(size + 1)))
    entries, more = rows[:size], len(rows) > size
    ids = {int(e.actor[5:]) for e in entries if e.actor.startswith("user:") and e.actor[5:].isdigit()}
    users = db.session.execute(select(User.id, User.email).where(User.id.in_(ids))).all() if ids else []
    return LogPage(entries, entries[-1].id if more else None, {f"user:{uid}": email for uid, email in users})

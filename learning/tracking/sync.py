"""Bring what the LRS holds into the LMS's tables through xAPI, from where the last run stopped.

Run it with `flask xapi sync` (cron, a worker) or call `sync(current_reader())`; never inside a request. Rules:

- statements with a verb of our RPM profile -> RPM records, checked and upserted by learning/rpm/ingest.py like
  the CSV upload and the JSON API (rpm_batch.py);
- the LMS's own learning statements (actor account on XAPI_BASE_IRI, object one of our modules) -> TrainingEvent,
  one row per statement id, but only when their authority is the platform itself or an LRS credential linked to
  the learner's organisation (`flask rpm link-credential`); any other sender is rejected and reported, so nobody
  can post a nurse's or patient's training under their pseudonym;
- voiding statements -> TrainingEvent.voided on the statement they void (from a remote LRS, whose voiding rules
  are not ours, only when the platform or a credential linked to the learner's organisation voids; senders.py);
- anything else is counted as ignored; what is ours but cannot be mapped is skipped with a logged reason.

The cursor (the highest `stored` seen) is committed after a page's rows, so it never runs ahead of them. Every
write queues the months it touched for the metrics; at the end of a run the queue is drained (an incremental
recompute, learning/metrics/arrivals.py), so `flask xapi sync` leaves the metrics up to date.
A run starts OVERLAP before the cursor: the LRS stamps `stored` just before its commit, so a statement can become
visible after a later-stamped one was read. Re-reading that margin is harmless because every write is idempotent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from learning.db import db
from learning.metrics.models import SyncCursor
from learning.metrics.services import recompute_pending
from learning.tracking.homes import is_platform_home
from learning.tracking.profile import RpmIris
from learning.tracking.reader import PAGE, ReadError, StatementReader
from learning.tracking.rpm_batch import RpmBatch
from learning.tracking.senders import check_learner_home, check_learning_sender, check_void_sender
from learning.tracking.statements import format_timestamp
from learning.tracking.sync_rpm import Directory, Rejected, merge_rpm_statement, rpm_verb
from learning.tracking.sync_training import (
    Unmappable,
    account_of,
    insert_training_events,
    mark_voided,
    parse_timestamp,
    training_event,
    voided_target,
)

log = logging.getLogger(__name__)
CURSOR = "lrs-statements"
OVERLAP = timedelta(seconds=60)


@dataclass(frozen=True)
class Skipped:
    statement_id: str
    reason: str
    rejected: bool = False  # an RPM statement from a credential not linked to the programme's organisation


@dataclass
class SyncReport:
    """What one run did; `error` is set when it stopped early (the cursor stays after the last committed page)."""

    read: int = 0
    training_events: int = 0
    rpm_statements: int = 0
    voided: int = 0
    ignored: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    position: str | None = None
    error: str | None = None
    recomputed_months: int = 0  # months whose metrics were recomputed after the statements were read

    @property
    def rejected(self) -> list[Skipped]:
        """The skipped statements that were refused because of who sent them (a subset of `skipped`)."""
        return [skipped for skipped in self.skipped if skipped.rejected]


@dataclass
class _Page:
    """The statements of one page, sorted by what they become, written and committed together."""

    training: dict[str, dict[str, Any]] = field(default_factory=dict)
    voids: list[str] = field(default_factory=list)
    rpm: RpmBatch = field(default_factory=RpmBatch)
    skipped: list[Skipped] = field(default_factory=list)
    ignored: int = 0
    newest: datetime | None = None


def sync(
    reader: StatementReader, *, since: datetime | None = None, page_size: int = PAGE, recompute: bool = True
) -> SyncReport:
    """Read statements stored after the cursor (or after `since`) into the LMS's tables; never raises on data.

    Then, unless `recompute` is false or the run stopped early, recompute the metrics of the months that this run
    and any import since the last drain queued (learning/metrics/arrivals.py).
    """
    report = SyncReport(position=_position())
    start = since if since is not None else _start(report.position)
    iris, directory = RpmIris(current_app.config["XAPI_BASE_IRI"]), Directory()
    chunk: list[dict[str, Any]] = []
    try:
        for statement in reader.read_statements(start, limit=page_size):
            chunk.append(statement)
            if len(chunk) == page_size:
                _commit_page(chunk, iris, directory, report)
                chunk = []
        if chunk:
            _commit_page(chunk, iris, directory, report)
    except ReadError as exc:
        report.error = str(exc)
    except SQLAlchemyError as exc:
        db.session.rollback()
        report.error = f"database refused a page: {exc.__class__.__name__}: {exc}"[:1000]
    if report.error:
        log.warning("xAPI sync stopped at %s: %s", report.position, report.error)
    elif recompute:
        _recompute_metrics(report)
    return report


def _recompute_metrics(report: SyncReport) -> None:
    """Drain the metrics queue; on a database error the queue stays for the next run or `metrics recompute`."""
    try:
        report.recomputed_months = len(recompute_pending().periods)
    except SQLAlchemyError as exc:
        db.session.rollback()
        report.error = f"statements read, metrics not recomputed: {exc.__class__.__name__}: {exc}"[:1000]
        log.warning("xAPI sync: %s", report.error)


def _commit_page(chunk: list[dict[str, Any]], iris: RpmIris, directory: Directory, report: SyncReport) -> None:
    page = _Page()
    for statement in chunk:
        page.newest = _newer(page.newest, statement.get("stored"))
        try:
            _route(statement, iris, directory, page)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:  # data, never a reason to stop
            reason = str(exc) if isinstance(exc, Unmappable) else f"malformed statement ({exc.__class__.__name__})"
            page.skipped.append(Skipped(str(statement.get("id")), reason, rejected=isinstance(exc, Rejected)))
    new_events = insert_training_events(list(page.training.values())) if page.training else 0
    voided = mark_voided(page.voids)
    db.session.commit()  # before ingestion, whose retry on a concurrent import rolls the session back
    applied, refused = page.rpm.flush()
    page.skipped += [Skipped(statement_id, reason) for statement_id, reason in refused]
    position = report.position if page.newest is None else _advance(page.newest, report.position)
    db.session.commit()
    for skipped in page.skipped:
        what = "rejected" if skipped.rejected else "skipped"
        log.warning("xAPI sync %s statement %s: %s", what, skipped.statement_id, skipped.reason)
    report.read += len(chunk)
    report.training_events += new_events
    report.rpm_statements += len(applied)
    report.voided += voided
    report.ignored += page.ignored
    report.skipped += page.skipped
    report.position = position


def _route(statement: dict[str, Any], iris: RpmIris, directory: Directory, page: _Page) -> None:
    target = voided_target(statement)
    if target is not None:
        check_void_sender(statement, target, page.training, directory)
        page.voids.append(target)
        return
    if rpm_verb(statement, iris) is not None:
        merge_rpm_statement(statement, iris, directory, page.rpm)
        return
    account = account_of(statement)
    if account is not None and is_platform_home(account[0], iris.base):
        row = training_event(statement, iris.base)
        check_learner_home(account[0], row["actor_pid"], iris, directory)
        check_learning_sender(statement, row["actor_pid"], iris, directory)
        page.training[row["statement_id"]] = row
        return
    page.ignored += 1


def _newer(newest: datetime | None, stored: object) -> datetime | None:
    try:
        moment = parse_timestamp(stored)
    except Unmappable:
        return newest
    return moment if newest is None or moment > newest else newest


def _position() -> str | None:
    cursor = db.session.get(SyncCursor, CURSOR)
    return cursor.position if cursor is not None else None


def _start(position: str | None) -> datetime | None:
    return None if position is None else parse_timestamp(position) - OVERLAP


def _advance(newest: datetime, position: str | None) -> str:
    """Move the cursor to `newest` in the page's transaction; never backwards (a --since re-read stays behind)."""
    if position is not None and parse_timestamp(position) >= newest:
        return position
    text = format_timestamp(newest)
    cursor = db.session.get(SyncCursor, CURSOR)
    if cursor is None:
        db.session.add(SyncCursor(name=CURSOR, position=text))
    else:
        cursor.position = text
    return text

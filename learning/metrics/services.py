"""Recompute and store metric values: `recompute_all()` from scratch, `recompute_incremental()` after new data.

A run reads the organisational frame, reduces the large fact tables in SQL (GROUP BY) to per-person or per-patient
summaries once, computes every month's base cells, rolls them up to every scope, applies small-cell suppression and
upserts one row per (metric, definition version, scope, month). Recomputing replaces rows in place, so running twice
gives the same rows; rows of the current versions that a run no longer produces for its months are deleted, rows of
older definition versions are kept.

Incremental runs work per month, the unit every parent and every suppression decision needs (an organisation's
cell needs all its teams; complementary suppression looks at siblings). Stock and cohort metrics (coverage is
"done before b", retention looks 180 days back) make a change in month M affect M and every later month, so the
run recomputes from the earliest affected month to the newest month with data. The affected months come either
from the caller — (team id, month) pairs, e.g. from an import that knows what it wrote — or, without them, from
the data itself: Enrolment.updated_at at or after the previous run (the newest computed_at), and
TrainingEvent.timestamp, Alert.created_at/first_action_at and the `day` of daily rows and staff activity no more
than LATE_DAYS (7) before it, because yesterday's aggregates arrive today. Data dated earlier than that, and roster
or curriculum changes (they carry no timestamps), need explicit months (`changed`) or a full run. Imports queue the
months they touched (arrivals.py); `recompute_pending()` recomputes from the earliest of those and empties the queue.

A run over at most two months reads only those months of the big tables, and each learner's and patient's history
from summaries the writers keep (learner_state.py, patient_months.py); a longer run reduces the tables in one pass.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from learning.db import db, utcnow
from learning.metrics.arrivals import forget, queue_months, take_pending
from learning.metrics.changes import changed_months, data_range
from learning.metrics.compute import Inputs, compute_month, load_inputs
from learning.metrics.definitions import DEFINITIONS, sync_definitions
from learning.metrics.models import MetricValue
from learning.metrics.periods import Period, dialect_name, months_between
from learning.metrics.rollup import Accumulator, roll_up
from learning.metrics.scopes import Structure
from learning.metrics.suppression import Equation, MetricMonth, hide_partial_reach, suppress, suppress_linked
from learning.metrics.suppression_protect import protect
from learning.privacy.retention import cutoff as retention_cutoff

CELL_KEY = ["metric_code", "definition_version", "scope_type", "scope_id", "period_start"]
UPDATED = ("period_end", "numerator", "denominator", "value", "suppressed", "computed_at")


@dataclass(frozen=True)
class RunReport:
    periods: tuple[Period, ...]
    values: int
    seconds: float


def recompute_all(periods: Iterable[Period] | None = None) -> RunReport:
    """Recompute every metric for the given months (default: every month with data) and store the values."""
    if periods is None:
        queued = take_pending()[0]  # every month is recomputed: what is queued now is done once they are stored
        span = data_range()
        chosen = months_between(*span) if span else []
        report = _recompute(chosen, prune_everything=True)
        forget(queued)
        db.session.commit()
        return report
    return _recompute(sorted(set(periods)), prune_everything=False)


def recompute_incremental(changed: Iterable[tuple[int | None, Period]] | None = None) -> RunReport:
    """Recompute the months that new data touched, from the earliest of them to the newest month with data.

    `changed` names (team id or None, month) pairs; without it they are derived from timestamps since the last run.
    """
    months = {period for _team, period in changed} if changed is not None else changed_months()
    span = data_range()
    if not months or span is None:
        return RunReport((), 0, 0.0)
    return _recompute(months_between(min(months).start, max(span[1], max(months).start)), prune_everything=False)


def recompute_pending(*, since_last_run: bool = False) -> RunReport:
    """Recompute the months imports queued (arrivals.py), then take what this run did off the queue.

    With `since_last_run`, also the months with data written or dated since the previous run (see changed_months);
    they are queued first, so that a run that stops halfway leaves them for the next one like the imports' months.
    The queue rows are deleted only after every month is stored (months are written one transaction each, see
    _recompute): a crash in between leaves them queued, and the next run recomputes those months again, which
    gives the same rows. Rows queued while the run computed wait for the next run.
    """
    if since_last_run and (found := changed_months()):
        queue_months((None, period.start) for period in found)
        db.session.commit()
    ids, changed = take_pending()
    if not changed:
        return RunReport((), 0, 0.0)
    report = recompute_incremental(changed)
    forget(ids)
    db.session.commit()
    return report


def _recompute(periods: list[Period], *, prune_everything: bool) -> RunReport:
    """Compute month by month with no write transaction open, and store each month in a transaction of its own.

    SQLite has one write lock for the whole database: a run that wrote its first row and then computed for
    seconds (the first run after a seed: 24 s at a tenth of the demo) kept every log-in and answer waiting until
    its busy_timeout ran out (a 503). So the reading and computing happen outside any write transaction, and a
    month's rows (every metric and scope: suppression is decided per month across them, so a month is the
    smallest unit that may change at once) are upserted and pruned in one short transaction. A reader sees each
    month either before or after the run, never half a month; during a run some months may be new and later ones
    still old (docs/operations.md, "Live figures").
    """
    began = time.perf_counter()
    versions = sync_definitions()
    db.session.commit()  # a changed definition is a short write of its own, not the start of a long one
    run_at = utcnow()
    values = 0
    if periods:
        inputs = load_inputs(periods[0], periods[-1])
        db.session.commit()  # the summaries a narrow run may have rebuilt; nothing stays open while computing
        cache: dict[frozenset[Any], list[Equation]] = {}
        # METRICS_SUM_RULES: rules 2-3 before the audit (the older way: hides more team cells, see build_month)
        sum_rules = bool(current_app.config.get("METRICS_SUM_RULES", False))
        for period in periods:
            rows = _rows_for(period, inputs, versions, run_at, cache, sum_rules)
            _store(rows)
            _prune(versions, run_at, [period])
            db.session.commit()
            values += len(rows)
    if prune_everything:  # months that no longer have data (every month of the run was pruned as it was stored)
        _prune(versions, run_at, None)
        db.session.commit()
    return RunReport(tuple(periods), values, time.perf_counter() - began)


def month_cells(
    period: Period,
    inputs: Inputs,
    cache: dict[Any, list[Equation]],
    *,
    audit: bool = True,
    sum_rules: bool | None = None,
) -> dict[str, MetricMonth]:
    """Compute one month, roll every metric up and suppress small cells (see build_month).

    Returned with the base cells behind every scope, which the disclosure audit needs besides the cells."""
    return build_month(compute_month(period, inputs), inputs.structure, cache, audit=audit, sum_rules=sum_rules)


def build_month(
    acc: Accumulator,
    structure: Structure,
    cache: dict[Any, list[Equation]],
    *,
    audit: bool = True,
    sum_rules: bool | None = None,
) -> dict[str, MetricMonth]:
    """Roll one month's contributions up to every scope and suppress what may not be shown.

    A recompute (`audit=True`): the primary rule (suppression.py rule 1; small numerators of shares are banded, not
    hidden), rule 2 only for sums with a small residual and PT_REACH hidden where it differs from PT_ACTIVE (two
    disclosures the audit does not model: it bounds cells, not the base cells outside every child), then
    complements chosen by the disclosure audit wherever a small count is still recoverable (suppression_protect.py).
    The sum and linked rules (2-3) are left out by default: they do not know bands and hid many more team cells than
    the audit needs (docs/metrics-suppression.md, figures). `audit=False` applies rules 1-3 only, and
    `sum_rules=True` with the audit gives rules 1-4 (tests and bench/suppression.py compare)."""
    if sum_rules is None:
        sum_rules = not audit
    month: dict[str, MetricMonth] = {}
    for spec in DEFINITIONS:
        cells = roll_up(spec, acc, structure)
        sizes = acc.size(spec)
        members: dict[tuple[str, int], set[Any]] = {}
        for base in sizes:
            for scope in structure.scopes_of(base):
                members.setdefault(scope, set()).add(base)
        frozen = {s: frozenset(m) for s, m in members.items()}
        people = acc.people_of(spec)
        # without the sum rules, a small residual (patients without a team) still needs rule 2: it is no cell the
        # audit protects
        suppress(spec, cells, frozen, sizes, cache, people, complementary=sum_rules, residual_only=True)
        month[spec.code] = MetricMonth(spec, cells, frozen, sizes, people)
    if sum_rules:
        suppress_linked(month, cache)  # every metric's cells of the month exist: the joint pass over linked metrics
    else:
        hide_partial_reach(month, cache)
    if audit:
        protect(month, structure, cache)  # every small count still recoverable gets the audit's complements
    return month


def _rows_for(
    period: Period,
    inputs: Inputs,
    versions: dict[str, int],
    run_at: datetime,
    cache: dict[Any, list[Equation]],
    sum_rules: bool = False,
) -> list[dict[str, Any]]:
    """Return the rows to upsert for one month."""
    month = month_cells(period, inputs, cache, sum_rules=sum_rules)
    rows = []
    for spec in DEFINITIONS:
        fixed = {"metric_code": spec.code, "definition_version": versions[spec.code], "period_start": period.start,
                 "period_end": period.end, "computed_at": run_at}  # fmt: skip
        rows += [
            {**fixed, "scope_type": scope_type, "scope_id": scope_id, "numerator": cell.num,
             "denominator": cell.den, "value": cell.value, "suppressed": cell.suppressed}
            for (scope_type, scope_id), cell in month[spec.code].cells.items()
        ]  # fmt: skip
    return rows


def _store(rows: list[dict[str, Any]], chunk: int = 5000) -> None:
    """Upsert on the cell key: an existing row keeps its id and gets the new numbers."""
    insert = pg_insert if dialect_name() == "postgresql" else sqlite_insert
    statement = insert(MetricValue)
    upsert = statement.on_conflict_do_update(
        index_elements=CELL_KEY, set_={name: getattr(statement.excluded, name) for name in UPDATED}
    )
    for start in range(0, len(rows), chunk):
        db.session.execute(upsert, rows[start : start + chunk])


def _prune(versions: dict[str, int], run_at: datetime, periods: list[Period] | None) -> None:
    """Delete rows of the current versions that this run did not write (a scope or month that no longer exists).

    A full run keeps the months wholly before the retention cutoff: their raw rows were deleted on purpose, and
    the values shown for them are what remains (learning/privacy/retention.py)."""
    kept_before = retention_cutoff()
    for code, version in versions.items():
        query = delete(MetricValue).where(
            MetricValue.metric_code == code, MetricValue.definition_version == version, MetricValue.computed_at < run_at
        )
        if periods is not None:
            query = query.where(MetricValue.period_start.in_([p.start for p in periods]))
        elif kept_before is not None:
            query = query.where(MetricValue.period_end >= kept_before.date())
        db.session.execute(query)

"""CSV export of a dashboard's values, for the steering group's own analysis.

Rows come from `visible_values()` like every view, so a suppressed cell is exported as "suppressed" with empty
numbers. Machine-readable on purpose (comma-separated, decimal point, ISO dates, codes beside names) with a UTF-8
byte-order mark so spreadsheet programs read the accents in team and environment names correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from sqlalchemy import select

from learning.accounts.models import Organisation, Team
from learning.dashboards.values import metric_name
from learning.db import db
from learning.environments.models import Environment, Programme
from learning.metrics.definitions import BY_CODE
from learning.metrics.periods import Period
from learning.metrics.suppression import ShownValue, visible_values

HEADER = ("metric_code", "metric", "definition_version", "scope_type", "scope_id", "scope", "month", "numerator",
          "denominator", "value", "suppressed", "computed_at")  # fmt: skip


NAMED: dict[str, type[Team] | type[Organisation] | type[Programme] | type[Environment]] = {
    "team": Team, "organisation": Organisation, "programme": Programme, "environment": Environment,
}  # fmt: skip


def _names(scope_type: str) -> dict[int, str]:
    model = NAMED.get(scope_type)
    if model is None:
        return {0: "Twente"}
    return {row.id: row.name for row in db.session.execute(select(model.id, model.name))}


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def values_csv(scopes: Iterable[tuple[str, list[int]]], months: list[Period], locale: str) -> str:
    """Return every shown value of the scopes in the months as CSV text (with a byte-order mark)."""
    rows: list[ShownValue] = []
    for scope_type, ids in scopes:
        if months and ids:
            rows += visible_values(
                scope_type=scope_type, scope_ids=ids, period_from=months[0].start, period_to=months[-1].start
            )
    names = {scope_type: _names(scope_type) for scope_type in {r.scope_type for r in rows}}
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        spec = BY_CODE.get(row.metric_code)
        scope_name = names[row.scope_type].get(row.scope_id, "")
        writer.writerow(
            (row.metric_code, metric_name(spec, locale) if spec else row.metric_code, row.definition_version,
             row.scope_type, row.scope_id, scope_name, row.period_start.isoformat()[:7],
             _number(row.numerator), _number(row.denominator), _number(row.value), "yes" if row.suppressed else "no",
             row.computed_at.isoformat(timespec="seconds"))
        )  # fmt: skip
    return out.getvalue()

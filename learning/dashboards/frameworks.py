"""The metrics grouped the way implementation science reports them: RE-AIM dimensions and Kirkpatrick levels.

The grouping comes from each definition's framework tags (docs/metrics.md, "The metrics"), so a new metric lands
in the right panel by its definition alone. Kirkpatrick L4 (results) is not a metric of its own: docs/metrics.md
("Frameworks") compares team RPM figures before and after a team's training coverage crosses 80 %, reported as an
association, not a cause. That comparison uses medians of shown team-month values only: a median cannot be
subtracted back into a hidden cell the way a pooled sum could.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from learning.dashboards.charts import Point
from learning.dashboards.numbers import band_bound
from learning.dashboards.values import ValueIndex, metric_name, to_point
from learning.metrics.definitions import BY_CODE, DEFINITIONS, MetricSpec
from learning.metrics.periods import Period
from learning.metrics.scopes import Scope
from learning.metrics.visible import ShownValue

REAIM = (
    ("Reach", _l("Reach: who takes part")),
    ("Effectiveness", _l("Effectiveness: what it brings")),
    ("Adoption", _l("Adoption: which teams and staff take it up")),
    ("Implementation", _l("Implementation: is it done as intended")),
    ("Maintenance", _l("Maintenance: does it last")),
)
KIRKPATRICK = (
    ("L1", _l("Level 1 – Reaction: engaging and relevant")),
    ("L2", _l("Level 2 – Learning: knowledge and confidence")),
    ("L3", _l("Level 3 – Behaviour: applied on the job")),
)
COVERAGE = "TRN_COVERAGE"
COVERED = 0.8  # "a team with >= 80 % coverage" (docs/metrics.md, "Frameworks": RE-AIM Adoption)
RESULT_METRICS = ("PT_ACTIVATION", "PT_ACTIVE", "PT_ADHERENCE", "PT_DROPOUT", "ALERT_SLA")


@dataclass(frozen=True)
class MetricRow:
    """One metric of a scope: this month, the month before, and how many it counts."""

    spec: MetricSpec
    name: str
    current: Point
    previous: Point
    denominator: float | None


@dataclass(frozen=True)
class Group:
    key: str
    title: str | LazyString
    rows: tuple[MetricRow, ...]


def metric_row(spec: MetricSpec, index: ValueIndex, scope: Scope, month: Period, locale: str) -> MetricRow:
    shown = index.get(spec.code, scope, month)
    previous = Period.of(month.start - timedelta(days=1))
    return MetricRow(
        spec=spec,
        name=metric_name(spec, locale),
        current=to_point(shown),
        previous=index.point(spec.code, scope, previous),
        denominator=shown.denominator if shown is not None else None,
    )


def _tagged(prefix: str, name: str) -> list[MetricSpec]:
    return [spec for spec in DEFINITIONS if f"{prefix}:{name}" in spec.frameworks]


def reaim_groups(index: ValueIndex, scope: Scope, month: Period, locale: str) -> list[Group]:
    """Return the RE-AIM dimensions with the scope's metrics of each (a metric may serve two dimensions)."""
    return [
        Group(key, title, tuple(metric_row(s, index, scope, month, locale) for s in _tagged("RE-AIM", key)))
        for key, title in REAIM
    ]


def kirkpatrick_groups(index: ValueIndex, scope: Scope, month: Period, locale: str) -> list[Group]:
    """Return Kirkpatrick levels 1-3 with the scope's metrics of each."""
    return [
        Group(key, title, tuple(metric_row(s, index, scope, month, locale) for s in _tagged("Kirkpatrick", key)))
        for key, title in KIRKPATRICK
    ]


@dataclass(frozen=True)
class Association:
    """Kirkpatrick L4: a team figure in team-months with and without >= 80 % coverage."""

    spec: MetricSpec
    name: str
    covered: Point
    covered_n: int
    uncovered: Point
    uncovered_n: int


def _median(values: list[float]) -> Point:
    return Point(statistics.median(values)) if values else Point(None, "empty")


def _coverage_level(coverage: ShownValue) -> float | None:
    """Return a team-month's coverage, or for a band the share it lies below when that alone puts it under 80 %."""
    if coverage.band is not None and coverage.denominator is not None:
        bound = band_bound(coverage.band, coverage.denominator)
        return 0.0 if bound <= COVERED else None
    return coverage.value


def results_association(index: ValueIndex, team_ids: list[int], months: list[Period], locale: str) -> list[Association]:
    """Compare each result metric's median over team-months with coverage >= 80 % and below, shown cells only."""
    rows = []
    for code in RESULT_METRICS:
        spec = BY_CODE[code]
        covered: list[float] = []
        uncovered: list[float] = []
        for team in team_ids:
            for month in months:
                coverage = index.get(COVERAGE, ("team", team), month)
                result = index.get(code, ("team", team), month)
                level = None if coverage is None else _coverage_level(coverage)
                if level is None or result is None or result.value is None:
                    continue  # a banded result has no value to take a median of
                (covered if level >= COVERED else uncovered).append(result.value)
        rows.append(
            Association(spec, metric_name(spec, locale), _median(covered), len(covered), _median(uncovered),
                        len(uncovered))
        )  # fmt: skip
    return rows

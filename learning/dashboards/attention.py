"""What needs a manager's attention this month, in plain words, before any chart or table.

A manager opens a dashboard with one question: is something going wrong, and where? This module answers it with
three checks (docs/metrics.md, "What needs attention"): teams (or environments) below the training target, patients'
drop-out rising, and alerts handled within the norm less often than the aim. Each finding carries the shown figure,
its change since the month before and the scope it is about, so the page can link to the detail.

Privacy: every figure comes from the page's `ValueIndex`, which holds only what `visible_values()` lets through,
so a hidden cell arrives without numbers and can never be a finding, a change or a comparison here. A change is
given only when both months are shown; a scope whose figure is hidden is counted as "hidden", never judged.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from learning.dashboards.frameworks import COVERED, MetricRow, metric_row
from learning.dashboards.numbers import as_shown
from learning.dashboards.values import ValueIndex, spec_of
from learning.metrics.periods import Period
from learning.metrics.scopes import Scope

TRAINING_TARGET = COVERED  # at least 80 % of a team's staff fully trained (RE-AIM Adoption, docs/metrics.md)
ALERT_AIM = 0.9  # at least 9 in 10 alerts get a first action within their norm; below that is "outside the norm"
LISTED = 3  # findings named per check before "and N more": the summary must fit a phone's first screen

Check = Literal["training", "dropout", "alerts"]


@dataclass(frozen=True)
class Finding:
    """One scope that needs attention: its label, its figures (this month and the month before) and where."""

    scope: Scope
    label: str
    row: MetricRow


@dataclass(frozen=True)
class Concern:
    """One check's findings, worst first."""

    check: Check
    findings: tuple[Finding, ...]

    @property
    def listed(self) -> tuple[Finding, ...]:
        return self.findings[:LISTED]

    @property
    def more(self) -> int:
        return max(0, len(self.findings) - LISTED)


@dataclass(frozen=True)
class Attention:
    """Everything the summary says: the concerns that have findings, and how many units' figures were hidden."""

    concerns: tuple[Concern, ...]
    hidden: int
    units: int

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for concern in self.concerns for f in concern.findings)


def _shown(row: MetricRow) -> float | None:
    """The current value as the page rounds it, or None when it is hidden or empty."""
    return float(as_shown(row.current.value, row.spec.unit)) if row.current.value is not None else None


def _below(row: MetricRow, aim: Decimal) -> bool:
    """Whether the current figure is below an aim: a shown value, or a band whose bound ("< 25%") is at most the aim
    (then every count inside the band is below it). A band is listed with its band text, never as a figure."""
    bound = row.current.bound
    if bound is not None:
        return as_shown(bound, row.spec.unit) <= aim
    value = _shown(row)
    return value is not None and value < aim


def _order(row: MetricRow) -> float:
    bound = row.current.bound
    return float(as_shown(bound, row.spec.unit)) if bound is not None else (_shown(row) or 0.0)


def _rising(row: MetricRow) -> bool:
    """Whether the shown figure is higher than the shown figure of the month before (both must be shown)."""
    if row.current.value is None or row.previous.value is None:
        return False
    return as_shown(row.current.value, row.spec.unit) > as_shown(row.previous.value, row.spec.unit)


def _change(row: MetricRow) -> float:
    if row.current.value is None or row.previous.value is None:
        return 0.0
    return float(as_shown(row.current.value, row.spec.unit) - as_shown(row.previous.value, row.spec.unit))


def attention(
    index: ValueIndex, units: list[tuple[Scope, str]], total: tuple[Scope, str], month: Period, locale: str
) -> Attention:
    """Return what needs attention in `month` for the `units` (teams or environments) and their `total` scope.

    Training is judged per unit (the target is a team's); drop-out and alerts for the total first, then per unit,
    so a manager sees both the overall picture and where it comes from.
    """
    coverage = spec_of("TRN_COVERAGE")
    training = []
    hidden = 0
    for scope, label in units:
        row = metric_row(coverage, index, scope, month, locale)
        if row.current.status == "suppressed":
            hidden += 1
        if _below(row, as_shown(TRAINING_TARGET, coverage.unit)):
            training.append(Finding(scope, label, row))
    training.sort(key=lambda f: (_order(f.row), f.label))

    everyone = [total, *units]
    dropout_spec, alert_spec = spec_of("PT_DROPOUT"), spec_of("ALERT_SLA")
    dropout = [
        Finding(scope, label, row)
        for scope, label in everyone
        if _rising(row := metric_row(dropout_spec, index, scope, month, locale))
    ]
    dropout.sort(key=lambda f: (f.scope != total[0], -_change(f.row), f.label))
    aim = as_shown(ALERT_AIM, alert_spec.unit)
    alerts = [
        Finding(scope, label, row)
        for scope, label in everyone
        if _below(row := metric_row(alert_spec, index, scope, month, locale), aim)
    ]
    alerts.sort(key=lambda f: (f.scope != total[0], _order(f.row), f.label))
    concerns = (
        Concern("training", tuple(training)),
        Concern("dropout", tuple(dropout)),
        Concern("alerts", tuple(alerts)),
    )
    return Attention(tuple(c for c in concerns if c.findings), hidden, len(units))

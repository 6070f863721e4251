"""Collect contributions per base cell, then build every scope's cell from them.

Ratios and means are re-aggregated as Σ numerator / Σ denominator over the scope's base cells (never a mean of
child percentages). Medians and the 90th percentile are computed from all underlying values of the scope at every
level; their cell stores n (the number of values) as denominator and no numerator.

Every contribution can name WHO it comes from (`who`: ("staff", staff id) or ("patient", organisation, pseudonym)).
The people are collected as a set per (metric, base cell) and a scope's people are the union over its base cells,
so a member of staff in two teams is one person at the organisation. Only whether a scope has fewer people than
the metric's min_cell matters (the small-cell rule), so the union of a scope stops growing once it reaches min_cell:
`Cell.people` is the exact number of people below min_cell and at least min_cell otherwise.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from learning.metrics.definitions import MetricSpec
from learning.metrics.scopes import BaseCell, Scope, Structure


@dataclass
class Tally:
    num: float = 0.0
    den: float = 0.0

    def add(self, num: float, den: float) -> None:
        self.num += num
        self.den += den


@dataclass
class Accumulator:
    """What one month's computations counted, per metric code and base cell."""

    tallies: dict[str, dict[BaseCell, Tally]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(Tally)))
    samples: dict[str, dict[BaseCell, list[float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    people: dict[str, dict[BaseCell, set[Hashable]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set))
    )

    def count(self, code: str, cell: BaseCell, num: float, den: float, who: Hashable | None = None) -> None:
        self.tallies[code][cell].add(num, den)
        if who is not None:
            self.people[code][cell].add(who)

    def sample(self, code: str, cell: BaseCell, value: float, who: Hashable | None = None) -> None:
        self.samples[code][cell].append(value)
        if who is not None:
            self.people[code][cell].add(who)

    def people_of(self, spec: MetricSpec) -> dict[BaseCell, set[Hashable]] | None:
        """Return the people per base cell of a metric that counts people, None for one that does not."""
        return self.people.get(spec.code, {}) if spec.counts_people else None

    def size(self, spec: MetricSpec) -> dict[BaseCell, tuple[float | None, float]]:
        """Return (numerator, denominator) per non-empty base cell; n for statistics (no numerator)."""
        if spec.statistic in {"median", "p90"}:
            return {cell: (None, float(len(v))) for cell, v in self.samples.get(spec.code, {}).items() if v}
        tallies = self.tallies.get(spec.code, {})
        return {c: (t.num, t.den / spec.per) for c, t in tallies.items() if t.den or t.num}


@dataclass
class Cell:
    num: float | None
    den: float
    value: float | None
    suppressed: bool = False
    people: int | None = None  # distinct people, exact below min_cell (None: the metric counts no people)


def percentile_nearest_rank(values: list[float], share: float) -> float:
    """Return the nearest-rank percentile: the ⌈share·n⌉-th smallest value (an observed value, never a blend)."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


def _statistic(spec: MetricSpec, values: list[float]) -> float | None:
    if not values:
        return None
    if spec.statistic == "median":
        return float(statistics.median(values))
    return percentile_nearest_rank(values, 0.9)


def count_people(groups: Iterable[set[Hashable]], cap: int) -> int:
    """Return the size of the union of the groups, exact below `cap` (the count stops growing once it reaches it)."""
    union: set[Hashable] = set()
    for group in groups:
        if len(union) >= cap:
            break
        union.update(group)
    return len(union)


def roll_up(spec: MetricSpec, acc: Accumulator, structure: Structure) -> dict[Scope, Cell]:
    """Return the cell of every scope in the metric's universe, built from the base cells under it."""
    universe = structure.universe(spec.team_scope)
    if spec.statistic in {"median", "p90"}:
        pooled: dict[Scope, list[float]] = {scope: [] for scope in universe}
        for cell, values in acc.samples.get(spec.code, {}).items():
            for scope in structure.scopes_of(cell):
                if scope in pooled:
                    pooled[scope].extend(values)
        cells = {s: Cell(None, float(len(v)), _statistic(spec, v)) for s, v in pooled.items()}
    else:
        sums: dict[Scope, Tally] = {scope: Tally() for scope in universe}
        for cell, tally in acc.tallies.get(spec.code, {}).items():
            for scope in structure.scopes_of(cell):
                if scope in sums:
                    sums[scope].add(tally.num, tally.den)
        cells = {s: _ratio(t.num, t.den / spec.per) for s, t in sums.items()}
    people = acc.people_of(spec)
    if people is not None:
        groups: dict[Scope, list[set[Hashable]]] = {scope: [] for scope in universe}
        for cell, who in people.items():
            for scope in structure.scopes_of(cell):
                if scope in groups:
                    groups[scope].append(who)
        for scope, found in groups.items():
            cells[scope].people = count_people(found, spec.min_cell)
    return cells


def _ratio(num: float, den: float) -> Cell:
    return Cell(num, den, num / den if den else None)

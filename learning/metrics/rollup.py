"""Collect contributions per base cell, then build every scope's cell from them.

Ratios and means are re-aggregated as Σ numerator / Σ denominator over the scope's base cells (never a mean of
child percentages). Medians and the 90th percentile are computed from all underlying values of the scope at every
level; their cell stores n (the number of values) as denominator and no numerator.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
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

    def count(self, code: str, cell: BaseCell, num: float, den: float) -> None:
        self.tallies[code][cell].add(num, den)

    def sample(self, code: str, cell: BaseCell, value: float) -> None:
        self.samples[code][cell].append(value)

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


def roll_up(spec: MetricSpec, acc: Accumulator, structure: Structure) -> dict[Scope, Cell]:
    """Return the cell of every scope in the metric's universe, built from the base cells under it."""
    universe = structure.universe(spec.team_scope)
    if spec.statistic in {"median", "p90"}:
        pooled: dict[Scope, list[float]] = {scope: [] for scope in universe}
        for cell, values in acc.samples.get(spec.code, {}).items():
            for scope in structure.scopes_of(cell):
                if scope in pooled:
                    pooled[scope].extend(values)
        return {s: Cell(None, float(len(v)), _statistic(spec, v)) for s, v in pooled.items()}
    sums: dict[Scope, Tally] = {scope: Tally() for scope in universe}
    for cell, tally in acc.tallies.get(spec.code, {}).items():
        for scope in structure.scopes_of(cell):
            if scope in sums:
                sums[scope].add(tally.num, tally.den)
    return {s: _ratio(t.num, t.den / spec.per) for s, t in sums.items()}


def _ratio(num: float, den: float) -> Cell:
    return Cell(num, den, num / den if den else None)

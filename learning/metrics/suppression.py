"""Small-cell suppression: which stored values may be shown, and `visible_values()`, the only way to read them out.

Rules (applied per metric and month when values are computed; the result is the stored `suppressed` flag):

1. Primary. A cell is suppressed when its denominator, or its numerator when that counts people or events, is
   below the metric's min_cell: 5 for staff-derived metrics, 10 for patient-derived ones (metrics.md §1.10; a
   design choice, not a legal threshold). Means (CONF_GAIN) check only n; medians and P90 check n, stored as the
   denominator. Setting-level metrics (TEAM_ADOPT, PROG_SUSTAIN) count teams and months, not people: min_cell 0.
   A zero is suppressed too when min_cell > 0 (0 < 5): "nobody in this team" is itself a small-cell disclosure.
2. Complementary. Wherever a shown parent is the exact sum of children of one scope type (organisation = Σ its
   teams, programme = Σ its teams, environment = Σ its programmes, region = Σ environments, …, found from the base
   cells under each scope, so any pair of scope types whose cells partition another is covered), one hidden child
   could be recovered as parent - Σ shown children. So when exactly one unknown remains in such a sum, the
   smallest shown child (fewest in the denominator) is suppressed as well — or, when there is no other child, the
   parent. Likewise a suppressed parent whose children are all shown would be their sum: its smallest child is
   suppressed. Base cells under a parent that no child covers (patients without a team) form a residual; a residual
   that is itself small counts as an unknown that needs the same protection, a residual that is not small is
   treated as known (the cautious assumption). The rules are repeated until nothing changes, because each new
   suppression can leave another sum with one unknown. Children that overlap (a team in two programmes of one
   environment) do not form a plain sum and are not used; empty cells (denominator 0) are known zeros. Nested
   teams add sums of teams within a team: a parent team = Σ its outermost sub-teams + its own facts (the
   residual), and wherever teams are the children only the outermost ones count (a sub-team is inside its parent).
3. Suppressed values are stored with their numbers (recomputation and audits need them) but never shown:
   every view and export reads them through `visible_values()`, which blanks numerator, denominator and value.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from learning.db import db
from learning.metrics.definitions import MetricSpec
from learning.metrics.models import MetricDefinition, MetricValue
from learning.metrics.rollup import Cell
from learning.metrics.scopes import SCOPE_TYPES, BaseCell, Scope

Sizes = dict[BaseCell, tuple[float | None, float]]


def is_small(spec: MetricSpec, num: float | None, den: float) -> bool:
    """Return whether a cell falls under the primary small-cell rule."""
    if spec.min_cell == 0:
        return False
    return den < spec.min_cell or (spec.counts_numerator and num is not None and num < spec.min_cell)


@dataclass(frozen=True)
class Equation:
    """parent = Σ children + residual, over the base cells each holds."""

    parent: Scope
    children: tuple[Scope, ...]
    residual: frozenset[BaseCell]


def find_equations(members: dict[Scope, frozenset[BaseCell]]) -> list[Equation]:
    """Return every exact 'parent = Σ children of one type (+ residual)' among the non-empty scopes."""
    holders: dict[BaseCell, list[Scope]] = defaultdict(list)
    for scope, cells in members.items():
        for cell in cells:
            holders[cell].append(scope)
    equations = []
    for parent, cells in members.items():
        for child_type in SCOPE_TYPES:
            if child_type == parent[0] and child_type != "team":  # only teams nest
                continue
            candidates = {s for cell in cells for s in holders[cell] if s[0] == child_type and s != parent}
            children = sorted(s for s in candidates if members[s] <= cells)
            if child_type == "team":
                children = _outermost(children, members)
            union = frozenset().union(*(members[s] for s in children))
            if children and sum(len(members[s]) for s in children) == len(union):
                equations.append(Equation(parent, tuple(children), cells - union))
    return equations


def _outermost(teams: list[Scope], members: dict[Scope, frozenset[BaseCell]]) -> list[Scope]:
    """Leave out teams inside another of the teams (a sub-team; of teams with the same cells, keep the first)."""
    return [
        t for t in teams
        if not any(members[t] < members[o] or (members[t] == members[o] and o < t) for o in teams if o != t)
    ]  # fmt: skip


def _smallest(cells: dict[Scope, Cell], scopes: list[Scope]) -> Scope | None:
    return min(scopes, key=lambda s: (cells[s].den, cells[s].num or 0.0, s), default=None)


def _target(spec: MetricSpec, cells: dict[Scope, Cell], eq: Equation, sizes: Sizes) -> Scope | None:
    """Return the cell that must be suppressed so this sum does not give a hidden cell away, if any."""
    hidden = sum(1 for c in eq.children if cells[c].suppressed)
    shown = [c for c in eq.children if not cells[c].suppressed]
    res_num = sum(sizes[c][0] or 0.0 for c in eq.residual)
    small_residual = bool(eq.residual) and is_small(spec, res_num, sum(sizes[c][1] for c in eq.residual))
    unknowns = hidden + small_residual
    if not cells[eq.parent].suppressed and unknowns == 1:
        return _smallest(cells, shown) or eq.parent
    if cells[eq.parent].suppressed and unknowns == 0:
        return _smallest(cells, shown)
    return None


def suppress(
    spec: MetricSpec,
    cells: dict[Scope, Cell],
    members: dict[Scope, frozenset[BaseCell]],
    sizes: Sizes,
    equations_cache: dict[frozenset[BaseCell], list[Equation]],
) -> None:
    """Set `suppressed` on every cell of one metric-month: primary first, then complementary to a fixpoint."""
    for cell in cells.values():
        cell.suppressed = is_small(spec, cell.num, cell.den)
    if spec.min_cell == 0:
        return
    key = frozenset(sizes)
    if key not in equations_cache:
        equations_cache[key] = find_equations({s: m for s, m in members.items() if m and s in cells})
    changed = True
    while changed:
        changed = False
        for equation in equations_cache[key]:
            target = _target(spec, cells, equation, sizes)
            if target is not None:
                cells[target].suppressed = changed = True


@dataclass(frozen=True)
class ShownValue:
    """A stored value as it may be shown: numbers are None when the cell is suppressed."""

    metric_code: str
    definition_version: int
    scope_type: str
    scope_id: int
    period_start: date
    period_end: date
    numerator: float | None
    denominator: float | None
    value: float | None
    suppressed: bool
    computed_at: datetime


def visible_values(
    *,
    metric_codes: list[str] | None = None,
    scope_type: str | None = None,
    scope_ids: list[int] | None = None,
    period_from: date | None = None,
    period_to: date | None = None,
) -> list[ShownValue]:
    """Return values of the current definition versions, suppressed cells blanked; every view and export uses this."""
    current = (
        select(MetricDefinition.code, func.max(MetricDefinition.version).label("version"))
        .group_by(MetricDefinition.code)
        .subquery()
    )
    columns = (MetricValue.metric_code, MetricValue.definition_version, MetricValue.scope_type, MetricValue.scope_id,
               MetricValue.period_start, MetricValue.period_end, MetricValue.numerator, MetricValue.denominator,
               MetricValue.value, MetricValue.suppressed, MetricValue.computed_at)  # fmt: skip
    # Plain rows, not ORM objects: a dashboard reads thousands of cells per page and needs no identity map.
    query = select(*columns).join(
        current, (MetricValue.metric_code == current.c.code) & (MetricValue.definition_version == current.c.version)
    )
    if metric_codes is not None:
        query = query.where(MetricValue.metric_code.in_(metric_codes))
    if scope_type is not None:
        query = query.where(MetricValue.scope_type == scope_type)
    if scope_ids is not None:
        query = query.where(MetricValue.scope_id.in_(scope_ids))
    if period_from is not None:
        query = query.where(MetricValue.period_start >= period_from)
    if period_to is not None:
        query = query.where(MetricValue.period_start <= period_to)
    order = (MetricValue.metric_code, MetricValue.scope_type, MetricValue.scope_id, MetricValue.period_start)
    return [_shown(*row) for row in db.session.execute(query.order_by(*order))]


def _shown(
    code: str, version: int, scope_type: str, scope_id: int, start: date, end: date, num: float | None,
    den: float | None, value: float | None, suppressed: bool, computed_at: datetime,
) -> ShownValue:  # fmt: skip
    if suppressed:
        num = den = value = None
    return ShownValue(code, version, scope_type, scope_id, start, end, num, den, value, suppressed, computed_at)

"""Disclosure audit: what an attacker can derive about every hidden cell from everything that is shown.

Suppression (suppression.py) hides cells by rules; this module checks the result the way statistical offices do
(τ-ARGUS, "protection levels"): it writes down every linear fact a reader of the dashboards and exports knows and
asks a linear-programming solver how small and how large each hidden number can be.

The attacker's knowledge, per month (months are separate: every metric is computed per month, and the stock
metrics' month-to-month changes are not a sum of other shown cells):
- every shown cell's numerator and denominator, as the sum of its base cells (rollup.py: a scope's cell is the sum
  over the base cells under it, so parent = Σ children holds through the shared base cells, for every pair of
  scope types at once, overlapping programmes and nested teams included);
- which base cells can hold data: every team for a staff metric; a programme's teams and monitoring centre (or the
  programme itself when it has no centre) for a patient metric; programmes for PT_REACH; and any other base cell
  that has data. An empty cell is hidden like any small cell (0 < min_cell), so its zero is an unknown ≥ 0 too;
- linked metrics (LINKED_GROUPS): a count that two metrics share is one unknown wherever their base cells hold the
  same number, and the two scope sums are equal wherever their true values are (PT_REACH counts a programme's
  patients under other base cells than PT_ACTIVE). Adding only facts that are true errs on the attacker's side;
- counts are ≥ 0; a share's numerator is ≤ its denominator (every ratio metric but PT_REACH and ALERT_RATE); a
  mean's numerator lies within ±4 n (CONF_GAIN's gain on a 1-5 scale);
- integrality is ignored (the LP relaxation, the standard method): the intervals are at most a rounding wider
  than the integer ones.

The protection rule: a cell hidden by the primary rule (a small cell) is *sensitive*. For each side of it that is a
count (its denominator unless that is scaled, as ALERT_RATE's patient-days per 100; its numerator for a ratio), the
attacker's interval [low, high] must be at least the metric's min_cell wide (5 staff, 10 patients or events). The
attacker then cannot tell a small count from a count at the threshold, nor tell 0 from min_cell, which is what the
threshold protects. A cell that misses this is *recoverable*. An empty hidden cell (nobody in it) is not
sensitive: its zero describes no one. Cells hidden only to protect others (complementary
or linked) need no protection of their own (as in τ-ARGUS: secondary cells have no protection level).

The system splits into independent parts: one per (month, metric), or per (month, linked group) for metrics that
share counts. Each part is a few hundred unknowns at most; HiGHS (scipy.optimize.linprog) solves the min and max of
each sensitive side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from learning.metrics.definitions import MetricSpec
from learning.metrics.rollup import Cell
from learning.metrics.scopes import BaseCell, Scope, Structure
from learning.metrics.suppression import DEN, LINKED_GROUPS, NUM, MetricMonth, is_small

NOT_SHARES = frozenset({"PT_REACH", "ALERT_RATE"})  # ratios whose numerator may exceed the denominator
MEAN_SPAN = 4.0  # CONF_GAIN: a difference of two answers on a 1-5 scale
TOLERANCE = 1e-6
Var = tuple[str, str, BaseCell]  # (metric code, side, base cell)


@dataclass(frozen=True)
class Finding:
    """What the attacker can derive about one side of one sensitive hidden cell."""

    metric: str
    scope: Scope
    side: str
    true: float
    low: float
    high: float
    required: float

    @property
    def width(self) -> float:
        return self.high - self.low

    @property
    def recoverable(self) -> bool:
        return self.width + TOLERANCE < self.required


@dataclass
class AuditReport:
    findings: list[Finding] = field(default_factory=list)
    hidden: int = 0  # hidden cells
    sensitive: int = 0  # of which hidden by the primary rule
    problems: int = 0  # linear programs solved

    @property
    def recoverable(self) -> list[Finding]:
        return [f for f in self.findings if f.recoverable]

    def add(self, other: AuditReport) -> None:
        self.findings += other.findings
        self.hidden += other.hidden
        self.sensitive += other.sensitive
        self.problems += other.problems


def protected_sides(spec: MetricSpec, cell: Cell) -> tuple[str, ...]:
    """Return the sides of a hidden cell that need protection: none unless it is small by the primary rule and
    someone is in it (an empty cell, 0 of 0, tells nothing about anyone: a programme that has not started)."""
    if not is_small(spec, cell.num, cell.den, cell.people) or (cell.den == 0 and not cell.num and not cell.people):
        return ()
    sides: tuple[str, ...] = (DEN,) if spec.per == 1 else ()
    if spec.counts_numerator and cell.num is not None:
        sides += (NUM,)
    return sides


def components(codes: Iterable[str], groups: tuple[dict[str, frozenset[str]], ...] = LINKED_GROUPS) -> list[set[str]]:
    """Split metric codes into parts that share no count: each linked group (its present members), then singles."""
    left = set(codes)
    parts = []
    for group in groups:
        present = left & group.keys()
        if present:
            parts.append(present)
            left -= present
    return parts + [{code} for code in sorted(left)]


class _Unknowns:
    """Numbers the attacker does not know: one per (metric, side, base cell), shared counts merged into one."""

    def __init__(self) -> None:
        self.parent: dict[Var, Var] = {}

    def add(self, var: Var) -> None:
        self.parent.setdefault(var, var)

    def find(self, var: Var) -> Var:
        root = var
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[var] != root:
            self.parent[var], var = root, self.parent[var]
        return root

    def merge(self, a: Var, b: Var) -> None:
        self.parent[self.find(a)] = self.find(b)

    def index(self) -> dict[Var, int]:
        roots = sorted({self.find(v) for v in self.parent}, key=repr)
        position = {root: i for i, root in enumerate(roots)}
        return {var: position[self.find(var)] for var in self.parent}


def _side_value(cell: Cell, side: str) -> float | None:
    return cell.den if side == DEN else cell.num


def _base_value(m: MetricMonth, base: BaseCell, side: str) -> float | None:
    num, den = m.sizes[base]
    return den if side == DEN else num


def _sides(m: MetricMonth) -> tuple[str, ...]:
    return (DEN,) if m.spec.statistic in {"median", "p90"} else (NUM, DEN)


def possible_bases(spec: MetricSpec, structure: Structure) -> set[BaseCell]:
    """Return the base cells where the metric could have data, as anyone who knows the region's set-up can tell."""
    if not spec.team_scope:
        return {(None, p) for p in structure.programmes}
    if spec.kind == "staff":
        return {(t, None) for t in structure.teams}
    bases: set[BaseCell] = set()
    for team, programmes in structure.team_programmes.items():
        bases |= {(team, p) for p in programmes}
    for programme, centre in structure.monitoring_centre.items():
        bases.add((centre, programme))
    return bases


def widen(m: MetricMonth, structure: Structure) -> MetricMonth:
    """Return the metric-month with every possible base cell, the empty ones at zero, in `sizes` and `members`."""
    extra = possible_bases(m.spec, structure) - m.sizes.keys()
    if not extra:
        return m
    zero: tuple[float | None, float] = (None if m.spec.statistic in {"median", "p90"} else 0.0, 0.0)
    sizes = {**m.sizes, **dict.fromkeys(extra, zero)}
    members: dict[Scope, set[BaseCell]] = {scope: set(bases) for scope, bases in m.members.items()}
    for base in extra:
        for scope in structure.scopes_of(base):
            if scope in m.cells:
                members.setdefault(scope, set()).add(base)
    return MetricMonth(m.spec, m.cells, {s: frozenset(b) for s, b in members.items()}, sizes, m.people)


class _Part:
    """The linear system of one part: equalities for what is shown, inequalities for what every count obeys."""

    def __init__(self, month: dict[str, MetricMonth], codes: set[str], group: dict[str, frozenset[str]]) -> None:
        self.month = {code: month[code] for code in sorted(codes)}
        unknowns = _Unknowns()
        for code, m in self.month.items():
            for base in m.sizes:
                for side in _sides(m):
                    unknowns.add((code, side, base))
        self._link_bases(unknowns, group)
        self.columns = unknowns.index()
        self.size = max(self.columns.values(), default=-1) + 1
        self.eq_rows: list[dict[int, float]] = []
        self.eq_rhs: list[float] = []
        self.ub_rows: list[dict[int, float]] = []
        self.lower = np.zeros(self.size)
        self._shown_sums()
        self._linked_sums(group)
        self._cell_rules()

    def _link_bases(self, unknowns: _Unknowns, group: dict[str, frozenset[str]]) -> None:
        shared = [(code, side) for code, sides in sorted(group.items()) if code in self.month for side in sorted(sides)]
        for i, (code_a, side_a) in enumerate(shared):
            for code_b, side_b in shared[i + 1 :]:
                a, b = self.month[code_a], self.month[code_b]
                for base in a.sizes.keys() & b.sizes.keys():
                    if _base_value(a, base, side_a) == _base_value(b, base, side_b):
                        unknowns.merge((code_a, side_a, base), (code_b, side_b, base))
        self.shared = shared

    def row(self, code: str, side: str, scope: Scope) -> dict[int, float]:
        """Return the cell's number as a sum of unknowns (several may be the same merged unknown)."""
        out: dict[int, float] = {}
        for base in self.month[code].members.get(scope, frozenset()):
            column = self.columns[(code, side, base)]
            out[column] = out.get(column, 0.0) + 1.0
        return out

    def _shown_sums(self) -> None:
        for code, m in self.month.items():
            for scope, cell in m.cells.items():
                if cell.suppressed or scope not in m.members:
                    continue
                for side in _sides(m):
                    value = _side_value(cell, side)
                    if value is not None:
                        self.eq_rows.append(self.row(code, side, scope))
                        self.eq_rhs.append(value)

    def _linked_sums(self, group: dict[str, frozenset[str]]) -> None:
        """Two shared counts whose scope sums are equal are known to be equal there, shown or not."""
        for i, (code_a, side_a) in enumerate(self.shared):
            for code_b, side_b in self.shared[i + 1 :]:
                a, b = self.month[code_a], self.month[code_b]
                for scope in a.members.keys() & b.members.keys():
                    cell_a, cell_b = a.cells.get(scope), b.cells.get(scope)
                    if cell_a is None or cell_b is None or not (cell_a.suppressed or cell_b.suppressed):
                        continue
                    if _side_value(cell_a, side_a) != _side_value(cell_b, side_b):
                        continue
                    row = self.row(code_a, side_a, scope)
                    for column, coef in self.row(code_b, side_b, scope).items():
                        row[column] = row.get(column, 0.0) - coef
                    self.eq_rows.append(row)
                    self.eq_rhs.append(0.0)

    def _cell_rules(self) -> None:
        for code, m in self.month.items():
            if NUM not in _sides(m):
                continue
            mean = m.spec.statistic == "mean"
            share = not mean and code not in NOT_SHARES
            for base in m.sizes:
                num, den = self.columns[(code, NUM, base)], self.columns[(code, DEN, base)]
                if num == den:
                    continue
                if mean:
                    self.lower[num] = -np.inf
                    self.ub_rows += [{num: 1.0, den: -MEAN_SPAN}, {num: -1.0, den: -MEAN_SPAN}]
                elif share:
                    self.ub_rows.append({num: 1.0, den: -1.0})

    def _matrix(self, rows: list[dict[int, float]]) -> csr_matrix | None:
        if not rows:
            return None
        data, cols, ptr = [], [], [0]
        for row in rows:
            cols += list(row)
            data += list(row.values())
            ptr.append(len(cols))
        return csr_matrix((data, cols, ptr), shape=(len(rows), self.size))

    def bounds(self, objective: dict[int, float]) -> tuple[float, float, int]:
        """Return the min and max of a sum of unknowns under everything known, and the number of LPs solved."""
        a_eq, a_ub = self._matrix(self.eq_rows), self._matrix(self.ub_rows)
        b_eq = np.array(self.eq_rhs) if a_eq is not None else None
        b_ub = np.zeros(len(self.ub_rows)) if a_ub is not None else None
        c = np.zeros(self.size)
        for column, coef in objective.items():
            c[column] = coef
        limits = list(zip(self.lower, [None] * self.size, strict=True))
        found = []
        for sign in (1.0, -1.0):
            result = linprog(sign * c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=limits, method="highs")
            if result.status == 3:  # unbounded
                found.append(sign * -np.inf)
            elif result.status != 0:
                raise RuntimeError(f"disclosure audit: the system of shown cells is inconsistent ({result.message})")
            else:
                found.append(sign * result.fun)
        return found[0], found[1], 2


def audit_month(
    month: dict[str, MetricMonth],
    structure: Structure | None = None,
    groups: tuple[dict[str, frozenset[str]], ...] = LINKED_GROUPS,
) -> AuditReport:
    """Return, for every sensitive hidden cell of one month's metrics, the interval an attacker can derive.

    With the structure, every base cell that could hold data is an unknown (see possible_bases); without it only
    those with data are, as if the attacker knew which cells are empty (stricter than needed)."""
    report = AuditReport()
    by_code = {code: group for group in groups for code in group}
    audited = {c: m if structure is None else widen(m, structure) for c, m in month.items() if m.spec.min_cell > 0}
    for codes in components(audited, groups):
        group = by_code.get(next(iter(codes)), {})
        report.add(audit_part(audited, codes, group))
    return report


def audit_part(month: dict[str, MetricMonth], codes: set[str], group: dict[str, frozenset[str]]) -> AuditReport:
    """Audit the cells of one independent part (one metric, or one linked group) of one month."""
    report = AuditReport()
    targets: list[tuple[str, Scope, Cell, tuple[str, ...]]] = []
    for code in sorted(codes):
        m = month[code]
        for scope, cell in m.cells.items():
            if not cell.suppressed:
                continue
            report.hidden += 1
            sides = protected_sides(m.spec, cell)
            if sides:
                report.sensitive += 1
                targets.append((code, scope, cell, sides))
    if not targets:
        return report
    part = _Part(month, codes, group)
    for code, scope, cell, sides in targets:
        for side in sides:
            low, high, solved = part.bounds(part.row(code, side, scope))
            report.problems += solved
            true = _side_value(cell, side) or 0.0
            report.findings.append(Finding(code, scope, side, true, low, high, float(month[code].spec.min_cell)))
    return report

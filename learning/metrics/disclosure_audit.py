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
- linked metrics (SHARED_COUNTS, the exact pairs behind suppression.LINKED_GROUPS): a count that two metrics share
  is one unknown wherever their base cells hold the same number, and the two scope sums are equal wherever their
  true values are (PT_REACH counts a programme's patients under other base cells than PT_ACTIVE). Adding only
  facts that are true errs on the attacker's side;
- a banded cell's denominator, and its numerator only as ≤ min_cell - 1 (the band; ≥ 0 holds for every count);
- counts are ≥ 0; a share's numerator is ≤ its denominator (every ratio metric but PT_REACH and ALERT_RATE); a
  mean's numerator lies within ±4 n (CONF_GAIN's gain on a 1-5 scale);
- integrality is ignored (the LP relaxation, the standard method): the intervals are at most a rounding wider
  than the integer ones.

The protection rule: a cell hidden by the primary rule (a small cell) is *sensitive*. For each side of it that is a
small count (a denominator or a ratio's numerator below min_cell; every count of a cell with fewer people than
min_cell; never a scaled denominator such as ALERT_RATE's patient-days per 100), the attacker's interval
[low, high] must be at least the metric's min_cell wide (5 staff, 10 patients or events), or cover the whole band
[0, min_cell - 1]. The attacker then cannot tell a small count from a count at the threshold, nor learn more than
"fewer than min_cell", which a banded cell shows anyway. A banded numerator (shown, or hidden later as a
complement) is sensitive too and can only meet the second form: it must still be anything from 0 to min_cell - 1. A
cell that misses this is *recoverable*. An empty hidden cell (nobody in it) is not
sensitive: its zero describes no one. Cells hidden only to protect others (complementary
or linked) need no protection of their own (as in τ-ARGUS: secondary cells have no protection level).

The system splits into independent parts: one per (month, metric), or per (month, linked group) for metrics that
share counts. Each part is a few hundred unknowns at most; HiGHS (linear_system.py) solves the min and max of
each sensitive side.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from learning.metrics.audit_findings import AuditReport, Finding, is_protected
from learning.metrics.definitions import MetricSpec
from learning.metrics.linear_system import LinearSystem
from learning.metrics.rollup import Cell
from learning.metrics.scopes import BaseCell, Scope, Structure
from learning.metrics.suppression import DEN, LINKED_GROUPS, NOT_SHARES, NUM, MetricMonth, is_banded, is_small

MEAN_SPAN = 4.0  # CONF_GAIN: a difference of two answers on a 1-5 scale
CAP = 1e7  # an upper bound on every unknown, far above any count, so that every problem has a solution point
Var = tuple[str, str, BaseCell]  # (metric code, side, base cell)
Fact = tuple[dict[int, float], float, bool]  # row, right-hand side, exact (row = rhs) or an upper bound (row <= rhs)
# The counts that two metrics share (suppression.LINKED_GROUPS says why): each pair is one count of one population.
SHARED_COUNTS: tuple[tuple[tuple[str, str], tuple[str, str]], ...] = (
    (("TRN_REACH", DEN), ("TRN_COVERAGE", DEN)),
    (("TRN_COVERAGE", NUM), ("STAFF_APPLIED", DEN)),
    (("PT_ACTIVE", DEN), ("PT_REACH", NUM)),
    (("PT_ACTIVATION", DEN), ("ONBOARD_FIDELITY", DEN)),
    (("ALERT_RATE", NUM), ("ALERT_ACTIONABLE", DEN)),
    (("ALERT_RATE", NUM), ("ALERT_SLA", DEN)),
    (("ALERT_ACTIONABLE", DEN), ("ALERT_SLA", DEN)),
    (("ALERT_SLA_MEDIAN", DEN), ("ALERT_SLA_P90", DEN)),
)


def protected_sides(spec: MetricSpec, cell: Cell) -> tuple[str, ...]:
    """Return the sides of a cell that need protection: the small counts of a cell the primary rule hides, and the
    numerator of a banded cell (shown as a band, or hidden later as a complement).

    A side is small when it is a count below min_cell; when the cell has fewer people than min_cell, every count of
    it is protected (events of few people). An empty cell (0 of 0) tells nothing about anyone: no side."""
    small = is_small(spec, cell.num, cell.den, cell.people) or is_banded(spec, cell.num, cell.den, cell.people)
    if not small or (cell.den == 0 and not cell.num and not cell.people):
        return ()
    few = cell.people is not None and cell.people < spec.min_cell
    sides: tuple[str, ...] = ()
    if spec.per == 1 and (few or cell.den < spec.min_cell):
        sides += (DEN,)
    if spec.counts_numerator and cell.num is not None and (few or cell.num < spec.min_cell):
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


class Part:
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
        self.shown: dict[tuple[str, Scope], list[Fact]] = {}
        self.linked: list[tuple[dict[int, float], float]] = []
        self.ub_rows: list[tuple[dict[int, float], float]] = []
        self.lower = np.zeros(self.size)
        self._system: LinearSystem | None = None
        self.solved = 0
        self._shown_sums()
        self._linked_sums(group)
        self._cell_rules()

    def _link_bases(self, unknowns: _Unknowns, group: dict[str, frozenset[str]]) -> None:
        self.shared = [(a, b) for a, b in SHARED_COUNTS if a[0] in self.month and b[0] in self.month]
        for (code_a, side_a), (code_b, side_b) in self.shared:
            a, b = self.month[code_a], self.month[code_b]
            for base in a.sizes.keys() & b.sizes.keys():
                if _base_value(a, base, side_a) == _base_value(b, base, side_b):
                    unknowns.merge((code_a, side_a, base), (code_b, side_b, base))

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
                banded = is_banded(m.spec, cell.num, cell.den, cell.people)
                self.shown[(code, scope)] = [
                    # a banded numerator is known only to lie in [0, min_cell - 1]: an upper bound, not a value
                    (self.row(code, side, scope), m.spec.min_cell - 1.0, False)
                    if banded and side == NUM
                    else (self.row(code, side, scope), value, True)
                    for side in _sides(m)
                    if (value := _side_value(cell, side)) is not None
                ]

    def hide(self, code: str, scope: Scope) -> list[Fact]:
        """Take a shown cell's facts out of the system (as if it were hidden); return them for `show`."""
        self._system = None
        return self.shown.pop((code, scope), [])

    def show(self, code: str, scope: Scope, rows: list[Fact]) -> None:
        self._system = None
        if rows:
            self.shown[(code, scope)] = rows

    def _linked_sums(self, group: dict[str, frozenset[str]]) -> None:
        """Two shared counts whose scope sums are equal are known to be equal there, shown or not (for two shown
        cells the fact is implied, so it stays when a cell is hidden later)."""
        for (code_a, side_a), (code_b, side_b) in self.shared:
            a, b = self.month[code_a], self.month[code_b]
            for scope in a.members.keys() & b.members.keys():
                cell_a, cell_b = a.cells.get(scope), b.cells.get(scope)
                if cell_a is None or cell_b is None:
                    continue
                if _side_value(cell_a, side_a) != _side_value(cell_b, side_b):
                    continue
                row = self.row(code_a, side_a, scope)
                for column, coef in self.row(code_b, side_b, scope).items():
                    row[column] = row.get(column, 0.0) - coef
                self.linked.append((row, 0.0))

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
                    self.ub_rows += [({num: 1.0, den: -MEAN_SPAN}, 0.0), ({num: -1.0, den: -MEAN_SPAN}, 0.0)]
                elif share:
                    self.ub_rows.append(({num: 1.0, den: -1.0}, 0.0))

    def _solve(self, objective: dict[int, float], sign: float) -> np.ndarray:
        """Return a point of the attacker's system that minimises sign * objective (every unknown capped at CAP)."""
        if self._system is None:
            facts = [fact for facts in self.shown.values() for fact in facts]
            equalities = [(row, rhs) for row, rhs, exact in facts if exact] + self.linked
            bounds = self.ub_rows + [(row, rhs) for row, rhs, exact in facts if not exact]
            self._system = LinearSystem(self.lower, CAP, equalities, bounds)
        costs = np.zeros(self.size)
        for column, coef in objective.items():
            costs[column] += sign * coef
        self.solved += 1
        return self._system.minimise(costs)

    def _value(self, row: dict[int, float], point: np.ndarray) -> float:
        return float(sum(coef * point[column] for column, coef in row.items()))

    def findings(self, targets: list[tuple[str, Scope, str]]) -> list[Finding]:
        """Return what the attacker can derive about each target side (code, scope, side).

        Every point the solver returns is a way the hidden numbers could be, so it widens the known range of every
        target at once. First all targets are pushed up together and down together; a target whose range is then
        min_cell wide is safe without a problem of its own. Only the others get their own max and min, which are
        exact. For a safe target `low`/`high` are the widest values seen, not necessarily the extremes."""
        rows = {t: self.row(t[0], t[2], t[1]) for t in targets}
        seen = {t: [self._true(t), self._true(t)] for t in targets}

        def note(point: np.ndarray) -> None:
            for t, row in rows.items():
                value = self._value(row, point)
                seen[t][0], seen[t][1] = min(seen[t][0], value), max(seen[t][1], value)

        def open_targets() -> list[tuple[str, Scope, str]]:
            return [t for t in targets if not self._safe(t, *seen[t])]

        for sign in (-1.0, 1.0):
            left = open_targets()
            if len(left) > 1:
                combined: dict[int, float] = {}
                for t in left:
                    for column, coef in rows[t].items():
                        combined[column] = combined.get(column, 0.0) + coef
                note(self._solve(combined, sign))
        for t in open_targets():
            for sign in (-1.0, 1.0):
                if self._safe(t, *seen[t]):
                    break
                note(self._solve(rows[t], sign))
        return [Finding(*t, self._true(t), seen[t][0], seen[t][1], self._required(t), self._required(t) - 1.0)
                for t in targets]  # fmt: skip

    def _safe(self, target: tuple[str, Scope, str], low: float, high: float) -> bool:
        required = self._required(target)
        return is_protected(low, high, required, required - 1.0)

    def finding(self, code: str, scope: Scope, side: str) -> Finding:
        return self.findings([(code, scope, side)])[0]

    def _true(self, target: tuple[str, Scope, str]) -> float:
        code, scope, side = target
        return _side_value(self.month[code].cells[scope], side) or 0.0

    def _required(self, target: tuple[str, Scope, str]) -> float:
        return float(self.month[target[0]].spec.min_cell)


def sensitive_targets(month: dict[str, MetricMonth], codes: set[str]) -> tuple[list[tuple[str, Scope, str]], int]:
    """Return the sides of the part's sensitive cells (hidden small cells, banded numerators shown or hidden), and
    how many cells are hidden in all."""
    targets, hidden = [], 0
    for code in sorted(codes):
        m = month[code]
        for scope, cell in m.cells.items():
            hidden += cell.suppressed
            if cell.suppressed or scope in m.members:  # a shown cell without base cells (no data) shows no band
                targets += [(code, scope, side) for side in protected_sides(m.spec, cell)]
    return targets, hidden


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
    targets, report.hidden = sensitive_targets(month, codes)
    cells = {(code, scope) for code, scope, _side in targets}
    report.sensitive = len(cells)
    report.banded = sum(not month[code].cells[scope].suppressed for code, scope in cells)
    if not targets:
        return report
    part = Part(month, codes, group)
    report.findings = part.findings(targets)
    report.problems = part.solved
    return report


def part_of(month: dict[str, MetricMonth], codes: set[str], group: dict[str, frozenset[str]]) -> Part:
    """Return the linear system of one part as the cells' flags stand now (suppression_protect rebuilds it)."""
    return Part(month, codes, group)

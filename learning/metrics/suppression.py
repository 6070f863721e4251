"""Small-cell suppression: which stored values may be shown, and `visible_values()`, the only way to read them out.

Rules (applied per metric and month when values are computed; the result is the stored `suppressed` flag). A
recompute runs rule 1, rule 2 only where a residual is small, hide_partial_reach and rule 4; rules 2-3 in full run
only on request (services.build_month, METRICS_SUM_RULES), because they do not know bands and hide far more.

1. Primary. A cell is suppressed when its group is small: its denominator, or its distinct people, below the
   metric's min_cell. A share (is_bandable) whose group is large enough but whose numerator is below min_cell is
   *banded*, not suppressed: it is shown as "fewer than min_cell of n" (is_banded; visible_values derives it from
   the stored numbers, so no extra column), and the audit protects its numerator as the band [0, min_cell - 1].
   For the other ratios a numerator below min_cell hides the cell as before. The thresholds are min_cell: 5 for
   staff-derived metrics, 10 for patient-derived ones (docs/metrics.md, "Small
   cells"; a design choice, not a legal threshold). Means (CONF_GAIN) check only n; medians and P90 check n, stored
   as the denominator. Setting-level metrics (TEAM_ADOPT, PROG_SUSTAIN) count teams and months, not people: min_cell 0.
   A zero numerator is inside the band (0 < 5), so "nobody in this team" is never revealed.
   Numerators and denominators of several metrics count events (expected days, alerts, modules, answers), not
   people: one patient with 28 expected days and 12 alerts would pass a count rule alone. So every contribution
   names its person (rollup.py) and a cell with fewer distinct people than min_cell is suppressed as well. ALERT_RATE's
   denominator is stored per 100 patient-days, a scaled figure, so it is judged by its people and its numerator
   (alerts) only. Metrics with no person behind them (PT_REACH's eligible counts; the setting metrics) keep the
   numerator/denominator rule.
2. Complementary. Wherever a shown parent is the exact sum of children of one scope type (organisation = Σ its teams,
   programme = Σ its teams, environment = Σ its programmes, region = Σ environments, …, found from the base cells
   under each scope, so any pair of scope types whose cells partition another is covered), one hidden child could be
   recovered as parent - Σ shown children. So when exactly one unknown remains in such a sum, the smallest shown
   child (fewest in the denominator) is suppressed as well — or, when there is no other child, the parent. Likewise a
   suppressed parent whose children are all shown would be their sum: its smallest child is suppressed. Base cells
   under a parent that no child covers (patients without a team) form a residual; a residual that is itself small (by
   the same rule, its people included) counts as an unknown that needs the same protection, a residual that is not
   small is treated as known (the cautious assumption). The rules are repeated until nothing changes, because each
   new suppression can leave another sum with one unknown. Children that overlap (a team in two programmes of one
   environment) do not form a plain sum and are not used; empty cells (denominator 0) are known zeros. Nested teams
   add sums of teams within a team: a parent team = Σ its outermost sub-teams + its own facts (the residual), and
   wherever teams are the children only the outermost ones count (a sub-team is inside its parent).
3. Linked metrics. Metrics share populations: |S| is the denominator of TRN_REACH and TRN_COVERAGE, and the trained
   staff are TRN_COVERAGE's numerator and STAFF_APPLIED's denominator, so a team hidden in one metric could be read
   from another metric's shown cell of the same team and month, and then a sibling solved from the sums. Metrics
   whose numerators/denominators are the same count of the same population form LINKED_GROUPS; after each metric's
   own rules 1-2 for a month, every member of a group is suppressed in each scope where any member with data there (a
   non-empty cell) is suppressed — unless that member is hidden there by rule 1 only for a count of its own that no
   other member shows (TRN_REACH's launched staff, STAFF_APPLIED's users, PT_ACTIVE's active patients) — then rule 2
   runs again (keeping the flags set) for the metrics that changed, repeated until nothing changes. Not linked,
   because their counts are not equal to another metric's: PT_UPTAKE (patients offered in the month, enrolled at any
   time), PT_DROPOUT (enrolled on the first day; drop-out disenrolments), PT_RET180 (day-180 cohort),
   PT_ADHERENCE/PT_ADHERENCE_SHARE (days; patients with expected days), the module and survey metrics (pairs and
   answers of their own), TT_FIRST_USE (first uses in the month).
4. Audit-driven complements (suppression_protect.py, after rules 1-3 for the whole month): rules 2-3 look at one
   sum at a time, a reader combines them all, with counts ≥ 0 and numerators ≤ denominators. The disclosure audit
   (disclosure_audit.py, a linear programme per month part) finds every small count still narrower than min_cell
   and one more cell is hidden for each: the cheapest shown cell tied to it that alone makes it safe. See
   docs/metrics-suppression.md.
5. Suppressed values are stored with their numbers (recomputation and audits need them) but never shown:
   every view and export reads them through `visible_values()`, which blanks numerator, denominator and value (and
   numerator and value of a banded cell, whose `band` says what it lies below).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass

from learning.metrics.definitions import MetricSpec
from learning.metrics.rollup import Cell, count_people
from learning.metrics.scopes import REGION, SCOPE_TYPES, BaseCell, Scope

Sizes = dict[BaseCell, tuple[float | None, float]]
People = dict[BaseCell, set[Hashable]]


NOT_SHARES = frozenset({"PT_REACH", "ALERT_RATE"})  # ratios whose numerator may exceed the denominator


def is_bandable(spec: MetricSpec) -> bool:
    """Return whether a small numerator of this metric is shown as a band ("fewer than 10 of 85") rather than hidden.

    Only shares qualify: their numerator lies between 0 and the denominator, so "fewer than k" is a true, closed
    statement that includes 0. Means, statistics, rates per 100 days and PT_REACH (numerator may exceed the
    denominator) are hidden as before."""
    return (spec.min_cell > 0 and spec.statistic == "ratio" and spec.unit == "ratio" and spec.per == 1
            and spec.code not in NOT_SHARES)  # fmt: skip


def group_is_small(spec: MetricSpec, den: float, people: int | None = None) -> bool:
    """Return whether the group behind a cell (its denominator or its distinct people) is below min_cell."""
    if spec.min_cell == 0:
        return False
    if people is not None and people < spec.min_cell:
        return True
    return spec.per == 1 and den < spec.min_cell  # a denominator in units of `per` is no count (ALERT_RATE)


def is_small(spec: MetricSpec, num: float | None, den: float, people: int | None = None) -> bool:
    """Return whether a cell falls under the primary small-cell rule (people: its distinct persons, if counted).

    A share whose group is large enough but whose numerator is small is not small: it is banded (is_banded)."""
    if spec.min_cell == 0:
        return False
    if group_is_small(spec, den, people):
        return True
    small_num = spec.counts_numerator and num is not None and num < spec.min_cell
    return small_num and not is_bandable(spec)


def is_banded(spec: MetricSpec, num: float | None, den: float, people: int | None = None) -> bool:
    """Return whether a cell's numerator is shown only as the band [0, min_cell - 1] next to its exact group size.

    A cell that is also suppressed (a complement) shows nothing; its numerator still needs the band's protection."""
    return (is_bandable(spec) and num is not None and num < spec.min_cell
            and not group_is_small(spec, den, people))  # fmt: skip


def band_share(below: int, of: float) -> int:
    """Return the whole percentage a band's share is shown below: "fewer than 10 of 85" is below 11.8 %, shown as
    "< 12 %" (rounded up, so the statement stays true)."""
    return math.ceil(100 * below / of - 1e-9)


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


def residual_is_small(spec: MetricSpec, residual: frozenset[BaseCell], sizes: Sizes, people: People | None) -> bool:
    """Return whether the base cells no child covers form a small cell of their own (same rule as a scope's)."""
    if not residual:
        return False
    res_num = sum(sizes[c][0] or 0.0 for c in residual)
    res_people = None if people is None else count_people((people.get(c, set()) for c in residual), spec.min_cell)
    res_den = sum(sizes[c][1] for c in residual)
    # A residual is never shown, only derived: a small numerator in it would be read exactly, so it is an unknown
    # that needs protection whether or not a shown cell of that size would be banded.
    return is_small(spec, res_num, res_den, res_people) or is_banded(spec, res_num, res_den, res_people)


def _target(
    spec: MetricSpec,
    cells: dict[Scope, Cell],
    eq: Equation,
    sizes: Sizes,
    people: People | None,
    residual_only: bool = False,
) -> Scope | None:
    """Return the cell that must be suppressed so this sum does not give a hidden cell away, if any (with
    `residual_only`, only a small residual: the audit protects cells, not the base cells no child covers)."""
    small_residual = residual_is_small(spec, eq.residual, sizes, people)
    if residual_only and not small_residual:
        return None
    hidden = sum(1 for c in eq.children if cells[c].suppressed)
    shown = [c for c in eq.children if not cells[c].suppressed]
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
    people: People | None = None,
    *,
    complementary: bool = True,
    residual_only: bool = False,
) -> None:
    """Set `suppressed` on every cell of one metric-month: primary first, then (unless told not to) the sum rule
    of rule 2 to a fixpoint. Recomputes use the primary rule only and protect the result with the audit-driven
    complement (suppression_protect.py); rules 2-3 stay for comparison and for the audit's tests."""
    for cell in cells.values():
        cell.suppressed = is_small(spec, cell.num, cell.den, cell.people)
    if spec.min_cell == 0 or not (complementary or residual_only):
        return
    equations = equations_for(cells, members, sizes, equations_cache)
    complete(spec, cells, equations, sizes, people, residual_only=residual_only and not complementary)


def equations_for(
    cells: dict[Scope, Cell],
    members: dict[Scope, frozenset[BaseCell]],
    sizes: Sizes,
    equations_cache: dict[frozenset[BaseCell], list[Equation]],
) -> list[Equation]:
    key = frozenset(sizes)
    if key not in equations_cache:
        equations_cache[key] = find_equations({s: m for s, m in members.items() if m and s in cells})
    return equations_cache[key]


def complete(
    spec: MetricSpec,
    cells: dict[Scope, Cell],
    equations: list[Equation],
    sizes: Sizes,
    people: People | None,
    *,
    residual_only: bool = False,
) -> None:
    """Apply the complementary rule to a fixpoint, keeping every flag already set."""
    changed = True
    while changed:
        changed = False
        for equation in equations:
            target = _target(spec, cells, equation, sizes, people, residual_only)
            if target is not None:
                cells[target].suppressed = changed = True


@dataclass
class MetricMonth:
    """One metric's cells of one month with what its suppression needs (kept until the month's joint pass)."""

    spec: MetricSpec
    cells: dict[Scope, Cell]
    members: dict[Scope, frozenset[BaseCell]]
    sizes: Sizes
    people: People | None


NUM, DEN = "numerator", "denominator"

# Metrics whose numerators or denominators are the same count of the same population in the same scope-month, so
# that a cell hidden in one would be readable from another's shown numbers (see rule 3 above); per metric the side(s)
# that carry the shared count:
LINKED_GROUPS: tuple[dict[str, frozenset[str]], ...] = (
    # |S(t,b)| is the denominator of both TRN_REACH and TRN_COVERAGE; the trained staff are TRN_COVERAGE's
    # numerator and STAFF_APPLIED's denominator.
    {"TRN_REACH": frozenset({DEN}), "TRN_COVERAGE": frozenset({NUM, DEN}), "STAFF_APPLIED": frozenset({DEN})},
    # The patients enrolled in the month: PT_ACTIVE's denominator and PT_REACH's numerator (programme and up).
    {"PT_ACTIVE": frozenset({DEN}), "PT_REACH": frozenset({NUM})},
    # The patients whose enrolment began in the month: PT_ACTIVATION's denominator and, in programmes with a
    # patient curriculum, ONBOARD_FIDELITY's.
    {"PT_ACTIVATION": frozenset({DEN}), "ONBOARD_FIDELITY": frozenset({DEN})},
    # The alerts created in the month: ALERT_RATE's numerator, ALERT_ACTIONABLE's denominator and, when every
    # severity has an SLA (the usual set-up), ALERT_SLA's denominator.
    {"ALERT_RATE": frozenset({NUM}), "ALERT_ACTIONABLE": frozenset({DEN}), "ALERT_SLA": frozenset({DEN})},
    # The alerts with a first action: n of both response-time statistics.
    {"ALERT_SLA_MEDIAN": frozenset({DEN}), "ALERT_SLA_P90": frozenset({DEN})},
)


def _hidden_for_own_count(m: MetricMonth, cell: Cell, shared: frozenset[str]) -> bool:
    """Return whether a cell is hidden by the primary rule only for a count no linked metric shows (TRN_REACH's
    launched staff, STAFF_APPLIED's users, PT_ACTIVE's active patients): its shared counts are no secret then."""
    spec = m.spec
    if not is_small(spec, cell.num, cell.den, cell.people):
        return False  # hidden by the complementary rule or by a linked metric
    if cell.people is not None and cell.people < spec.min_cell:
        return False  # the population itself is small
    small_den = spec.per == 1 and cell.den < spec.min_cell
    small_num = spec.counts_numerator and cell.num is not None and cell.num < spec.min_cell
    return not ((DEN in shared and small_den) or (NUM in shared and small_num))


def hide_partial_reach(
    month: dict[str, MetricMonth], equations_cache: dict[frozenset[BaseCell], list[Equation]]
) -> set[tuple[str, Scope]]:
    """Hide PT_REACH where its numerator is not PT_ACTIVE's denominator; return those cells.

    PT_REACH counts only programmes with an eligible count, and a programme's patients under the programme's own
    organisation; PT_ACTIVE counts every enrolment under its team's organisation. Where the two differ, both shown
    would give the difference away (the enrolled patients of the programmes without a count), so PT_REACH is hidden
    there. These cells do not hide PT_ACTIVE: their reason is the difference, not the shared count.
    """
    active, reach = month.get("PT_ACTIVE"), month.get("PT_REACH")
    if active is None or reach is None:
        return set()
    by_programme: dict[int | None, set[BaseCell]] = defaultdict(set)
    for base in active.members.get(REGION, frozenset()):
        by_programme[base[1]].add(base)
    hidden = set()
    for scope, cell in reach.cells.items():
        if cell.suppressed or scope not in reach.members:
            continue
        programmes = {base[1] for base in reach.members[scope]}
        under = active.members.get(scope, frozenset())
        if {base[1] for base in under} - programmes or any(not by_programme[p] <= under for p in programmes):
            cell.suppressed = True
            hidden.add((reach.spec.code, scope))
    if hidden:
        complete(reach.spec, reach.cells, equations_for(reach.cells, reach.members, reach.sizes, equations_cache),
                 reach.sizes, reach.people)  # fmt: skip
    return hidden


def suppress_linked(
    month: dict[str, MetricMonth],
    equations_cache: dict[frozenset[BaseCell], list[Equation]],
    groups: tuple[dict[str, frozenset[str]], ...] = LINKED_GROUPS,
) -> None:
    """After each metric's own suppression: hide every member of a linked group in each scope where one member is
    hidden, re-apply the complementary rule to the metrics that changed, and repeat until nothing changes.

    A member hidden in a scope only because of a count of its own (not the shared one) does not hide the others:
    they show nothing of that count. A scope where a member has no data (PT_REACH without an eligible count) shares
    no count with the others either.
    """
    exempt = hide_partial_reach(month, equations_cache)
    changed = True
    while changed:
        changed = False
        affected: set[str] = set()
        for group in groups:
            present = [(month[code], shared) for code, shared in sorted(group.items()) if code in month]
            hidden = {
                scope
                for m, shared in present
                for scope, cell in m.cells.items()
                if cell.suppressed
                and scope in m.members
                and (m.spec.code, scope) not in exempt
                and not _hidden_for_own_count(m, cell, shared)
            }
            for m, _shared in present:
                for scope in hidden:
                    cell = m.cells.get(scope)
                    if (
                        cell is not None
                        and not cell.suppressed
                        and not is_banded(m.spec, cell.num, cell.den, cell.people)
                    ):
                        cell.suppressed = True
                        affected.add(m.spec.code)
        for code in sorted(affected):
            m = month[code]
            equations = equations_for(m.cells, m.members, m.sizes, equations_cache)
            complete(m.spec, m.cells, equations, m.sizes, m.people)
            changed = True


def __getattr__(name: str) -> object:
    """`visible_values` and `ShownValue` moved to visible.py; older imports from here still find them."""
    if name in {"ShownValue", "visible_values"}:
        from learning.metrics import visible

        return getattr(visible, name)
    raise AttributeError(name)

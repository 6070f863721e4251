"""Complementary suppression driven by the disclosure audit: hide the fewest, least informative cells that make
every small cell safe.

The primary rule (suppression.py, rule 1) hides the small cells. Then, per independent part of a month (one metric,
or one group of linked metrics; disclosure_audit.py), the audit bounds every sensitive side. For each side whose
interval is still narrower than min_cell, in a fixed order, a complement is chosen and hidden until the side is
safe:
- candidates are the shown cells that a sum ties to the small cell's scope (its parents and siblings in every
  'parent = Σ children', suppression.find_equations) in every metric of the part, and the same scope's cells of
  the linked metrics (they show the shared count); when none of those is left, any shown cell of the part whose
  base cells overlap the small cell's, and then any shown cell of the part (so the search always ends: with
  nothing shown, nothing can be derived);
- each candidate has a cost: the count it would hide (its denominator), three times that for a team's cell (a
  total is repeated elsewhere and a team is not), ten times for a team's cell of the five figures of the main chart
  (the readiness-versus-adoption chart, what a manager reads first);
- candidates are tried cheapest first: the first one that alone makes the side safe is kept; when none does, the
  one of those tried that widened the side's interval most is kept (the cheapest of equals), then the cheapest
  candidates are added one by one until the side is safe, and every one of them that is not needed after all is
  shown again (_prune). Trying every candidate at every step found slightly smaller sets but took several times as
  long.
Hiding a cell only removes facts from the attacker's system, so an interval never narrows when more is hidden: a side
made safe stays safe, and one pass over the sides is enough (greedy, not an exact minimum; an exact integer
programme per part would be slower than a recompute may take, and the audit proves the greedy result safe).
"""

from __future__ import annotations

from learning.metrics.disclosure_audit import Fact, Part, components, part_of, sensitive_targets, widen
from learning.metrics.scopes import BaseCell, Scope, Structure
from learning.metrics.suppression import LINKED_GROUPS, Equation, MetricMonth, equations_for

TEAM_COST = 3.0
# The team cells of the figures a manager reads first (the readiness-versus-adoption chart of every environment page,
# learning/dashboards/services.py READINESS) cost more again: a complement is taken elsewhere when one will do.
MAIN_CHART = frozenset({"TRN_COVERAGE", "PT_ACTIVATION", "PT_ADHERENCE", "PT_DROPOUT", "ALERT_SLA"})
MAIN_COST = 10.0
TRIALS = 8  # candidates tried alone before the cheapest is taken anyway
Candidate = tuple[str, Scope]
Target = tuple[str, Scope, str]


def _cost(m: MetricMonth, scope: Scope) -> float:
    cell = m.cells[scope]
    if scope[0] != "team":
        return cell.den
    return cell.den * (MAIN_COST if m.spec.code in MAIN_CHART else TEAM_COST)


def _candidates(
    month: dict[str, MetricMonth],
    codes: set[str],
    scope: Scope,
    equations: dict[str, list[Equation]],
) -> list[Candidate]:
    """Return the shown cells that could protect a cell at `scope`, cheapest first (see the module's docstring)."""
    found: set[Candidate] = set()
    for code in codes:
        if scope in month[code].cells:
            found.add((code, scope))
        for equation in equations[code]:
            if scope == equation.parent or scope in equation.children:
                found |= {(code, equation.parent)} | {(code, child) for child in equation.children}
    if not _shown(month, found):
        for code in codes:
            under = month[code].members.get(scope, frozenset())
            found |= {(code, s) for s, bases in month[code].members.items() if bases & under}
    if not _shown(month, found):  # last resort: any shown cell of the part (with none shown, every cell is safe)
        found = {(code, s) for code in codes for s in month[code].cells}
    return sorted(_shown(month, found), key=lambda c: (_cost(month[c[0]], c[1]), c))


def _shown(month: dict[str, MetricMonth], candidates: set[Candidate]) -> set[Candidate]:
    return {(code, scope) for code, scope in candidates if not month[code].cells[scope].suppressed}


def _safe(part: Part, target: tuple[str, Scope, str]) -> bool:
    return not part.finding(*target).recoverable


def protect(
    month: dict[str, MetricMonth],
    structure: Structure,
    equations_cache: dict[frozenset[BaseCell], list[Equation]],
    groups: tuple[dict[str, frozenset[str]], ...] = LINKED_GROUPS,
) -> int:
    """Hide complements until the audit finds no recoverable cell in the month; return how many were hidden."""
    by_code = {code: group for group in groups for code in group}
    audited = {c: widen(m, structure) for c, m in month.items() if m.spec.min_cell > 0}
    equations = {c: equations_for(m.cells, m.members, m.sizes, equations_cache) for c, m in month.items()}
    added = 0
    for codes in components(audited, groups):
        group = by_code.get(next(iter(codes)), {})
        targets, _hidden = sensitive_targets(audited, codes)
        if not targets:
            continue
        part = part_of(audited, codes, group)
        for target in [f.target for f in part.findings(targets) if f.recoverable]:
            chosen: list[tuple[Candidate, list[Fact]]] = []
            while not _safe(part, target):  # single cells tried first; then the cheapest added until safe
                chosen.append(_hide_one(audited, codes, part, target, equations, TRIALS if not chosen else 0))
            added += len(chosen) - _prune(audited, part, chosen, target)
    return added


def _prune(
    month: dict[str, MetricMonth], part: Part, chosen: list[tuple[Candidate, list[Fact]]], target: Target
) -> int:
    """Show again each complement of one target that is not needed after all (the most costly first), as long as
    the target stays safe; return how many were shown again.

    The greedy search can need several complements for one side (two sums pin it from both ends, and no single cell
    widens it); many of those it took are then useless. Only the target needs checking: every side made safe before
    was safe with the cells hidden before this target's search, and pruning shows only cells hidden during it, so
    the hidden set never shrinks below what made them safe (hiding only removes facts)."""
    if len(chosen) < 2:
        return 0
    shown = 0
    for (code, scope), facts in sorted(chosen, key=lambda c: -_cost(month[c[0][0]], c[0][1])):
        part.show(code, scope, facts)
        if _safe(part, target):
            month[code].cells[scope].suppressed = False
            shown += 1
        else:
            part.hide(code, scope)
    return shown


def _hide_one(
    month: dict[str, MetricMonth],
    codes: set[str],
    part: Part,
    target: tuple[str, Scope, str],
    equations: dict[str, list[Equation]],
    trials: int = TRIALS,
) -> tuple[Candidate, list[Fact]]:
    code, scope, _side = target
    candidates = _candidates(month, codes, scope, equations)
    if not candidates:
        raise RuntimeError(f"no complement left to protect {code} {scope}")
    best: tuple[float, int] = (-1.0, 0)
    for rank, (other, where) in enumerate(candidates[:trials]):
        facts = part.hide(other, where)
        finding = part.finding(*target)
        if not finding.recoverable:
            month[other].cells[where].suppressed = True
            return (other, where), facts
        best = max(best, (round(finding.width, 6), -rank))
        part.show(other, where, facts)
    # none is enough alone: keep the one that widened the interval most (the cheapest of equals) and go on
    other, where = candidates[-best[1]]
    facts = part.hide(other, where)
    month[other].cells[where].suppressed = True
    return (other, where), facts

"""Suppression benchmark: how much of the main chart is hidden, and whether any hidden cell can be worked out.

On a database with the demo region, seeded and synced as `make setup` does, it computes every month in memory as
a recompute does, then prints
- the hidden and the banded share of the main chart's team-month cells (readiness vs adoption: each environment's
  teams x its five metrics x every month; a cell with no data is "no value", not hidden, and is left out of the share);
- the disclosure audit (learning/metrics/disclosure_audit.py): sensitive hidden cells, recoverable ones, LPs solved
  and the time the audit took.

    export LMS_SQLALCHEMY_DATABASE_URI=sqlite:////tmp/sup1.db LMS_LRS_DATABASE_URI=sqlite:////tmp/sup1.db
    flask --app app db upgrade && flask --app app content load && flask --app app demo seed --scale 1 \
        && flask --app app xapi sync
    python bench/suppression.py --database sqlite:////tmp/sup1.db
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path[:0] = [str(Path(__file__).resolve().parent.parent)]

from app import create_app  # noqa: E402
from learning.metrics.changes import data_range  # noqa: E402
from learning.metrics.compute import load_inputs  # noqa: E402
from learning.metrics.disclosure_audit import AuditReport, audit_month  # noqa: E402
from learning.metrics.periods import months_between  # noqa: E402
from learning.metrics.services import month_cells  # noqa: E402
from learning.metrics.suppression import MetricMonth, is_banded  # noqa: E402

MAIN_CHART = ("TRN_COVERAGE", "PT_ACTIVATION", "PT_ADHERENCE", "PT_DROPOUT", "ALERT_SLA")  # dashboards READINESS


def environment_teams(inputs: Any) -> dict[int, set[int]]:
    """Teams per environment as the dashboard lists them: the programmes' teams and monitoring centres."""
    structure = inputs.structure
    teams: dict[int, set[int]] = {e: set() for e in structure.environments}
    for team, programmes in structure.team_programmes.items():
        for programme in programmes:
            teams[structure.programme_env[programme]].add(team)
    for programme, centre in structure.monitoring_centre.items():
        if centre is not None:
            teams[structure.programme_env[programme]].add(centre)
    return teams


def chart_counts(month: dict[str, MetricMonth], teams: dict[int, set[int]], counts: Counter[str]) -> None:
    for members in teams.values():
        for code in MAIN_CHART:
            m = month[code]
            for team in members:
                cell = m.cells.get(("team", team))
                if cell is None or not m.members.get(("team", team)):
                    counts["empty"] += 1
                    continue
                counts["with data"] += 1
                counts["hidden"] += cell.suppressed
                banded = not cell.suppressed and is_banded(m.spec, cell.num, cell.den, cell.people)
                counts["banded"] += banded
                counts[f"banded {code}"] += banded
                counts[f"hidden {code}"] += cell.suppressed
                counts[f"cells {code}"] += 1


def measure() -> None:
    span = data_range()
    if span is None:
        raise SystemExit("no data: seed the demo region first")
    periods = months_between(*span)
    began = time.perf_counter()
    inputs = load_inputs(periods[0], periods[-1])
    teams = environment_teams(inputs)
    took = time.perf_counter() - began
    print(f"{len(periods)} months, {len(inputs.structure.teams)} teams; inputs read in {took:.1f} s")
    variants = ((False, True, "rules 1-3 (sum rules only)"), (True, True, "rules 1-4 (sum rules, then the audit)"),
                (True, False, "rule 1 + audit complements (what a recompute does)"))  # fmt: skip
    for audit_step, sum_rules, label in variants:
        counts: Counter[str] = Counter()
        audit, compute_s, audit_s = AuditReport(), 0.0, 0.0
        cache: dict[Any, Any] = {}
        for period in periods:
            started = time.perf_counter()
            month = month_cells(period, inputs, cache, audit=audit_step, sum_rules=sum_rules)
            compute_s += time.perf_counter() - started
            chart_counts(month, teams, counts)
            started = time.perf_counter()
            audit.add(audit_month(month, inputs.structure))
            audit_s += time.perf_counter() - started
        total = counts["with data"] or 1
        print(f"{label}:")
        print(f"  main chart: {counts['hidden']} of {counts['with data']} team-month cells with data hidden "
              f"({counts['hidden'] / total:.1%}), {counts['banded']} banded ({counts['banded'] / total:.1%}); "
              f"{counts['empty']} without data")  # fmt: skip
        for code in MAIN_CHART:
            print(f"    {code}: {counts[f'hidden {code}']} hidden, {counts[f'banded {code}']} banded "
                  f"of {counts[f'cells {code}']}")  # fmt: skip
        print(f"  compute + suppression: {compute_s:.1f} s over {len(periods)} months")
        print(f"  audit: {audit.hidden} hidden cells, {audit.sensitive} sensitive ({audit.banded} shown as a band), "
              f"{len(audit.recoverable)} recoverable sides, {audit.problems} LPs in {audit_s:.1f} s")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "LRS_DATABASE_URI": args.database,
                      "SECRET_KEY": "bench", "SPEECH_ON_LOAD": False})  # fmt: skip
    with app.app_context():
        measure()


if __name__ == "__main__":
    main()

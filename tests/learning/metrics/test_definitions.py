"""The metric registry and its versioned copy in metric_definition."""

from __future__ import annotations

from sqlalchemy import func, select, update

from learning.db import db
from learning.metrics.definitions import BY_CODE, DEFINITIONS, sync_definitions
from learning.metrics.models import MetricDefinition

MASTER_LIST = (  # docs/metrics.md, "The metrics", in its order
    "TRN_REACH", "TRN_COVERAGE", "MOD_COMPLETION", "MOD_PASS_FIRST", "MOD_TIME", "CONF_GAIN", "RELEVANCE",
    "TT_FIRST_USE", "STAFF_APPLIED", "PT_REACH", "PT_UPTAKE", "PT_ACTIVE", "PT_ACTIVATION", "PT_ADHERENCE",
    "PT_DROPOUT", "PT_RET180", "ALERT_RATE", "ALERT_SLA", "ALERT_ACTIONABLE", "TEAM_ADOPT", "ONBOARD_FIDELITY",
    "PROG_SUSTAIN", "PT_CONFIDENCE",
)  # fmt: skip


def test_every_metric_of_the_master_list_is_defined_with_both_languages_and_frameworks():
    assert set(MASTER_LIST) <= set(BY_CODE)
    for spec in DEFINITIONS:
        assert all((spec.name_nl, spec.name_en, spec.formula_nl, spec.formula_en, spec.frameworks)), spec.code
        assert spec.direction in {"up", "down"}, spec.code


def test_second_statistics_have_their_own_codes():
    assert {"PT_ADHERENCE_SHARE", "ALERT_SLA_MEDIAN", "ALERT_SLA_P90"} <= set(BY_CODE)
    assert len(DEFINITIONS) == len(BY_CODE) == 26


def test_min_cell_follows_who_the_metric_counts():
    assert {s.min_cell for s in DEFINITIONS if s.kind == "staff"} == {5}
    assert {s.min_cell for s in DEFINITIONS if s.patient_derived} == {10}
    assert BY_CODE["TRN_COVERAGE"].min_cell == 5
    assert BY_CODE["PT_ADHERENCE"].min_cell == 10
    assert BY_CODE["TEAM_ADOPT"].min_cell == 0


def test_sync_stores_each_definition_once(ctx):
    first = sync_definitions()
    second = sync_definitions()
    db.session.commit()

    assert first == second == {spec.code: 1 for spec in DEFINITIONS}
    assert db.session.scalar(select(func.count()).select_from(MetricDefinition)) == len(DEFINITIONS)
    stored = db.session.scalar(select(MetricDefinition).where(MetricDefinition.code == "PT_ADHERENCE"))
    assert (stored.min_cell, stored.patient_derived, stored.unit) == (10, True, "ratio")
    assert "RE-AIM:Implementation" in stored.frameworks


def test_a_changed_definition_gets_a_new_version_and_the_old_one_stays(ctx):
    sync_definitions()
    # what was stored before differs from the registry now, as after an edit of the registry text
    db.session.execute(
        update(MetricDefinition).where(MetricDefinition.code == "TRN_REACH").values(formula_en="an older wording")
    )

    versions = sync_definitions()
    db.session.commit()

    assert versions["TRN_REACH"] == 2
    assert versions["TRN_COVERAGE"] == 1
    rows = db.session.scalars(
        select(MetricDefinition).where(MetricDefinition.code == "TRN_REACH").order_by(MetricDefinition.version)
    ).all()
    assert [(r.version, r.formula_en) for r in rows] == [(1, "an older wording"), (2, BY_CODE["TRN_REACH"].formula_en)]

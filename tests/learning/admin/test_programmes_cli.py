"""`flask admin environment|programme ...` does what the pages do, through the same services, and is logged."""

from __future__ import annotations

from admin_helpers import make_region
from flask import Flask
from sqlalchemy import select

from learning.audit.models import AccessLogEntry
from learning.db import db
from learning.environments.models import Environment, Programme


def test_the_cli_adds_edits_and_ends_environments_and_programmes(app: Flask) -> None:
    with app.app_context():
        make_region()
    runner = app.test_cli_runner()

    def run(*args: str) -> str:
        result = runner.invoke(args=["admin", *args])
        assert result.exit_code == 0, result.output
        return result.output

    run("environment", "add", "COPD Twente", "--condition", "COPD", "--phase", "design", "--start", "2026-01-01")
    run("environment", "edit", "copd twente", "--phase", "operationalisation", "--funding-end", "2027-12-31")
    run("programme", "add", "Ziekenhuis X", "Longen thuis", "--environment", "COPD Twente", "--platform", "Luchtig",
        "--start", "2026-02-01", "--team", "Hartfalenpoli", "--adherence", "75")  # fmt: skip
    run("programme", "edit", "Ziekenhuis X", "Longen thuis", "--name", "Longen op afstand", "--around-the-clock")
    listed = run("programme", "list", "Ziekenhuis X")
    assert "Longen op afstand\tCOPD Twente\tactive\t2026-02-01\tHartfalenpoli" in listed
    run("programme", "end", "Ziekenhuis X", "Longen op afstand", "--on", "2026-06-30")

    refused = runner.invoke(args=["admin", "programme", "add", "Ziekenhuis X", "Tweede", "--environment", "COPD Twente",
                                  "--platform", "P", "--start", "2026-02-01", "--team", "Wijkteam Y"])  # fmt: skip
    assert refused.exit_code != 0
    assert "no team 'Wijkteam Y' in Ziekenhuis X" in refused.output
    mismatch = runner.invoke(args=["admin", "programme", "add", "Ziekenhuis X", "Tweede", "--environment",
                                   "COPD Twente", "--platform", "P", "--start", "2026-02-01", "--team",
                                   "Hartfalenpoli", "--condition", "HF"])  # fmt: skip
    assert mismatch.exit_code != 0
    assert "refused: programme-condition-mismatch" in mismatch.output

    with app.app_context():
        env = db.session.scalars(select(Environment)).one()
        programme = db.session.scalars(select(Programme)).one()
        assert (env.phase.value, env.funding_end.isoformat()) == ("operationalisation", "2027-12-31")  # type: ignore[union-attr]
        assert (programme.name, programme.status, programme.adherence_threshold) == ("Longen op afstand", "ended", 0.75)
        assert programme.business_hours["days"] == [0, 1, 2, 3, 4, 5, 6]  # type: ignore[index]
        actions = list(db.session.scalars(select(AccessLogEntry.action).where(AccessLogEntry.actor.like("cli:%"))))
    assert actions == ["admin.environment.create", "admin.environment.update", "admin.programme.create",
                       "admin.programme.update", "admin.programme.end"]  # fmt: skip


def test_the_cli_sets_and_removes_curricula_and_changes_norms(app: Flask, content: None) -> None:
    from datetime import date

    from learning.environments.models import Condition, Curriculum, Phase, StaffRole

    with app.app_context():
        region = make_region()
        env = Environment(name="HF", condition=Condition.HF, phase=Phase.DESIGN, start=date(2026, 1, 1))
        db.session.add_all([env, StaffRole(code="hf_nurse", label_nl="HF-vpk", label_en="HF nurse")])
        db.session.flush()
        db.session.add(Programme(environment_id=env.id, organisation_id=region.org_x, name="Thuismeten",
                                 condition=Condition.HF, platform_name="P", start=date(2026, 2, 1),
                                 measurement_schedule={"weight": "daily"}, alert_sla_minutes={"red": 60}))  # fmt: skip
        db.session.commit()
    runner = app.test_cli_runner()

    def run(*args: str) -> str:
        result = runner.invoke(args=["admin", *args])
        assert result.exit_code == 0, result.output
        return result.output

    run("curriculum", "set", "Ziekenhuis X", "Thuismeten", "hf_nurse", "--module", "rpm-meting-tot-melding",
        "--due-days", "30", "--refresher-months", "12")  # fmt: skip
    run("curriculum", "set", "Ziekenhuis X", "Thuismeten", "patient", "--module", "elke-dag-wegen-hartfalen",
        "--due-days", "7")  # fmt: skip
    assert run("curriculum", "list", "Ziekenhuis X", "Thuismeten").splitlines() == [
        "hf_nurse\t30\t12\trpm-meting-tot-melding", "patient\t7\t-\telke-dag-wegen-hartfalen"]  # fmt: skip
    run("curriculum", "remove", "Ziekenhuis X", "Thuismeten", "patient")
    wrong = runner.invoke(args=["admin", "curriculum", "set", "Ziekenhuis X", "Thuismeten", "patient", "--module",
                                "rpm-meting-tot-melding", "--due-days", "7"])  # fmt: skip
    assert wrong.exit_code != 0
    assert "refused: curriculum-module-audience" in wrong.output
    shown = run("programme", "norms", "Ziekenhuis X", "Thuismeten", "--sla", "orange=240", "--schedule", "bp=3/wk")
    assert shown.splitlines() == ["alerts: red=60, orange=240", "schedule: weight=daily, bp=3/wk"]
    late = runner.invoke(args=["admin", "programme", "norms", "Ziekenhuis X", "Thuismeten", "--sla", "red=300"])
    assert late.exit_code != 0
    assert "refused: sla-order" in late.output
    run("programme", "norms", "Ziekenhuis X", "Thuismeten", "--schedule", "bp=-")

    with app.app_context():
        rows = [(c.role_code, c.module_slugs) for c in db.session.scalars(select(Curriculum))]
        programme = db.session.scalars(select(Programme)).one()
        assert (programme.alert_sla_minutes, programme.measurement_schedule) == (
            {"red": 60, "orange": 240}, {"weight": "daily"})  # fmt: skip
        actions = list(db.session.scalars(select(AccessLogEntry.action).where(AccessLogEntry.actor.like("cli:%"))))
    assert rows == [("hf_nurse", ["rpm-meting-tot-melding"])]
    assert actions == ["admin.curriculum.set", "admin.curriculum.set", "admin.curriculum.remove",
                       "admin.programme.norms", "admin.programme.norms"]  # fmt: skip

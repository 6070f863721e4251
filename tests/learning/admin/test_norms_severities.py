"""A programme's alert severities: the norms service (behind the programme page and `flask admin programme norms`)
adds one with its minutes and removes one that no alert of the programme has; a change queues the programme's
months for the metrics like any norms change; every refusal names its field, keeps the form and stores nothing."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from admin_helpers import Region, actor, make_region
from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_token, log_in
from sqlalchemy import func, select

from learning.accounts.models import Organisation, Role, Team
from learning.accounts.services import create_user
from learning.admin.norms import NormsData, set_norms
from learning.admin.scope import AdminError, OutOfScope
from learning.audit.models import AccessLogEntry
from learning.db import db
from learning.environments.models import Condition, Environment, Phase, Programme
from learning.metrics.models import MetricDirty
from learning.rpm.models import Alert

NORMS = {"red": 60, "orange": 240, "yellow": 1440}
SCHEDULE = {"weight": "daily"}


def make_programme(region: Region, organisation_id: int | None = None, name: str = "Thuismeten") -> int:
    """An HF programme of X (or another organisation) with the demo's three severities and no alerts yet."""
    env = db.session.scalar(select(Environment)) or Environment(
        name="Hartfalen Twente", condition=Condition.HF, phase=Phase.DESIGN, start=date(2026, 1, 1)
    )
    org = organisation_id or region.org_x
    team = db.session.scalar(select(Team).where(Team.organisation_id == org))
    programme = Programme(environment=env, organisation_id=org, name=name, condition=Condition.HF, platform_name="P",
                          start=date(2026, 2, 1), teams=[team], alert_sla_minutes=dict(NORMS),
                          measurement_schedule=dict(SCHEDULE))  # fmt: skip
    db.session.add(programme)
    db.session.commit()
    return programme.id


def add_alert(programme_id: int, severity: str) -> None:
    db.session.add(Alert(programme_id=programme_id, external_id=f"a-{severity}-{programme_id}", patient_pid="p1",
                         severity=severity, created_at=datetime(2026, 3, 2, 9, tzinfo=UTC)))  # fmt: skip
    db.session.commit()


def norms_of(programme_id: int) -> dict[str, int]:
    db.session.expire_all()
    programme = db.session.get(Programme, programme_id)
    assert programme is not None
    return dict(programme.alert_sla_minutes or {})


def queued() -> int:
    return db.session.scalar(select(func.count(MetricDirty.id))) or 0


def test_a_severity_is_added_and_an_unused_one_removed_and_the_months_follow(region: Region) -> None:
    programme = make_programme(region)
    me = actor(region.manager_x)
    set_norms(me, region.org_x, programme, NormsData(dict(NORMS), SCHEDULE, " Blue ", 30))
    assert norms_of(programme) == {**NORMS, "blue": 30}
    assert set(db.session.execute(select(MetricDirty.team_id, MetricDirty.period_start)).all()) == {
        (region.team_x, date(2026, 2, 1))}  # fmt: skip
    set_norms(me, region.org_x, programme, NormsData({"red": 60, "orange": 240, "blue": 30}, SCHEDULE))
    assert norms_of(programme) == {"red": 60, "orange": 240, "blue": 30}
    subjects = db.session.scalars(
        select(AccessLogEntry.subject).where(AccessLogEntry.action == "admin.programme.norms")
    )
    assert list(subjects) == [f"programme:{programme}"] * 2


BAD = [
    (NormsData(dict(NORMS), SCHEDULE, "red", 30), "sla-severity-exists", "new_severity"),
    (NormsData(dict(NORMS), SCHEDULE, "Yellow", 30), "sla-severity-exists", "new_severity"),
    (NormsData(dict(NORMS), SCHEDULE, "licht blauw", 30), "sla-severity-invalid", "new_severity"),
    (NormsData(dict(NORMS), SCHEDULE, "2nd", 30), "sla-severity-invalid", "new_severity"),
    (NormsData(dict(NORMS), SCHEDULE, "b" * 21, 30), "sla-severity-invalid", "new_severity"),
    (NormsData(dict(NORMS), SCHEDULE, "blue", None), "sla-out-of-range", "new_minutes"),
    (NormsData(dict(NORMS), SCHEDULE, "blue", 10081), "sla-out-of-range", "new_minutes"),
    (NormsData({"red": 60, "orange": 240}, SCHEDULE), "sla-severity-in-use", "drop_sla_yellow"),
    (NormsData({"blue": 30}, SCHEDULE), "sla-severity-in-use", "drop_sla_yellow"),
]


@pytest.mark.parametrize(("data", "reason", "field"), BAD)
def test_a_refused_severity_change_stores_and_queues_nothing(region: Region, data: NormsData, reason: str,
                                                             field: str) -> None:  # fmt: skip
    programme = make_programme(region)
    add_alert(programme, "yellow")
    other = make_programme(region, region.org_y, "Wijkzorg")
    add_alert(other, "red")  # another programme's alerts keep no severity of this one
    with pytest.raises(AdminError) as refused:
        set_norms(actor(region.manager_x), region.org_x, programme, data)
    assert (refused.value.reason, refused.value.params.get("field")) == (reason, field)
    assert norms_of(programme) == NORMS
    assert queued() == 0
    set_norms(actor(region.manager_x), region.org_x, programme, NormsData({"red": 60, "yellow": 1440}, SCHEDULE))
    assert norms_of(programme) == {"red": 60, "yellow": 1440}  # orange had no alert of this programme


def test_a_manager_of_another_organisation_changes_no_severity(region: Region) -> None:
    programme = make_programme(region)
    for org in (region.org_x, region.org_y):
        with pytest.raises(OutOfScope):
            set_norms(actor(region.manager_y), org, programme, NormsData(dict(NORMS), SCHEDULE, "blue", 30))
    assert norms_of(programme) == NORMS
    assert queued() == 0


def test_the_cli_adds_a_severity_and_refuses_to_remove_one_in_use(app: Flask, region: Region) -> None:
    programme = make_programme(region)
    add_alert(programme, "red")
    runner = app.test_cli_runner()
    base = ["admin", "programme", "norms", "Ziekenhuis X", "Thuismeten"]
    added = runner.invoke(args=[*base, "--sla", "blue=30", "--sla", "yellow=-"])
    assert added.exit_code == 0, added.output
    assert added.output.splitlines()[0] == "alerts: red=60, orange=240, blue=30"
    refused = runner.invoke(args=[*base, "--sla", "red=-"])
    assert refused.exit_code != 0
    assert "refused: sla-severity-in-use (severity=red, field=drop_sla_red)" in refused.output
    assert norms_of(programme) == {"red": 60, "orange": 240, "blue": 30}


# --- the programme page's norms form, over HTTP


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert log_in(client, email, PASSWORD, app).status_code == 302
    return client


def _page_world(app: Flask) -> tuple[Region, int, str]:
    with app.app_context():
        region = make_region()
        programme = make_programme(region)
        add_alert(programme, "yellow")
        org = db.session.get(Organisation, region.org_x)
        create_user("nurse-x@example.test", PASSWORD, Role.PROFESSIONAL, organisation=org,
                    team=db.session.get(Team, region.team_x))  # fmt: skip
        db.session.commit()
    return region, programme, f"/admin/organisations/{region.org_x}/programmes/{programme}"


def _form(token: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": token, "sla_red": "60", "sla_orange": "240", "sla_yellow": "1440", "schedule_weight": "daily",
            "new_kind": "", "new_frequency": "", "new_severity": "", "new_minutes": "", **fields}  # fmt: skip


def test_the_norms_form_adds_a_severity_and_removes_an_unused_one(app: Flask) -> None:
    _region, programme, base = _page_world(app)
    client = _client(app, "manager-x@example.test")
    page = client.get(base).get_data(as_text=True)
    assert '<label for="norms-new_severity">Ernstniveau toevoegen (niet verplicht)</label>' in page
    assert 'name="drop_sla_orange" value="yes"> <span>Ernstniveau oranje verwijderen</span>' in page
    token = csrf_token(client, base)
    saved = client.post(f"{base}/norms", data=_form(token, new_severity="blue", new_minutes="30"))
    assert saved.status_code == 302
    assert "Melding blauw" in client.get(base).get_data(as_text=True)  # the usual word in the reader's language
    removed = client.post(f"{base}/norms", data=_form(token, sla_blue="30", drop_sla_orange="yes"))
    assert removed.status_code == 302
    with app.app_context():
        assert norms_of(programme) == {"red": 60, "yellow": 1440, "blue": 30}
        assert queued() > 0


def test_a_refused_severity_keeps_the_form_and_says_what_to_do(app: Flask) -> None:
    _region, programme, base = _page_world(app)
    client = _client(app, "manager-x@example.test")
    token = csrf_token(client, base)
    taken = client.post(f"{base}/norms", data=_form(token, new_severity="red", new_minutes="45"))
    text = taken.get_data(as_text=True)
    assert taken.status_code == 400
    assert re.search(r'role="alert"[^>]*><p>Dit programma heeft het ernstniveau rood al\.', text)
    assert 'id="norms-new_severity" name="new_severity" type="text" value="red" aria-invalid="true"' in text
    assert 'value="45"' in text
    in_use = client.post(f"{base}/norms", data=_form(token, drop_sla_yellow="yes", new_severity="blue",
                                                     new_minutes="30"))  # fmt: skip
    text = in_use.get_data(as_text=True)
    assert in_use.status_code == 400
    assert "Er zijn meldingen van dit programma met ernstniveau geel" in text
    assert re.search(r'name="drop_sla_yellow" value="yes" checked aria-invalid="true"', text)
    assert 'value="blue"' in text  # the rest of what was typed stays too
    with app.app_context():
        assert norms_of(programme) == NORMS
        assert queued() == 0


def test_a_nurse_and_a_manager_of_another_organisation_cannot_change_severities(app: Flask) -> None:
    region, programme, base = _page_world(app)
    for email, status in (("nurse-x@example.test", 403), ("manager-y@example.test", 404)):
        client = _client(app, email)
        token = csrf_token(client, "/")
        form = _form(token, new_severity="blue", new_minutes="30", drop_sla_orange="yes")
        assert client.post(f"{base}/norms", data=form).status_code == status
        other = f"/admin/organisations/{region.org_y}/programmes/{programme}/norms"
        assert client.post(other, data=form).status_code == status
    with app.app_context():
        assert norms_of(programme) == NORMS
        assert queued() == 0

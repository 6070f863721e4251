"""The environment and programme pages through HTTP: a manager reads the environments but adds none; a refused
programme form says what to do and keeps what was typed; add, edit and end go through for the organisation's own."""

from __future__ import annotations

import re
from datetime import date

from admin_helpers import make_region
from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_token, log_in
from sqlalchemy import select

from learning.db import db
from learning.environments.models import Condition, Environment, Phase, Programme


def _login(client: FlaskClient, email: str) -> None:
    assert log_in(client, email, PASSWORD, client.application).status_code == 302


def test_an_admin_adds_an_environment_and_a_refusal_keeps_the_form(app: Flask) -> None:
    with app.app_context():
        make_region()
    client = app.test_client()
    _login(client, "admin@example.test")
    form = {"csrf_token": csrf_token(client, "/admin/environments/"), "name": "Diabetes Twente", "condition": "T2DM",
            "phase": "design", "start": "2026-03-01", "end": "2026-02-01", "funding_end": ""}  # fmt: skip
    refused = client.post("/admin/environments/", data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert re.search(r'role="alert"[^>]*><p>De einddatum kan niet voor de begindatum liggen', page)
    assert 'value="Diabetes Twente"' in page
    assert '<option value="T2DM" selected>' in page
    assert client.post("/admin/environments/", data={**form, "end": ""}).status_code == 302
    with app.app_context():
        env = db.session.scalars(select(Environment)).one()
    assert client.get(f"/admin/environments/{env.id}").status_code == 200
    listed = client.get("/admin/environments/").get_data(as_text=True)
    assert "diabetes type 2 (T2DM)" in listed
    assert "1 maart 2026" in listed  # a date as a Dutch reader writes it, not 2026-03-01


def test_a_manager_adds_edits_and_ends_a_programme_of_their_own_organisation(app: Flask) -> None:
    with app.app_context():
        region = make_region()
        env = Environment(name="Hartfalen Twente", condition=Condition.HF, phase=Phase.DESIGN, start=date(2026, 1, 1))
        db.session.add(env)
        db.session.commit()
        env_id = env.id
    client = app.test_client()
    _login(client, "manager-x@example.test")
    listed = client.get("/admin/environments/")
    assert listed.status_code == 200
    assert "Hartfalen Twente" in listed.get_data(as_text=True)
    assert "Omgeving toevoegen" not in listed.get_data(as_text=True)
    assert client.get(f"/admin/environments/{env_id}").status_code == 403

    base = f"/admin/organisations/{region.org_x}"
    form = {"csrf_token": csrf_token(client, base), "environment_id": str(env_id), "name": " ", "condition": "",
            "platform_name": "Thuismonitor", "start": "2026-02-01", "adherence": "75", "team_ids": [str(region.team_x)],
            "monitoring_centre_team_id": "", "hours": "daily"}  # fmt: skip
    refused = client.post(f"{base}/programmes", data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert re.search(r'role="alert"[^>]*><p>Vul een naam in van hoogstens 200 tekens', page)
    assert 'value="Thuismonitor"' in page
    assert f'value="{region.team_x}" checked' in page
    assert 'value="daily" checked' in page
    assert client.post(f"{base}/programmes", data={**form, "name": "Thuismeten"}).status_code == 302
    with app.app_context():
        programme = db.session.scalars(select(Programme)).one()
        assert (programme.adherence_threshold, programme.condition.value) == (0.75, "HF")
    path = f"{base}/programmes/{programme.id}"
    edit = client.get(path).get_data(as_text=True)
    assert 'value="75"' in edit
    assert client.post(path, data={**form, "name": "Hartfalen thuis", "adherence": "85"}).status_code == 302
    too_early = client.post(f"{path}/end", data={"csrf_token": form["csrf_token"], "end": "2026-01-15"})
    assert too_early.status_code == 400
    assert "Het programma is begonnen op 2026-02-01" in too_early.get_data(as_text=True)
    assert client.post(f"{path}/end", data={"csrf_token": form["csrf_token"], "end": "2026-02-28"}).status_code == 302
    assert client.get(f"/admin/organisations/{region.org_y}/programmes/{programme.id}").status_code == 404
    with app.app_context():
        ended = db.session.get(Programme, programme.id)
        assert ended is not None
        assert (ended.name, ended.adherence_threshold, ended.status) == ("Hartfalen thuis", 0.85, "ended")


def test_a_manager_sets_a_curriculum_and_the_norms_on_the_programme_page(app: Flask, content: None) -> None:
    from learning.environments.models import Curriculum, StaffRole

    with app.app_context():
        region = make_region()
        env = Environment(name="Hartfalen Twente", condition=Condition.HF, phase=Phase.DESIGN, start=date(2026, 1, 1))
        db.session.add_all([env, StaffRole(code="hf_nurse", label_nl="Hartfalenverpleegkundige", label_en="HF nurse")])
        db.session.flush()
        programme = Programme(environment_id=env.id, organisation_id=region.org_x, name="Thuismeten",
                              condition=Condition.HF, platform_name="P", start=date(2026, 2, 1),
                              measurement_schedule={"weight": "daily", "steps": "2/mo"},  # 2/mo: not read
                              alert_sla_minutes={"red": 60, "orange": 240})  # fmt: skip
        db.session.add(programme)
        db.session.commit()
        base = f"/admin/organisations/{region.org_x}/programmes/{programme.id}"
    client = app.test_client()
    _login(client, "manager-x@example.test")
    page = client.get(base).get_data(as_text=True)
    assert "Nog geen curricula" in page
    assert '<option value="2/mo" selected>2/mo</option>' in page  # shown as stored, not silently dropped on saving
    assert '<option value="hf_nurse">Hartfalenverpleegkundige</option>' in page
    new = client.get(f"{base}/curricula/new", query_string={"role": "hf_nurse"})
    assert new.headers["Location"].endswith(f"{base}/curricula/hf_nurse")
    form = client.get(f"{base}/curricula/hf_nurse").get_data(as_text=True)
    assert "Thuismonitoring: van meting tot melding" in form  # by title, in the reader's language
    assert "Elke dag wegen bij hartfalen" not in form  # a patient module is not offered to staff

    token = csrf_token(client, base)
    refused = client.post(f"{base}/curricula/hf_nurse", data={"csrf_token": token, "due_days": "45",
                                                              "refresher_months": "twaalf"})  # fmt: skip
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert re.search(r'role="alert"[^>]*><p>Vink minstens één module aan', text)
    assert 'value="45"' in text  # what was typed stays
    assert 'value="twaalf"' in text
    saved = client.post(f"{base}/curricula/hf_nurse", data={"csrf_token": token, "due_days": "45",
                                                            "module_slugs": ["rpm-meting-tot-melding"]})  # fmt: skip
    assert saved.status_code == 302
    page = client.get(base).get_data(as_text=True)
    assert "Af binnen 45 dagen na de start." in page
    assert "Eén keer is genoeg." in page
    assert "<li>Thuismonitoring: van meting tot melding</li>" in page

    norms = {"csrf_token": token, "sla_orange": "240", "schedule_weight": "daily", "schedule_steps": "",
             "new_kind": "bp", "new_frequency": "3/wk"}  # fmt: skip
    bad = client.post(f"{base}/norms", data={**norms, "sla_red": "300"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "Een dringender melding kan niet meer tijd krijgen" in text
    assert 'value="300"' in text
    assert 'value="bp"' in text
    unsaid = client.post(f"{base}/norms", data={**norms, "sla_red": "30", "new_frequency": ""})
    assert unsaid.status_code == 400
    assert 'id="norms-new_frequency" name="new_frequency" aria-invalid="true"' in unsaid.get_data(as_text=True)
    good = client.post(f"{base}/norms", data={**norms, "sla_red": "30"})
    assert good.status_code == 302

    assert "Curriculum voor Hartfalenverpleegkundige verwijderen?" in client.get(
        f"{base}/curricula/hf_nurse/remove").get_data(as_text=True)  # fmt: skip
    assert client.post(f"{base}/curricula/hf_nurse/remove", data={"csrf_token": token}).status_code == 200  # asks
    assert "Curriculum voor Hartfalenverpleegkundige wijzigen" in client.get(base).get_data(as_text=True)  # kept
    removed = client.post(f"{base}/curricula/hf_nurse/remove", data={"csrf_token": token, "confirm": "yes"})
    assert removed.status_code == 302
    assert client.get(f"{base}/curricula/hf_nurse/remove").status_code == 404  # nothing left to remove
    with app.app_context():
        stored = db.session.get(Programme, programme.id)
        assert stored is not None
        assert (stored.alert_sla_minutes, stored.measurement_schedule) == (
            {"red": 30, "orange": 240}, {"weight": "daily", "bp": "3/wk"})  # fmt: skip
        assert db.session.scalars(select(Curriculum)).all() == []

"""The care roles pages over HTTP: the administration's start page leads there; a regional administrator adds, renames
and removes roles, a refusal says what to do in the page and keeps what was typed; a manager reads the list (their own
organisation's use) and changes nothing; a nurse is refused."""

from __future__ import annotations

import re
from datetime import date

from admin_helpers import Region, make_region
from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_token, log_in
from sqlalchemy import select
from werkzeug.test import TestResponse

from learning.accounts.models import Organisation, Role, Team
from learning.accounts.services import create_user
from learning.db import db
from learning.environments.models import Condition, Curriculum, Environment, Phase, Programme, StaffRole
from learning.environments.roles import ensure_care_roles

NEW = {"code": "wound_nurse", "label_nl": "Wondverpleegkundige", "label_en": "Wound care nurse",
       "label_de": "Pflegefachkraft Wundversorgung"}  # fmt: skip


def _world(app: Flask) -> Region:
    """Two organisations with the region's roles; Y's programme has a curriculum for district nurses."""
    with app.app_context():
        region = make_region()
        ensure_care_roles()
        env = Environment(name="Hartfalen Twente", condition=Condition.HF, phase=Phase.DESIGN, start=date(2026, 1, 1))
        programme = Programme(environment=env, organisation_id=region.org_y, name="Wijkzorg op afstand",
                              condition=Condition.HF, platform_name="P", start=date(2026, 2, 1))  # fmt: skip
        db.session.add(programme)
        db.session.flush()
        db.session.add(Curriculum(programme_id=programme.id, role_code="district_nurse", module_slugs=["x"],
                                  due_days=30))  # fmt: skip
        create_user("nurse-x@example.test", PASSWORD, Role.PROFESSIONAL,
                    organisation=db.session.get(Organisation, region.org_x),
                    team=db.session.get(Team, region.team_x))  # fmt: skip
        db.session.commit()
    return region


def _client(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert log_in(client, email, PASSWORD, app).status_code == 302
    return client


def _text(response: TestResponse) -> str:
    """The page as a reader sees it: the soft hyphens long names get (learning/content/hyphenation.py) left out."""
    return response.get_data(as_text=True).replace("\u00ad", "")


def _roles(app: Flask) -> dict[str, tuple[str, str, str | None]]:
    with app.app_context():
        return {r.code: (r.label_nl, r.label_en, r.label_de) for r in db.session.scalars(select(StaffRole))}


def test_an_admin_adds_a_care_role_after_a_refusal_that_keeps_the_form(app: Flask) -> None:
    _world(app)
    client = _client(app, "admin@example.test")
    start = client.get("/admin/organisations/").get_data(as_text=True)
    assert '<a href="/admin/roles/">Functies</a>' in start
    listed = _text(client.get("/admin/roles/"))
    assert "Praktijkondersteuner huisarts" in listed
    assert "GP practice nurse" in listed
    assert "Praxisfachkraft Hausarztpraxis" in listed
    assert "Wijkzorg op afstand (Zorggroep Y)" in listed  # where district_nurse is used
    token = csrf_token(client, "/admin/roles/")
    before = _roles(app)

    taken = client.post("/admin/roles/", data={"csrf_token": token, **NEW, "code": "hf_nurse"})
    page = taken.get_data(as_text=True)
    assert taken.status_code == 400
    assert re.search(r'role="alert"[^>]*><p>De code hf_nurse is al in gebruik\. Kies een andere code\.', page)
    assert 'id="code" name="code" type="text" value="hf_nurse"' in page
    assert 'aria-invalid="true"' in page
    assert 'value="Pflegefachkraft Wundversorgung"' in page  # what was typed stays
    bad = client.post("/admin/roles/", data={"csrf_token": token, **NEW, "code": "wond vpk"})
    assert bad.status_code == 400
    assert "Schrijf de code in kleine letters, cijfers of _" in bad.get_data(as_text=True)
    empty = client.post("/admin/roles/", data={"csrf_token": token, **NEW, "label_de": "  "})
    text = empty.get_data(as_text=True)
    assert empty.status_code == 400
    assert "Vul de naam in alle drie de talen in" in text
    assert re.search(r'id="label_de" name="label_de" type="text" value="  "[^>]*aria-invalid="true"', text)
    assert _roles(app) == before

    added = client.post("/admin/roles/", data={"csrf_token": token, **NEW})
    assert added.status_code == 302
    assert added.headers["Location"].endswith("/admin/roles/#role-wound_nurse")
    assert "Functie Wondverpleegkundige is toegevoegd." in client.get("/admin/roles/").get_data(as_text=True)
    assert _roles(app)["wound_nurse"] == ("Wondverpleegkundige", "Wound care nurse", "Pflegefachkraft Wundversorgung")


def test_an_admin_renames_a_role_and_removes_only_an_unused_one(app: Flask) -> None:
    _world(app)
    client = _client(app, "admin@example.test")
    token = csrf_token(client, "/admin/roles/")
    page = _text(client.get("/admin/roles/poh"))
    assert "Code: poh." in page
    assert 'value="Praktijkondersteuner huisarts"' in page
    refused = client.post("/admin/roles/poh", data={"csrf_token": token, "label_nl": "POH", "label_en": "",
                                                    "label_de": "Praxisfachkraft"})  # fmt: skip
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert re.search(r'role="alert"[^>]*><p>Vul de naam in alle drie de talen in', text)
    assert 'value="POH"' in text
    assert 'value="Praxisfachkraft"' in text
    taken = client.post("/admin/roles/poh", data={"csrf_token": token, "label_nl": "Huisarts", "label_en": "x",
                                                  "label_de": "y"})  # fmt: skip
    assert "Een andere functie heeft al de naam Huisarts" in taken.get_data(as_text=True)
    assert _roles(app)["poh"][0] == "Praktijkondersteuner huisarts"
    renamed = {"csrf_token": token, "label_nl": "POH somatiek", "label_en": "GP practice nurse",
               "label_de": "Praxisfachkraft"}  # fmt: skip
    saved = client.post("/admin/roles/poh", data=renamed)
    assert saved.status_code == 302
    assert _roles(app)["poh"] == ("POH somatiek", "GP practice nurse", "Praxisfachkraft")

    used = client.get("/admin/roles/district_nurse/remove")  # a curriculum of Y uses it
    assert used.status_code == 400
    assert "Deze functie is nog in gebruik" in used.get_data(as_text=True)
    used = client.post("/admin/roles/district_nurse/remove", data={"csrf_token": token, "confirm": "yes"})
    assert used.status_code == 400
    assert re.search(r'role="alert"[^>]*><p>Deze functie is nog in gebruik', used.get_data(as_text=True))
    assert "district_nurse" in _roles(app)
    assert "Functie Fysiotherapeut verwijderen?" in client.get("/admin/roles/physio/remove").get_data(as_text=True)
    asked = client.post("/admin/roles/physio/remove", data={"csrf_token": token})  # no confirmation: asks again
    assert asked.status_code == 200
    assert "physio" in _roles(app)
    removed = client.post("/admin/roles/physio/remove", data={"csrf_token": token, "confirm": "yes"})
    assert removed.status_code == 302
    assert "physio" not in _roles(app)
    for path in ("/admin/roles/physio", "/admin/roles/patient", "/admin/roles/physio/remove"):
        assert client.get(path).status_code == 404


def test_a_manager_reads_the_list_for_their_own_organisation_and_a_nurse_nothing(app: Flask) -> None:
    _world(app)
    before = _roles(app)
    manager = _client(app, "manager-x@example.test")
    listed = manager.get("/admin/roles/")
    text = _text(listed)
    assert listed.status_code == 200
    assert "Wijkverpleegkundige" in text
    assert "Zorggroep Y" not in text  # another organisation's use is not theirs to see
    assert "Functie toevoegen" not in text
    assert "Alleen een regionale beheerder" in text
    token = csrf_token(manager, "/admin/roles/")
    assert manager.post("/admin/roles/", data={"csrf_token": token, **NEW}).status_code == 403
    assert manager.get("/admin/roles/poh").status_code == 403
    assert manager.post("/admin/roles/poh", data={"csrf_token": token, **NEW}).status_code == 403
    assert manager.post("/admin/roles/physio/remove", data={"csrf_token": token, "confirm": "yes"}).status_code == 403
    nurse = _client(app, "nurse-x@example.test")
    token = csrf_token(nurse, "/")
    assert nurse.get("/admin/roles/").status_code == 403
    assert nurse.post("/admin/roles/", data={"csrf_token": token, **NEW}).status_code == 403
    assert nurse.post("/admin/roles/physio/remove", data={"csrf_token": token, "confirm": "yes"}).status_code == 403
    assert _roles(app) == before

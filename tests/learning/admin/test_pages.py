"""The admin pages through HTTP: each renders for its administrator, a refusal says what to do and keeps the input."""

from __future__ import annotations

import io
import re

from admin_helpers import make_region
from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_token, log_in
from sqlalchemy import select

from learning.accounts.models import Invitation, User
from learning.db import db
from learning.environments.roles import ensure_care_roles


def _login(client: FlaskClient, email: str) -> None:
    assert log_in(client, email, PASSWORD, client.application).status_code == 302


def test_a_manager_walks_every_page_of_their_organisation(app: Flask) -> None:
    with app.app_context():
        region = make_region()
    client = app.test_client()
    _login(client, "manager-x@example.test")
    base = f"/admin/organisations/{region.org_x}"
    for path in ("/admin/organisations/", base, f"{base}/teams/{region.team_x}", f"{base}/people",
                 f"{base}/people?left=1", f"{base}/people/{region.manager_x}", f"{base}/invitations", f"{base}/import",
                 f"{base}/import/staff/template.csv"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 200, path
    token = csrf_token(client, f"{base}/invitations")
    made = client.post(f"{base}/invitations", data={"csrf_token": token, "role": "patient", "max_uses": "1",
                                                     "expires_on": "", "label": "P-7"})  # fmt: skip
    assert made.status_code == 302
    with app.app_context():
        invitation = db.session.scalars(select(Invitation)).one()
    letter = client.get(f"{base}/invitations/letters?ids={invitation.id}&lang=nl")
    page = letter.get_data(as_text=True)
    assert letter.status_code == 200
    assert invitation.code in page
    assert "<svg" in page
    assert f"/register?code={invitation.code}" in page
    assert "Je zorgteam van Ziekenhuis X nodigt je uit." in page


def test_a_refused_form_says_what_to_do_and_keeps_what_was_typed(app: Flask) -> None:
    with app.app_context():
        region = make_region()
    client = app.test_client()
    _login(client, "manager-x@example.test")
    path = f"/admin/organisations/{region.org_x}/people"
    data = {"csrf_token": csrf_token(client, path), "display_name": "Nieuwe Collega", "email": "geen adres",
            "role": "professional", "team_id": ""}  # fmt: skip
    response = client.post(path, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'role="alert"[^>]*><p>Vul een geldig e-mailadres in', page)
    assert 'value="Nieuwe Collega"' in page
    assert 'value="geen adres"' in page
    assert 'aria-invalid="true"' in page
    with app.app_context():
        assert db.session.scalar(select(User).where(User.display_name == "Nieuwe Collega")) is None


def test_an_import_preview_lists_problems_and_the_confirm_imports_only_a_clean_file(app: Flask) -> None:
    with app.app_context():
        region = make_region()
    client = app.test_client()
    _login(client, "manager-x@example.test")
    path = f"/admin/organisations/{region.org_x}/import"
    bad = b"personnel_number;email;display_name\nHR-1;a@example.test;A\nHR-1;b@example.test;\n"
    response = client.post(path, data={"csrf_token": csrf_token(client, path), "kind": "staff",
                                       "file": (io.BytesIO(bad), "staff.csv")})  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "2 problemen. Er is niets geïmporteerd." in page
    assert "Dit nummer staat ook op rij 2." in page
    assert "admin/organisations" in page
    confirm = client.post(f"{path}/confirm", data={"csrf_token": csrf_token(client, path), "kind": "staff",
                                                   "csv": bad.decode()})  # fmt: skip
    assert confirm.status_code == 400
    good = "personnel_number;email;display_name\nHR-1;a@example.test;A\n"
    done = client.post(f"{path}/confirm", data={"csrf_token": csrf_token(client, path), "kind": "staff", "csv": good})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User.organisation_id).where(User.email == "a@example.test")) == region.org_x
        assert db.session.scalar(select(User.id).where(User.email == "b@example.test")) is None


def test_a_refused_line_manager_saves_nothing_of_the_form(app: Flask) -> None:
    with app.app_context():
        region = make_region()
    client = app.test_client()
    _login(client, "manager-x@example.test")
    path = f"/admin/organisations/{region.org_x}/people/{region.manager_x}"
    data = {"csrf_token": csrf_token(client, path), "display_name": "Andere Naam", "email": "manager-x@example.test",
            "role": "manager", "team_id": "", "line_manager_id": str(region.manager_x)}  # fmt: skip
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "Iemand kan niet zijn eigen leidinggevende zijn." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, region.manager_x).display_name == ""  # type: ignore[union-attr]


def test_the_care_role_select_refuses_a_role_without_team_and_keeps_the_choice(app: Flask) -> None:
    with app.app_context():
        region = make_region()
        ensure_care_roles()
        db.session.commit()
    client = app.test_client()
    _login(client, "manager-x@example.test")
    path = f"/admin/organisations/{region.org_x}/people"
    data = {"csrf_token": csrf_token(client, path), "display_name": "Noor", "email": "noor@example.test",
            "role": "professional", "team_id": "", "care_role": "hf_nurse"}  # fmt: skip
    refused = client.post(path, data=data)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert re.search(r'role="alert"[^>]*><p>Een functie hoort bij een team', page)
    assert '<option value="hf_nurse" selected>Hartfalenverpleegkundige</option>' in page
    made = client.post(path, data={**data, "team_id": str(region.team_x)})
    assert made.status_code == 302
    person = client.get(made.headers["Location"]).get_data(as_text=True)
    assert '<option value="hf_nurse" selected>Hartfalenverpleegkundige</option>' in person  # read from the roster

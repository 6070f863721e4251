"""A caregiver sees a patient's progress only after the patient gave a code, and only until either ends it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from audit_helpers import entries
from helpers import PASSWORD, csrf_token
from sqlalchemy import select

from learning.accounts.models import Role
from learning.caregivers.models import CareLink
from learning.caregivers.services import ALPHABET, normalise_code
from learning.db import db, utcnow
from tests.learning.tracking.test_sync import take_module

CODE = re.compile(r'<strong class="code"[^>]*>([A-Z0-9]{4}-[A-Z0-9]{4})</strong>')
TITLE = "Elke dag wegen bij hartfalen"


def logged_in(app, user):
    client = app.test_client()
    data = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    assert client.post("/login", data=data).status_code == 302
    return client


def make_code(client) -> str:
    response = client.post("/sharing", data={"csrf_token": csrf_token(client, "/sharing")})
    assert response.status_code == 200
    match = CODE.search(response.get_data(as_text=True))
    assert match, "the new code is shown to the patient"
    return match.group(1)


def enter_code(client, code: str):
    return client.post("/caregiving", data={"code": code, "csrf_token": csrf_token(client, "/caregiving")})


@pytest.fixture
def people(app, make_user, content):
    patient = make_user(Role.PATIENT, display_name="Anna Jansen")
    caregiver = make_user(Role.CAREGIVER, display_name="Kees Jansen")
    return logged_in(app, patient), logged_in(app, caregiver), patient, caregiver


def test_a_code_given_and_entered_lets_the_caregiver_see_the_progress_until_the_patient_stops(app, people):
    patient_client, caregiver_client, patient, _caregiver = people
    take_module(patient_client)
    code = make_code(patient_client)
    assert set(code.replace("-", "")) <= set(ALPHABET)

    typed = " " + code.lower().replace("-", " ") + " "  # read out over the phone and typed as heard
    assert enter_code(caregiver_client, typed).status_code == 302
    page = caregiver_client.get("/caregiving").get_data(as_text=True)
    assert "Voortgang van Anna Jansen" in page
    link_id = int(re.search(r'href="/caregiving/(\d+)"', page).group(1))
    progress = caregiver_client.get(f"/caregiving/{link_id}")
    assert progress.status_code == 200
    assert TITLE in progress.get_data(as_text=True)
    assert "Kees Jansen" in patient_client.get("/sharing").get_data(as_text=True)

    token = csrf_token(patient_client, "/sharing")
    assert patient_client.post(f"/sharing/{link_id}/end", data={"csrf_token": token}).status_code == 302
    assert caregiver_client.get(f"/caregiving/{link_id}").status_code == 404
    assert "Anna Jansen" not in caregiver_client.get("/caregiving").get_data(as_text=True)

    with app.app_context():
        logged = [(action, subject) for _actor, action, subject, _path in entries()]
    subject = f"user:{patient.id}"
    for action in ("caregiver.code", "caregiver.accept", "caregiver.progress", "caregiver.revoke"):
        assert (action, subject) in logged, f"{action} is not in the access log"


def test_a_code_works_once(app, people, make_user):
    patient_client, caregiver_client, _patient, _caregiver = people
    code = make_code(patient_client)
    assert enter_code(caregiver_client, code).status_code == 302
    other = logged_in(app, make_user(Role.CAREGIVER))
    response = enter_code(other, code)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Deze code werkt niet" in html
    assert f'value="{code}"' in html  # what they typed stays in the field
    assert "Anna Jansen" not in other.get("/caregiving").get_data(as_text=True)


def test_an_expired_or_withdrawn_code_is_refused_alike(app, people):
    patient_client, caregiver_client, _patient, _caregiver = people
    expired, withdrawn = make_code(patient_client), make_code(patient_client)
    with app.app_context():
        links = db.session.scalars(select(CareLink).order_by(CareLink.id)).all()
        links[0].code_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
        withdrawn_id = links[1].id
    token = csrf_token(patient_client, "/sharing")
    assert patient_client.post(f"/sharing/{withdrawn_id}/end", data={"csrf_token": token}).status_code == 302
    for code in (expired, withdrawn, "ABCD-EFGH"):
        response = enter_code(caregiver_client, code)
        assert response.status_code == 400
        assert "Deze code werkt niet" in response.get_data(as_text=True)


def test_an_empty_code_says_what_to_do(people):
    _patient_client, caregiver_client, _patient, _caregiver = people
    response = enter_code(caregiver_client, "   ")
    assert response.status_code == 400
    assert "Typ de code die je kreeg" in response.get_data(as_text=True)


def test_the_caregiver_can_stop_looking_along(app, people):
    patient_client, caregiver_client, _patient, _caregiver = people
    enter_code(caregiver_client, make_code(patient_client))
    page = caregiver_client.get("/caregiving").get_data(as_text=True)
    link_id = int(re.search(r'href="/caregiving/(\d+)"', page).group(1))
    token = csrf_token(caregiver_client, "/caregiving")
    assert caregiver_client.post(f"/sharing/{link_id}/end", data={"csrf_token": token}).status_code == 302
    assert caregiver_client.get(f"/caregiving/{link_id}").status_code == 404
    assert "Nog niemand" in patient_client.get("/sharing").get_data(as_text=True)


def test_typed_codes_ignore_case_spaces_and_dashes():
    assert normalise_code(" abcd - efgh ") == "ABCDEFGH"
    assert not set("01ILO") & set(ALPHABET)  # nothing that reads as another character

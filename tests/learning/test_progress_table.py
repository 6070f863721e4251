"""/progress renders its table once per what the rows show (learning/progress/services.py table_key): each learner
still sees their own state, and a change shows at once."""

from __future__ import annotations

import re

from helpers import PASSWORD, csrf_token, log_in

from learning.accounts.models import Role

SLUG = "elke-dag-wegen-hartfalen"
MODULE = f"/modules/{SLUG}"
STEP = re.compile(r"stap (\d+) van (\d+)")


def _learner_at(app, make_user, step: int):  # type: ignore[no-untyped-def]
    client = app.test_client()
    user = make_user(Role.PATIENT)
    assert log_in(client, user.email, PASSWORD, app).status_code == 302
    assert client.post(f"{MODULE}/start", data={"csrf_token": csrf_token(client, f"{MODULE}/")}).status_code == 302
    assert client.get(f"{MODULE}/step/{step}", headers={"HX-Request": "true"}).status_code == 200
    return client


def test_each_learner_sees_their_own_step_and_a_new_step_at_once(app, make_user, content):
    first, second = _learner_at(app, make_user, 2), _learner_at(app, make_user, 3)
    assert STEP.findall(first.get("/progress").get_data(as_text=True))[0][0] == "2"
    assert STEP.findall(second.get("/progress").get_data(as_text=True))[0][0] == "3"
    assert STEP.findall(first.get("/progress").get_data(as_text=True))[0][0] == "2"  # the kept table is not hers
    assert first.get(f"{MODULE}/step/4", headers={"HX-Request": "true"}).status_code == 200
    page = first.get("/progress").get_data(as_text=True)
    assert STEP.findall(page)[0][0] == "4"
    assert "vtc-mark" not in page
    assert f'href="{MODULE}/"' in page  # the module's link, as before

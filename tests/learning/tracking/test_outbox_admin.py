"""The outbox page: an administrator sees what waits and what the LRS refused (reason, time), and sends it again."""

from __future__ import annotations

import json
import uuid

from helpers import csrf_token
from xapi_helpers import make_statement

from learning.accounts.models import Role
from learning.db import db
from learning.tracking import outbox

PAGE = "/admin/outbox"


def refused_statement(app) -> dict:
    """Queue a statement the built-in LRS refuses (scaled above 1) and deliver: it is set aside."""
    bad = make_statement(id=str(uuid.uuid4()), result={"score": {"scaled": 5}})
    with app.app_context():
        outbox.record([bad])
        db.session.commit()
        assert outbox.deliver_pending(app.extensions["vtc.tracker"].sink) == 0
    return bad


def test_admin_sees_the_refused_statement_with_the_lrs_reason_and_time(app, client, login, make_user):
    bad = refused_statement(app)
    login(make_user(Role.ADMIN))
    html = client.get(PAGE).get_data(as_text=True)
    assert bad["id"] in html
    assert "must be between -1 and 1" in html  # the LRS's own words
    assert "Apart gezet op" in html  # Dutch is the default language
    assert "1 apart gezet" in html
    assert "0 wachtend" in html


def test_admin_sends_a_fixed_statement_again_and_it_arrives(app, client, login, make_user, lrs_auth):
    bad = refused_statement(app)
    with app.app_context():  # the cause is fixed where the statement is kept
        row = db.session.scalars(db.select(outbox.OutboxStatement)).one()
        row.payload = json.dumps({**bad, "result": {"score": {"scaled": 0.5}}})
        db.session.commit()
    login(make_user(Role.ADMIN))
    data = {"csrf_token": csrf_token(client, PAGE), "statement_id": bad["id"]}
    response = client.post(f"{PAGE}/retry", data=data, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "1 record(s) opnieuw naar de LRS gestuurd." in html
    assert "De LRS heeft niets geweigerd." in html
    stored = app.test_client().get(f"/xapi/statements?statementId={bad['id']}", headers=lrs_auth)
    assert stored.status_code == 200


def test_a_statement_refused_again_is_set_aside_again_with_a_new_time(app, client, login, make_user):
    bad = refused_statement(app)
    with app.app_context():
        first = outbox.summary().set_aside[0].set_aside_at
    login(make_user(Role.ADMIN))
    client.post(f"{PAGE}/retry", data={"csrf_token": csrf_token(client, PAGE)})
    with app.app_context():
        [row] = outbox.summary().set_aside
    assert row.statement_id == bad["id"]
    assert row.attempts == 2
    assert row.set_aside_at >= first


def test_a_tampered_statement_id_is_refused_with_a_message_and_changes_nothing(app, client, login, make_user):
    refused_statement(app)
    login(make_user(Role.ADMIN))
    data = {"csrf_token": csrf_token(client, PAGE), "statement_id": "not-a-uuid"}
    html = client.post(f"{PAGE}/retry", data=data, follow_redirects=True).get_data(as_text=True)
    assert "Dat is geen record uit deze wachtrij." in html
    assert "1 apart gezet" in html


def test_only_administrators_see_the_outbox(client, login, make_user):
    assert client.get(PAGE).status_code == 302  # to the log-in page
    login(make_user(Role.MANAGER))
    assert client.get(PAGE).status_code == 403

"""The forwarding admin page: administrators only; set a target, see the queue, pause, retry dead-letters."""

from __future__ import annotations

from helpers import csrf_token
from sqlalchemy import select, update
from xapi_helpers import make_statement, post

from learning.accounts.models import Role
from lrs.store.tables import forward_queue, forward_target

PAGE = "/admin/lrs/forwarding"


def save(client, **fields):
    data = {"csrf_token": csrf_token(client, PAGE), "version": "1.0.3", **fields}
    return client.post(PAGE, data=data)


def test_admin_sets_a_target_and_sees_its_queue_without_the_secret(app, client, login, make_user, make_client):
    login(make_user(Role.ADMIN))
    tool = make_client("ZGT RPM")
    response = save(client, credential=tool.key, endpoint="https://lrs.zgt.example/xapi/", username="vtc",
                    secret="zgt-secret-123")  # fmt: skip
    assert response.status_code == 302
    post(app.test_client(), tool.headers, [make_statement(), make_statement()])
    html = client.get(PAGE).get_data(as_text=True)
    assert "https://lrs.zgt.example/xapi/" in html
    assert "2 wachtend" in html  # Dutch is the default language
    assert "zgt-secret-123" not in html


def test_a_bad_endpoint_is_refused_with_a_message(client, login, make_user, make_client):
    login(make_user(Role.ADMIN))
    response = save(client, credential=make_client("t").key, endpoint="not a url", username="k", secret="s")
    assert response.status_code == 302
    assert "Geef het adres van de andere LRS als http(s)-URL" in client.get(PAGE).get_data(as_text=True)


def test_admin_pauses_and_resumes_forwarding(app, client, login, make_user, forwarding):
    login(make_user(Role.ADMIN))
    token = csrf_token(client, PAGE)
    client.post(f"{PAGE}/{forwarding.key}/active", data={"csrf_token": token, "active": "0"})
    assert _target(app).active is False
    client.post(f"{PAGE}/{forwarding.key}/active", data={"csrf_token": token, "active": "1"})
    assert _target(app).active is True


def test_admin_retries_dead_lettered_statements(app, client, login, make_user, forwarding):
    post(app.test_client(), forwarding.headers, make_statement())
    with app.extensions["lrs"].engine.begin() as conn:
        conn.execute(update(forward_queue).values(dead_at=forward_queue.c.next_attempt_at, attempts=3))
    login(make_user(Role.ADMIN))
    assert "1 definitief geweigerd" in client.get(PAGE).get_data(as_text=True)
    client.post(f"{PAGE}/{forwarding.key}/retry-dead", data={"csrf_token": csrf_token(client, PAGE)})
    with app.extensions["lrs"].engine.connect() as conn:
        row = conn.execute(select(forward_queue)).one()
    assert (row.dead_at, row.attempts) == (None, 0)


def test_non_admins_cannot_see_or_change_forwarding(client, login, make_user, forwarding):
    login(make_user(Role.MANAGER))
    assert client.get(PAGE).status_code == 403
    response = client.post(f"{PAGE}/{forwarding.key}/active", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 403


def test_anonymous_visitors_cannot_see_forwarding(client):
    assert client.get(PAGE).status_code == 403


def _target(app):
    with app.extensions["lrs"].engine.connect() as conn:
        return conn.execute(select(forward_target)).one()

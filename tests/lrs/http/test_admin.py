"""Credential management: admins create (secret shown once) and revoke, in the web UI and the CLI."""

from __future__ import annotations

import base64
import re

from helpers import csrf_token
from sqlalchemy import select

from learning.accounts.models import Role
from lrs.store.tables import credential


def basic(key: str, secret: str) -> dict[str, str]:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}


def test_admin_creates_credential_that_works_then_revokes_it(app, client, login, make_user):
    login(make_user(Role.ADMIN))
    page = client.post(
        "/admin/lrs/", data={"name": "RPM platform ZGT", "csrf_token": csrf_token(client, "/admin/lrs/")}
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    key = re.search(r'data-testid="new-key">([^<]+)<', html).group(1)
    secret = re.search(r'data-testid="new-secret">([^<]+)<', html).group(1)
    assert client.get("/xapi/statements", headers=basic(key, secret)).status_code == 200
    assert secret not in client.get("/admin/lrs/").get_data(as_text=True)  # shown once only
    client.post(f"/admin/lrs/{key}/revoke", data={"csrf_token": csrf_token(client, "/admin/lrs/")})
    assert client.get("/xapi/statements", headers=basic(key, secret)).status_code == 401


def test_secret_is_stored_as_keyed_hash_only(app, client, login, make_user):
    login(make_user(Role.ADMIN))
    html = client.post("/admin/lrs/", data={"name": "tool", "csrf_token": csrf_token(client, "/admin/lrs/")}).get_data(
        as_text=True
    )
    secret = re.search(r'data-testid="new-secret">([^<]+)<', html).group(1)
    with app.extensions["lrs"].engine.connect() as conn:
        stored = conn.execute(select(credential.c.secret_hash)).scalar_one()
    assert secret not in stored
    assert re.fullmatch(r"[0-9a-f]{64}", stored)


def test_non_admins_cannot_manage_credentials(client, login, make_user):
    login(make_user(Role.MANAGER))
    assert client.get("/admin/lrs/").status_code == 403
    assert client.post("/admin/lrs/", data={"name": "x", "csrf_token": csrf_token(client, "/")}).status_code == 403


def test_anonymous_visitors_cannot_manage_credentials(client):
    assert client.get("/admin/lrs/").status_code == 403


def test_empty_name_is_refused_with_a_message(client, login, make_user):
    login(make_user(Role.ADMIN))
    response = client.post("/admin/lrs/", data={"name": " ", "csrf_token": csrf_token(client, "/admin/lrs/")})
    assert response.status_code == 302
    assert "Geef de sleutel een naam" in client.get("/admin/lrs/").get_data(as_text=True)


def test_cli_prints_key_and_secret_on_the_last_line(client, runner):
    result = runner.invoke(args=["lrs", "create-credential", "research export"])
    assert result.exit_code == 0
    key, secret = result.output.strip().splitlines()[-1].split(":", 1)
    assert client.get("/xapi/statements", headers=basic(key, secret)).status_code == 200
    listing = runner.invoke(args=["lrs", "list-credentials"]).output
    assert key in listing
    assert secret not in listing
    assert runner.invoke(args=["lrs", "revoke-credential", key]).exit_code == 0
    assert client.get("/xapi/statements", headers=basic(key, secret)).status_code == 401
    again = runner.invoke(args=["lrs", "revoke-credential", key])
    assert again.exit_code != 0
    assert "no active credential" in again.output

"""Credential management: admins create with scopes (secret shown once), rotate and revoke, in the UI and the CLI."""

from __future__ import annotations

import base64
import re

import pytest
from helpers import csrf_token
from sqlalchemy import select

from learning.accounts.models import Role
from lrs.store.tables import credential


def basic(key: str, secret: str) -> dict[str, str]:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}


def shown_secret(html: str) -> tuple[str, str]:
    """The key and secret the page shows this once."""
    key = re.search(r'data-testid="new-key">([^<]+)<', html).group(1)
    secret = re.search(r'data-testid="new-secret">([^<]+)<', html).group(1)
    return key, secret


def create_in_ui(client, name: str, scopes: list[str]) -> tuple[str, str]:
    page = client.post(
        "/admin/lrs/",
        data={"name": name, "scope": scopes, "reach": "regional", "csrf_token": csrf_token(client, "/admin/lrs/")},
    )
    assert page.status_code == 200, page.status_code
    return shown_secret(page.get_data(as_text=True))


def revoke_in_ui(client, key: str) -> None:
    """Answer the confirmation page with yes, as an administrator does."""
    token = csrf_token(client, f"/admin/lrs/{key}/revoke")
    assert client.post(f"/admin/lrs/{key}/revoke", data={"csrf_token": token, "confirm": "yes"}).status_code == 302


def stored_scopes(app, key: str) -> list[str]:
    with app.extensions["lrs"].engine.connect() as conn:
        return conn.execute(select(credential.c.scopes).where(credential.c.key == key)).scalar_one().split()


def cli_credential(runner, *args: str) -> tuple[str, str]:
    result = runner.invoke(args=["lrs", *args])
    assert result.exit_code == 0, result.output
    key, secret = result.output.strip().splitlines()[-1].split(":", 1)
    return key, secret


def test_admin_creates_credential_that_works_then_revokes_it(app, client, login, make_user):
    login(make_user(Role.ADMIN))
    page = client.post(
        "/admin/lrs/",
        data={
            "name": "RPM platform ZGT",
            "scope": "all",
            "reach": "regional",
            "csrf_token": csrf_token(client, "/admin/lrs/"),
        },
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    key = re.search(r'data-testid="new-key">([^<]+)<', html).group(1)
    secret = re.search(r'data-testid="new-secret">([^<]+)<', html).group(1)
    assert client.get("/xapi/statements", headers=basic(key, secret)).status_code == 200
    assert secret not in client.get("/admin/lrs/").get_data(as_text=True)  # shown once only
    revoke_in_ui(client, key)
    assert client.get("/xapi/statements", headers=basic(key, secret)).status_code == 401


def test_secret_is_stored_as_keyed_hash_only(app, client, login, make_user):
    login(make_user(Role.ADMIN))
    _key, secret = create_in_ui(client, "tool", ["all"])
    with app.extensions["lrs"].engine.connect() as conn:
        stored = conn.execute(select(credential.c.secret_hash)).scalar_one()
    assert secret not in stored
    assert re.fullmatch(r"[0-9a-f]{64}", stored)


def test_roles_that_administer_nothing_cannot_manage_credentials(client, login, make_user):
    login(make_user(Role.REVIEWER))  # a manager manages their organisation's: test_admin_per_organisation.py
    assert client.get("/admin/lrs/").status_code == 403
    assert client.post("/admin/lrs/", data={"name": "x", "csrf_token": csrf_token(client, "/")}).status_code == 403


def test_anonymous_visitors_cannot_manage_credentials(client):
    assert client.get("/admin/lrs/").status_code == 403


def test_empty_name_is_refused_with_a_message(client, login, make_user):
    login(make_user(Role.ADMIN))
    response = client.post("/admin/lrs/", data={"name": " ", "csrf_token": csrf_token(client, "/admin/lrs/")})
    assert response.status_code == 400
    assert "Geef de sleutel een naam" in response.get_data(as_text=True)


def test_cli_prints_key_and_secret_on_the_last_line(client, runner):
    result = runner.invoke(args=["lrs", "create-credential", "research export", "--regional"])
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


def test_create_form_offers_every_scope_as_a_labelled_checkbox_with_none_ticked(client, login, make_user):
    login(make_user(Role.ADMIN))
    html = client.get("/admin/lrs/").get_data(as_text=True)
    assert re.search(r'<fieldset class="choices"[^>]*>\s*<legend>', html)
    boxes = re.findall(
        r'<label class="choice">\s*<input type="checkbox" name="scope" value="([^"]+)"( checked)?>', html
    )
    assert [value for value, _checked in boxes] == [
        "all", "all/read", "statements/write", "statements/read", "statements/read/mine", "state", "profile",
    ]  # fmt: skip
    assert [value for value, checked in boxes if checked] == []


def test_admin_creates_credential_with_only_the_scopes_ticked(client, login, make_user):
    login(make_user(Role.ADMIN))
    key, secret = create_in_ui(client, "research export", ["statements/read", "state"])
    assert client.get("/xapi/statements", headers=basic(key, secret)).status_code == 200
    assert client.post("/xapi/statements", json={}, headers=basic(key, secret)).status_code == 403
    html = client.get("/admin/lrs/").get_data(as_text=True)
    assert "<code>statements/read</code> <code>state</code>" in html


@pytest.mark.parametrize(
    ("scopes", "message"),
    [
        (["statements/*"], "Kies de rechten uit de lijst op deze pagina."),
        (["all", "define"], "Kies de rechten uit de lijst op deze pagina."),
        ([], "Vink minstens één ding aan"),
    ],
    ids=["unknown", "unknown-beside-known", "none"],
)
def test_ui_refuses_bad_or_missing_scopes_and_creates_nothing(app, client, login, make_user, scopes, message):
    login(make_user(Role.ADMIN))
    data = {"name": "tool", "scope": scopes, "reach": "regional", "csrf_token": csrf_token(client, "/admin/lrs/")}
    response = client.post("/admin/lrs/", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(rf'role="alert"[^>]*>.*{message}', html, re.DOTALL)
    assert 'id="credential-name" name="name" required maxlength="200" value="tool"' in html  # the name is kept
    assert re.search(r'<option value="regional" selected>', html)
    with app.extensions["lrs"].engine.connect() as conn:
        assert conn.execute(select(credential)).all() == []


def test_admin_rotation_shows_a_new_secret_once_and_the_old_one_stops_working(client, login, make_user):
    login(make_user(Role.ADMIN))
    key, old = create_in_ui(client, "RPM platform", ["statements/write"])
    page = client.post(f"/admin/lrs/{key}/rotate", data={"csrf_token": csrf_token(client, "/admin/lrs/")})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    same_key, new = shown_secret(html)
    assert same_key == key
    assert new != old
    assert "Het oude geheim werkt niet meer." in html
    assert client.post("/xapi/statements", json={}, headers=basic(key, old)).status_code == 401
    assert client.post("/xapi/statements", json={}, headers=basic(key, new)).status_code == 400  # in, but empty
    assert new not in client.get("/admin/lrs/").get_data(as_text=True)


def test_revoked_credential_stays_revoked_in_the_ui(client, login, make_user):
    login(make_user(Role.ADMIN))
    key, secret = create_in_ui(client, "old tool", ["all"])
    revoke_in_ui(client, key)
    response = client.post(f"/admin/lrs/{key}/rotate", data={"csrf_token": csrf_token(client, "/admin/lrs/")})
    assert response.status_code == 302
    html = client.get("/admin/lrs/").get_data(as_text=True)
    assert "Er is geen actieve sleutel met die code." in html
    assert 'data-testid="new-secret"' not in html
    assert f"/admin/lrs/{key}/rotate" not in html
    assert client.get("/xapi/statements", headers=basic(key, secret)).status_code == 401


def test_a_manager_cannot_rotate_a_regional_credential(client, login, make_user, runner):
    key, secret = cli_credential(runner, "create-credential", "tool", "--regional")
    login(make_user(Role.MANAGER))  # it is not their organisation's: for them it does not exist
    assert client.post(f"/admin/lrs/{key}/rotate", data={"csrf_token": csrf_token(client, "/")}).status_code == 404
    assert client.get("/xapi/statements", headers=basic(key, secret)).status_code == 200


def test_cli_creates_credential_with_the_scopes_given(client, runner):
    key, secret = cli_credential(
        runner,
        "create-credential",
        "RPM platform",
        "--scope",
        "statements/write",
        "--scope",
        "statements/read/mine",
        "--regional",
    )
    assert client.get("/xapi/activities/state", headers=basic(key, secret)).status_code == 403
    listing = runner.invoke(args=["lrs", "list-credentials"]).output
    assert re.search(
        rf"{key}\s+active\s+\S+\s+statements/write,statements/read/mine\s+regional\s+RPM platform", listing
    )


def test_cli_gives_all_without_scope_option(runner):
    key, _secret = cli_credential(runner, "create-credential", "authoring tool", "--regional")
    assert re.search(
        rf"{key}\s+active\s+\S+\s+all\s+regional\s+authoring tool",
        runner.invoke(args=["lrs", "list-credentials"]).output,
    )


def test_cli_refuses_unknown_scope_naming_it_and_the_known_ones(app, runner):
    result = runner.invoke(
        args=["lrs", "create-credential", "tool", "--scope", "statements/read", "--scope", "define", "--regional"]
    )
    assert result.exit_code == 2
    assert "unknown scope(s): define; choose from: all, all/read, statements/write" in result.output
    with app.extensions["lrs"].engine.connect() as conn:
        assert conn.execute(select(credential)).all() == []


def test_cli_rotation_keeps_key_and_scopes_and_kills_the_old_secret(client, runner):
    key, old = cli_credential(runner, "create-credential", "tool", "--scope", "statements/read", "--regional")
    same_key, new = cli_credential(runner, "rotate-credential", key)
    assert same_key == key
    assert new != old
    assert client.get("/xapi/statements", headers=basic(key, old)).status_code == 401
    assert client.get("/xapi/statements", headers=basic(key, new)).status_code == 200
    assert client.post("/xapi/statements", json={}, headers=basic(key, new)).status_code == 403


def test_cli_revoked_credential_stays_revoked(client, runner):
    key, secret = cli_credential(runner, "create-credential", "tool", "--regional")
    assert runner.invoke(args=["lrs", "revoke-credential", key]).exit_code == 0
    rotated = runner.invoke(args=["lrs", "rotate-credential", key])
    assert rotated.exit_code != 0
    assert "no active credential" in rotated.output
    assert client.get("/xapi/statements", headers=basic(key, secret)).status_code == 401
    assert re.search(rf"{key}\s+revoked", runner.invoke(args=["lrs", "list-credentials"]).output)


def test_cli_rotation_of_unknown_key_fails(runner):
    result = runner.invoke(args=["lrs", "rotate-credential", "no-such-key"])
    assert result.exit_code != 0
    assert "no active credential with key no-such-key" in result.output


def ticked_in_form(html: str) -> list[str]:
    """The scope boxes a browser submits untouched: those the served form ticks by itself."""
    return re.findall(r'<input type="checkbox" name="scope" value="([^"]+)" checked>', html)


def test_stored_scopes_are_exactly_the_ones_ticked(app, client, login, make_user):
    """An administrator who ticks only statements/read/mine on the served form gets exactly that (it was stored
    with `all` as well: the form came with `all` ticked, and a browser submits every ticked box)."""
    login(make_user(Role.ADMIN))
    html = client.get("/admin/lrs/").get_data(as_text=True)
    ticked = [*ticked_in_form(html), "statements/read/mine"]
    page = client.post(
        "/admin/lrs/",
        data={"name": "reader", "scope": ticked, "reach": "regional", "csrf_token": csrf_token(client, "/admin/lrs/")},
    )
    key, _secret = shown_secret(page.get_data(as_text=True))
    assert stored_scopes(app, key) == ["statements/read/mine"]


def test_nothing_ticked_is_refused_in_the_page_keeping_the_name(app, client, login, make_user):
    login(make_user(Role.ADMIN))
    data = {"name": "RPM-platform Oost", "reach": "regional", "csrf_token": csrf_token(client, "/admin/lrs/")}
    response = client.post("/admin/lrs/", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r'role="alert"[^>]*>.*Vink minstens één ding aan', html, re.DOTALL)
    assert 'value="RPM-platform Oost"' in html
    with app.extensions["lrs"].engine.connect() as conn:
        assert conn.execute(select(credential)).all() == []


def test_revoke_asks_first_and_a_post_without_the_yes_revokes_nothing(client, login, make_user):
    login(make_user(Role.ADMIN))
    key, secret = create_in_ui(client, "RPM platform", ["statements/write"])
    listing = client.get("/admin/lrs/").get_data(as_text=True)
    assert f'href="/admin/lrs/{key}/revoke"' in listing  # a link to the question, not a button that revokes
    question = client.get(f"/admin/lrs/{key}/revoke").get_data(as_text=True)
    assert "RPM platform" in question
    assert 'name="confirm" value="yes"' in question
    token = csrf_token(client, f"/admin/lrs/{key}/revoke")
    unconfirmed = client.post(f"/admin/lrs/{key}/revoke", data={"csrf_token": token})
    assert unconfirmed.status_code == 200
    assert 'name="confirm" value="yes"' in unconfirmed.get_data(as_text=True)
    assert client.post("/xapi/statements", json={}, headers=basic(key, secret)).status_code == 400  # still works
    revoke_in_ui(client, key)
    assert client.post("/xapi/statements", json={}, headers=basic(key, secret)).status_code == 401


def test_the_revoke_question_of_a_revoked_or_unknown_key_sends_back_to_the_list(client, login, make_user):
    login(make_user(Role.ADMIN))
    response = client.get("/admin/lrs/no-such-key/revoke")
    assert response.status_code == 302
    assert "Er is geen actieve sleutel met die code." in client.get("/admin/lrs/").get_data(as_text=True)

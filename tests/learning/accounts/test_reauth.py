"""Sensitive actions ask for the password (and code) again after a while, then go on with what was entered."""

from __future__ import annotations

import re
import time

import pyotp
from helpers import PASSWORD, TEST_TOTP_SECRET, csrf_token
from sqlalchemy import select, update

from learning.accounts import mfa
from learning.accounts.login_flow import AUTH_AT
from learning.accounts.models import Role, User
from learning.audit.models import AccessLogEntry
from learning.db import db

ELEVEN_MINUTES = 11 * 60
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def _age_session(client) -> None:
    """As if the person logged in eleven minutes ago (the limit is ten)."""
    with client.session_transaction() as session:
        session[AUTH_AT] = time.time() - ELEVEN_MINUTES


def _kept(page: str) -> list[tuple[str, str]]:
    """The original form's fields the confirm page carries (not its own form token)."""
    form = page.split('name="reauth_password"')[0].rsplit("<form", 1)[1]
    return [(name, value) for name, value in HIDDEN.findall(form) if name != "csrf_token"]


def _fresh_code(app, email: str) -> str:
    """The current code; the log-in a moment ago used it, so its step is made usable again (tests/helpers.py)."""
    with app.app_context():
        db.session.execute(update(User).where(User.email == email).values(mfa_last_step=None))
        db.session.commit()
        db.session.remove()
    return pyotp.TOTP(TEST_TOTP_SECRET).now()


def test_a_credential_form_sent_after_ten_minutes_asks_again_and_then_creates_what_was_entered(
    app, client, make_user, login
):
    admin = make_user(Role.ADMIN)
    login(admin)
    _age_session(client)
    form = {"name": "RPM platform Enschede", "scope": ["statements/write", "statements/read/mine"],
            "reach": "regional", "csrf_token": csrf_token(client, "/admin/lrs/")}  # fmt: skip
    asked = client.post("/admin/lrs/", data=form)
    assert asked.status_code == 401
    page = asked.get_data(as_text=True)
    assert "Bevestig dat jij het bent" in page
    assert 'name="reauth_code"' in page
    kept = _kept(page)
    assert ("name", "RPM platform Enschede") in kept
    assert ("scope", "statements/read/mine") in kept
    assert "RPM platform Enschede" not in client.get("/admin/lrs/").get_data(as_text=True)  # nothing made yet

    resend = {name: [v for n, v in kept if n == name] for name, _ in kept}
    resend["csrf_token"] = form["csrf_token"]
    wrong = client.post("/admin/lrs/", data={**resend, "reauth_password": "not it", "reauth_code": "000000"})
    assert wrong.status_code == 401
    assert 'role="alert"' in wrong.get_data(as_text=True)
    assert _kept(wrong.get_data(as_text=True)) == kept, wrong.get_data(as_text=True)  # still kept after a mistake

    done = client.post("/admin/lrs/", data={**resend, "reauth_password": PASSWORD,
                                            "reauth_code": _fresh_code(app, admin.email)})  # fmt: skip
    assert done.status_code == 200
    assert "RPM platform Enschede" in done.get_data(as_text=True)
    assert client.post("/admin/lrs/", data={**form, "name": "second"}).status_code == 200  # recent now: not asked


def test_a_download_of_my_data_after_ten_minutes_asks_the_password_then_downloads(app, client, make_user, login):
    patient = make_user(Role.PATIENT)
    login(patient)
    _age_session(client)
    asked = client.get("/account/data/my-data.json")
    assert asked.status_code == 302
    assert asked.headers["Location"].startswith("/account/confirm?next=")
    page = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert 'name="reauth_password"' in page
    assert 'name="reauth_code"' not in page
    form = {"next": "/account/data/my-data.json", "reauth_password": PASSWORD,
            "csrf_token": csrf_token(client, asked.headers["Location"])}  # fmt: skip
    confirmed = client.post("/account/confirm", data=form)
    assert confirmed.headers["Location"] == "/account/data/my-data.json"
    download = client.get("/account/data/my-data.json")
    assert download.status_code == 200
    assert download.mimetype == "application/json"


def test_a_role_change_asks_again_but_other_edits_do_not(app, client, make_user, login):
    admin = make_user(Role.ADMIN)
    nurse = make_user(Role.PROFESSIONAL)
    login(admin)
    _age_session(client)
    with app.app_context():
        org = db.session.get(User, nurse.id).organisation_id
    path = f"/admin/organisations/{org}/people/{nurse.id}"
    form = {"display_name": "Anna de Vries", "email": nurse.email, "role": "professional", "team_id": "",
            "line_manager_id": "", "csrf_token": csrf_token(client, path)}  # fmt: skip
    assert client.post(path, data=form).status_code == 302  # a name: not sensitive
    asked = client.post(path, data={**form, "role": "manager"})
    assert asked.status_code == 401
    kept = dict(_kept(asked.get_data(as_text=True)))
    kept["csrf_token"] = form["csrf_token"]
    assert kept["role"] == "manager"
    assert kept["display_name"] == "Anna de Vries"
    done = client.post(path, data={**kept, "reauth_password": PASSWORD, "reauth_code": _fresh_code(app, admin.email)})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(User, nurse.id).role is Role.MANAGER


def test_an_admin_resets_a_lost_phone_after_confirming_and_it_is_logged(app, client, make_user, login, runner):
    admin, author = make_user(Role.ADMIN), make_user(Role.AUTHOR)
    with app.app_context():
        org = db.session.get(User, author.id).organisation_id
    login(admin)
    path = f"/admin/organisations/{org}/people/{author.id}"
    assert "Authenticator-app van" in client.get(path).get_data(as_text=True)
    _age_session(client)
    reset = f"{path}/second-factor/reset"
    assert client.post(reset, data={"csrf_token": csrf_token(client, path)}).status_code == 401
    form = {"reauth_password": PASSWORD, "reauth_code": _fresh_code(app, admin.email),
            "csrf_token": csrf_token(client, path)}  # fmt: skip
    assert client.post(reset, data=form).headers["Location"] == path
    with app.app_context():
        user = db.session.get(User, author.id)
        assert not mfa.is_enrolled(user)
        assert user.session_version == 1
        actions = db.session.scalars(select(AccessLogEntry.action).where(AccessLogEntry.subject == f"user:{author.id}"))
        assert "admin.person.mfa_reset" in list(actions)
    self_reset = client.post(f"/admin/organisations/{org}/people/{admin.id}/second-factor/reset",
                             data={"csrf_token": csrf_token(client, path)})  # fmt: skip
    assert self_reset.status_code in {400, 404}


def test_the_cli_resets_the_second_factor_and_logs_it(app, runner, make_user):
    manager = make_user(Role.MANAGER)
    result = runner.invoke(args=["admin", "mfa-reset", manager.email.upper()])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert not mfa.is_enrolled(db.session.get(User, manager.id))
        entry = db.session.scalar(select(AccessLogEntry).where(AccessLogEntry.action == "admin.person.mfa_reset"))
        assert entry is not None
        assert entry.actor.startswith("cli:")
    assert runner.invoke(args=["admin", "mfa-reset", "nobody@example.test"]).exit_code != 0

"""The logged-in person is read from the database on every request (learning/accounts/loading.py): a deactivated
account or a changed role takes effect on the very next request, and the loaded user is an ordinary ORM object."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import update

from app import ROOT
from learning.accounts.loading import session_user
from learning.accounts.models import Role, User
from learning.db import db


def set_columns(app, user_id: int, **values: object) -> None:  # type: ignore[no-untyped-def]
    """Change the account as an administrator (or another worker) would: straight in the database."""
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(**values))
        db.session.commit()


def test_a_deactivated_account_is_logged_out_at_its_next_request(app, make_user, login):
    user = make_user(Role.PATIENT)
    client = login(user)
    assert client.get("/progress").status_code == 200
    set_columns(app, user.id, is_active_account=False)
    response = client.get("/progress")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_role_change_takes_effect_at_the_next_request(app, make_user, login):
    manager = make_user(Role.MANAGER)
    client = login(manager)
    assert client.get("/dashboards/").status_code == 200
    set_columns(app, manager.id, role=Role.PATIENT)
    assert client.get("/dashboards/").status_code == 403
    assert "/dashboards/" not in client.get("/help").get_data(as_text=True)  # the menu follows the role too


def test_only_a_current_session_version_of_an_existing_account_loads(app, make_user):
    user = make_user(Role.PATIENT)
    with app.test_request_context():
        assert session_user(f"{user.id}:0") is not None
        assert session_user(f"{user.id}:1") is None  # after a logout or password change elsewhere
        assert session_user(f"{user.id + 1000}:0") is None
        assert session_user(str(user.id)) is None  # a cookie from before session versions
        assert session_user("x:0") is None
        db.session.remove()


def test_the_loaded_user_is_a_persistent_orm_object(app, make_user):
    user = make_user(Role.PROFESSIONAL)
    with app.test_request_context():
        loaded = session_user(f"{user.id}:0")
        assert loaded is not None
        assert loaded.role is Role.PROFESSIONAL
        assert loaded.created_at.tzinfo is not None  # column types applied (UTC datetimes, enums)
        assert loaded.team is not None  # relationships load lazily
        assert not db.session.dirty  # loading is not a change
        assert db.session.get(User, user.id) is loaded  # in the identity map: one object per row
        loaded.display_name = "Nieuwe naam"
        db.session.commit()
        db.session.remove()
    with app.app_context():
        stored = db.session.get(User, user.id)
        assert stored is not None
        assert stored.display_name == "Nieuwe naam"
        db.session.remove()


def test_a_user_already_loaded_in_the_request_is_reused(app, make_user):
    user = make_user(Role.PATIENT)
    with app.test_request_context():
        earlier = db.session.get(User, user.id)
        assert session_user(f"{user.id}:0") is earlier
        db.session.remove()


FIRST_REQUEST = """
import sys
from app import create_app
app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "LRS_DATABASE_URI": sys.argv[1], "SECRET_KEY": sys.argv[2],
                  "TESTING": True, "SPEECH_ON_LOAD": False})
client = app.test_client()
client.set_cookie("session", sys.argv[3])
print(client.get("/progress").status_code)
"""


def test_a_new_workers_first_request_loads_the_user(app, app_config, make_user, login):
    """Under gunicorn a fresh worker's first request reached the user loader before any ORM query had configured
    the mappers, and failed with a 500. Run in a new process, where nothing has configured them yet."""
    client = login(make_user(Role.PATIENT))
    cookie = client.get_cookie("session")
    assert cookie is not None
    args = [app_config["SQLALCHEMY_DATABASE_URI"], app_config["SECRET_KEY"], cookie.value]
    done = subprocess.run(
        [sys.executable, "-c", FIRST_REQUEST, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.stdout.strip() == "200", done.stderr[-2000:]

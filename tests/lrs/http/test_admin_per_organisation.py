"""An organisation's manager manages only their organisation's LRS credentials; a regional administrator all."""

from __future__ import annotations

from helpers import csrf_token, log_in

from learning.accounts.models import Organisation, Role
from learning.db import db


def _credential_names(page: str) -> set[str]:
    return {name for name in ("client of X", "client of Y", "regional client") if name in page}


def test_a_manager_sees_and_makes_only_their_organisations_credentials(app, client, make_user, make_lrs_auth):
    manager, admin = make_user(Role.MANAGER), make_user(Role.ADMIN)
    with app.app_context():
        db.session.add(Organisation(name="Zorggroep Y", kind="care_group"))
        db.session.commit()
    make_lrs_auth(name="client of X", organisation="Test Ziekenhuis")
    make_lrs_auth(name="client of Y", organisation="Zorggroep Y")
    make_lrs_auth(name="regional client")

    assert log_in(client, manager.email).status_code == 302
    page = client.get("/admin/lrs/").get_data(as_text=True)
    assert _credential_names(page) == {"client of X"}
    assert "Zorggroep Y" not in page  # nor can a new credential be confined to Y
    assert 'value="regional"' not in page  # or read the whole region
    form = {"name": "mine", "scope": "statements/read", "reach": "regional", "csrf_token": csrf_token(client, "/")}
    assert client.post("/admin/lrs/", data=form).status_code == 403
    assert client.get("/admin/lrs/forwarding").status_code == 403  # sending statements out is regional

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert log_in(client, admin.email).status_code == 302
    page = client.get("/admin/lrs/").get_data(as_text=True)
    assert _credential_names(page) == {"client of X", "client of Y", "regional client"}

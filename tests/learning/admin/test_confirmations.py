"""Revoking an invitation code and ending a membership ask first, without JavaScript: a page that says what happens,
and only its "yes" acts; anything else changes nothing."""

from __future__ import annotations

from admin_helpers import make_region
from flask import Flask
from helpers import PASSWORD, csrf_token, log_in
from sqlalchemy import select

from learning.accounts.models import Invitation, Role, User
from learning.accounts.services import create_user
from learning.db import db


def test_revoke_and_end_happen_only_after_yes_on_the_confirmation_page(app: Flask) -> None:
    with app.app_context():
        region = make_region()
        leaver = create_user("leaver@example.test", PASSWORD, Role.PROFESSIONAL, organisation_id=region.org_x,
                             display_name="Lea Leaver")  # fmt: skip
        db.session.add(Invitation(code="BRIEF-0001", organisation_id=region.org_x, role=Role.PATIENT))
        db.session.commit()
        nurse = leaver.id
        code = db.session.scalars(select(Invitation)).one().id
    client = app.test_client()
    assert log_in(client, "manager-x@example.test", PASSWORD, app).status_code == 302
    base = f"/admin/organisations/{region.org_x}"
    for page, ask, action in (
        (f"{base}/invitations", f"{base}/invitations/{code}/revoke", "Ja, intrekken"),
        (f"{base}/people/{nurse}", f"{base}/people/{nurse}/end", "Ja, lidmaatschap beëindigen"),
    ):
        assert f'href="{ask}"' in client.get(page).get_data(as_text=True)  # a link to the question, no form
        question = client.get(ask).get_data(as_text=True)
        assert action in question
        assert 'name="confirm" value="yes"' in question
        unconfirmed = client.post(ask, data={"csrf_token": csrf_token(client, "/")})
        assert unconfirmed.status_code == 200  # a POST without the answer only asks again
        assert action in unconfirmed.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Invitation, code).revoked_at is None
        assert db.session.get(User, nurse).is_active_account
    for ask in (f"{base}/invitations/{code}/revoke", f"{base}/people/{nurse}/end"):
        assert client.post(ask, data={"confirm": "yes", "csrf_token": csrf_token(client, "/")}).status_code == 302
    with app.app_context():
        assert db.session.get(Invitation, code).revoked_at is not None
        assert not db.session.get(User, nurse).is_active_account

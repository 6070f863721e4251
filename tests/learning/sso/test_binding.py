"""Single sign-on binds an account to the provider's (issuer, subject), not to an e-mail address ("nOAuth"):
an existing account is linked by its address only when the provider vouches for it, another subject showing the
same address is refused, an erasure removes the binding, and confirming it is you through the organisation
brings back the form that was being submitted. All against the real provider of tests/oidc_provider.py."""

from __future__ import annotations

from datetime import timedelta

from helpers import csrf_token
from oidc_provider import CLIENT_ID
from sqlalchemy import select
from sso_helpers import DOMAIN, alert, at_provider, audit_actions, begin, form_fields
from werkzeug.datastructures import MultiDict

from learning.accounts.models import Organisation, Role, User
from learning.db import db
from learning.privacy.erasure import Eraser, erase_person
from learning.sso import resume, settings, signin
from learning.sso.models import ExternalIdentity


def bound(app) -> list[tuple[int, str]]:
    with app.app_context():
        return [(b.user_id, b.subject) for b in db.session.scalars(select(ExternalIdentity))]


def log_out(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client, "/progress")})


def test_another_subject_showing_the_same_address_is_refused_and_logged(app, client, sso_org, provider, make_user):
    sam = make_user(Role.PROFESSIONAL, email="sam@zorg.test")
    provider.user("sam@zorg.test")
    assert client.get(at_provider(begin(client, "sam@zorg.test"), "sam@zorg.test")).status_code == 302
    log_out(client)
    # someone else at the provider whose (edited, or reassigned) address is Sam's
    provider.user("indringer@zorg.test", email="sam@zorg.test")
    page = client.get(at_provider(begin(client, "sam@zorg.test"), "indringer@zorg.test"))
    assert page.status_code == 403
    assert "gekoppeld aan een ander werkaccount" in alert(page.get_data(as_text=True))
    assert client.get("/progress").status_code == 302  # not logged in
    assert bound(app) == [(sam.id, provider.subject_of("sam@zorg.test"))]
    action, subject, purpose = audit_actions(app)[-1]
    assert (action, subject) == ("sso.refused", f"organisation:{sso_org}")
    assert purpose == f"identity-mismatch user:{sam.id} sub:{provider.subject_of('indringer@zorg.test')}"


def test_an_unverified_address_links_no_account_until_the_organisation_trusts_its_provider(
    app, client, sso_org, provider, make_user
):
    kim = make_user(Role.PROFESSIONAL, email="kim@zorg.test")
    provider.user("kim@zorg.test")
    del provider.claims["kim@zorg.test"]["email_verified"]  # as Entra ID sends it: no word on the address
    page = client.get(at_provider(begin(client, "kim@zorg.test"), "kim@zorg.test"))
    assert page.status_code == 403
    assert "niet bevestigd dat het adres van jou is" in alert(page.get_data(as_text=True))
    assert bound(app) == []
    assert audit_actions(app)[-1][2] == f"email-unverified user:{kim.id}"
    with app.app_context():
        stored = settings.provider_of(sso_org)
        assert stored is not None
        assert signin.verified_email(stored, {"xms_edov": True})  # Entra's optional claim vouches as well
        assert not signin.verified_email(stored, {"email_verified": "false"})
        stored.trust_email = True  # the administrator ticked "the provider checks each address"
        db.session.commit()
    assert client.get(at_provider(begin(client, "kim@zorg.test"), "kim@zorg.test")).status_code == 302
    assert bound(app) == [(kim.id, provider.subject_of("kim@zorg.test"))]


def test_an_account_made_from_an_unverified_address_is_bound_but_its_address_unconfirmed(
    app, client, sso_org, provider
):
    provider.user("nieuw@zorg.test")
    del provider.claims["nieuw@zorg.test"]["email_verified"]
    assert client.get(at_provider(begin(client, "nieuw@zorg.test"), "nieuw@zorg.test")).status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "nieuw@zorg.test"))
        assert user is not None
        assert user.email_confirmed_at is None  # the bar asks to confirm it by e-mail
        assert bound(app) == [(user.id, provider.subject_of("nieuw@zorg.test"))]


def test_erasure_removes_the_binding_and_the_same_subject_then_gets_a_new_account(app, client, sso_org, provider):
    provider.user("weg@zorg.test")
    assert client.get(at_provider(begin(client, "weg@zorg.test"), "weg@zorg.test")).status_code == 302
    log_out(client)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "weg@zorg.test"))
        assert user is not None
        erase_person(user, Eraser("cli:test", "cli", "test"))
    assert bound(app) == []
    assert client.get(at_provider(begin(client, "weg@zorg.test"), "weg@zorg.test")).status_code == 302
    assert audit_actions(app)[-1][0] == "sso.account_made"
    assert [subject for _id, subject in bound(app)] == [provider.subject_of("weg@zorg.test")]


def test_an_operator_unlinks_an_account_whose_work_account_was_replaced(
    app, client, sso_org, provider, make_user, runner
):
    joost = make_user(Role.PROFESSIONAL, email="joost@zorg.test")
    provider.user("joost@zorg.test")
    assert client.get(at_provider(begin(client, "joost@zorg.test"), "joost@zorg.test")).status_code == 302
    log_out(client)
    provider.user("joost2@zorg.test", email="joost@zorg.test")  # his new account at the provider
    assert client.get(at_provider(begin(client, "joost@zorg.test"), "joost2@zorg.test")).status_code == 403
    done = runner.invoke(args=["admin", "oidc", "unlink", "Joost@zorg.test"])
    assert done.exit_code == 0, done.output
    assert "1 link(s)" in done.output
    assert audit_actions(app)[-1][:2] == ("admin.person.sso_unlink", f"user:{joost.id}")
    assert client.get(at_provider(begin(client, "joost@zorg.test"), "joost2@zorg.test")).status_code == 302
    assert bound(app) == [(joost.id, provider.subject_of("joost2@zorg.test"))]
    with app.app_context():
        org_name = db.session.get(Organisation, sso_org).name
    keep_secret = ["--secret-env", "NO_SUCH_VARIABLE"]  # an empty secret keeps the stored one
    trusted = runner.invoke(args=["admin", "oidc", "set", org_name, "--issuer", provider.issuer, "--client-id",
                                  CLIENT_ID, *keep_secret, "--domain", DOMAIN, "--trust-email"])  # fmt: skip
    assert trusted.exit_code == 0, trusted.output
    assert "trust_email: 1" in runner.invoke(args=["admin", "oidc", "show", org_name]).output


def test_confirming_through_the_organisation_brings_back_the_form_being_submitted(
    app, client, sso_org, provider, make_user
):
    make_user(Role.ADMIN, email="beheer@zorg.test")
    provider.user("beheer@zorg.test")
    provider.user("collega@zorg.test")
    assert client.get(at_provider(begin(client, "beheer@zorg.test"), "beheer@zorg.test")).status_code == 302
    app.config["REAUTH_MAX_AGE"] = timedelta(0)
    path = f"/admin/organisations/{sso_org}/sso"
    form = {"issuer": provider.issuer, "client_id": CLIENT_ID, "client_secret": "", "domains": DOMAIN,
            "role_claim": "roles", "role_lines": "VTC.Author = author", "default_role": "professional",
            "enabled": "1", "trust_email": "1"}  # fmt: skip
    asked = client.post(path, data={**form, "csrf_token": csrf_token(client, path)})
    assert asked.status_code == 401  # the sensitive change asks to confirm it is you
    fields = form_fields(asked.get_data(as_text=True), "/login/sso")
    assert fields["resume_action"] == path
    assert fields["resume.trust_email"] == "1"
    assert f"form-action 'self' {provider.issuer};" in asked.headers["Content-Security-Policy"]
    app.config["REAUTH_MAX_AGE"] = timedelta(minutes=10)

    # a colleague's work account at the provider does not confirm it is the administrator
    wrong = client.get(at_provider(client.post("/login/sso", data=fields).headers["Location"], "collega@zorg.test"))
    assert wrong.status_code == 403
    assert "met een ander werkaccount" in alert(wrong.get_data(as_text=True))
    with app.app_context():  # refused before anything was written: no account made for the colleague
        assert db.session.scalar(select(User).where(User.email == "collega@zorg.test")) is None

    back = client.get(at_provider(client.post("/login/sso", data=fields).headers["Location"], "beheer@zorg.test"))
    assert back.headers["Location"] == "/login/sso/continue"
    page = client.get("/login/sso/continue")
    kept = form_fields(page.get_data(as_text=True), path)
    assert {k: kept[k] for k in form} == form  # every value entered is there, sent on only by "Continue"
    with app.app_context():
        assert not settings.provider_of(sso_org).trust_email  # nothing saved yet
    saved = client.post(path, data=kept)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    with app.app_context():
        assert settings.provider_of(sso_org).trust_email
    assert client.get("/login/sso/continue").headers["Location"] == "/"  # the kept form is used once


def test_a_form_too_large_for_the_cookie_is_not_kept_and_the_log_in_ends_on_its_page(app, sso_org):
    with app.test_request_context():
        big = MultiDict({"resume.role_lines": "x = author\n" * 400, "resume.domains": DOMAIN})
        assert resume.pack(f"/admin/organisations/{sso_org}/sso", big) is None
        small = resume.pack(f"/admin/organisations/{sso_org}/sso", MultiDict({"resume.domains": DOMAIN}))
        assert small is not None
        assert "zorg.test" not in str(small)  # encrypted in the cookie
        assert resume.unpack(small) == (f"/admin/organisations/{sso_org}/sso", [("domains", DOMAIN)])
        assert resume.page_of(f"/admin/organisations/{sso_org}/sso") == f"/admin/organisations/{sso_org}/sso"
        assert resume.page_of(f"/admin/organisations/{sso_org}/sso/remove") is None  # POST only
        assert resume.page_of("https://elders.test/") is None

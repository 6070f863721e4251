"""Single sign-on against a real OpenID provider on a loopback port (tests/oidc_provider.py): the whole code flow
over HTTP, and each way a log-in must be refused (wrong audience, expired token, forged signature, an address of
another domain, a replayed state, an unknown organisation, a provider that is down), with the message in the page
and an entry in the access log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from helpers import TEST_SECRET_KEY, csrf_token
from oidc_provider import CLIENT_ID
from sqlalchemy import select
from sso_helpers import DOMAIN, alert, at_provider, audit_actions, begin, form_fields

from learning.accounts.models import Organisation, Role, User
from learning.admin.scope import Actor
from learning.db import db
from learning.sso import settings, signin
from learning.sso.client import SsoRefused
from learning.sso.models import ExternalIdentity, OidcProvider


def test_the_whole_flow_makes_an_account_just_in_time_with_role_team_and_no_code_asked(app, client, sso_org, provider):
    provider.user("auteur@zorg.test", roles=["VTC.Author"], groups=["cardio"], name="Anna Auteur")
    authorize = begin(client, "Auteur@Zorg.test")
    assert isinstance(authorize, str)
    assert authorize.startswith(f"{provider.issuer}/authorize?")
    assert "code_challenge_method=S256" in authorize
    assert "nonce=" in authorize
    assert "state=" in authorize
    landed = client.get(at_provider(authorize, "auteur@zorg.test"))
    assert landed.status_code == 302, landed.get_data(as_text=True)
    assert landed.headers["Location"] == "/"
    # an author reaches staff pages at once: the organisation's provider counted as the second factor
    assert client.get("/author/").status_code == 200
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "auteur@zorg.test"))
        assert user is not None
        assert (user.role, user.display_name, user.organisation_id) == (Role.AUTHOR, "Anna Auteur", sso_org)
        assert user.team is not None
        assert user.team.name == "Hartfalenpoli"
        assert user.mfa_secret is None
        assert user.email_confirmed_at is not None
    assert ("sso.account_made", f"organisation:{sso_org}", provider.issuer) in audit_actions(app)


def test_an_existing_account_is_linked_by_its_verified_address_then_found_by_subject_alone(
    app, client, sso_org, provider, make_user
):
    lea = make_user(Role.MANAGER, email="lea@zorg.test")
    provider.user("lea@zorg.test", roles=["VTC.Author"])
    landed = client.get(at_provider(begin(client, "lea@zorg.test"), "lea@zorg.test"))
    assert landed.status_code == 302
    assert landed.headers["Location"] == "/"
    assert client.get(f"/admin/organisations/{sso_org}").status_code == 200  # no code asked
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.email == "lea@zorg.test")) is Role.MANAGER
    assert audit_actions(app)[-1][:2] == ("sso.linked", f"organisation:{sso_org}")
    subject = provider.subject_of("lea@zorg.test")
    download = client.get("/account/data/my-data.json").json["work_accounts"]
    assert [(w["issuer"], w["subject"]) for w in download] == [(provider.issuer, subject)]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/progress")})

    # she changed her address at the provider (a new surname): the same subject still logs in her account here
    provider.email_of["lea@zorg.test"] = "lea.devries@zorg.test"
    landed = client.get(at_provider(begin(client, "lea@zorg.test"), "lea@zorg.test"))
    assert landed.status_code == 302
    assert client.get(f"/admin/organisations/{sso_org}").status_code == 200
    assert audit_actions(app)[-1][0] == "sso.login"
    with app.app_context():
        assert db.session.scalar(select(User.email).where(User.id == lea.id)) == "lea@zorg.test"  # not taken over
        assert db.session.scalar(select(User).where(User.email == "lea.devries@zorg.test")) is None  # no new account
        bound = db.session.scalars(select(ExternalIdentity)).all()
        assert [(b.user_id, b.subject) for b in bound] == [(lea.id, subject)]
        assert bound[0].last_used_at > bound[0].created_at


@pytest.mark.parametrize(
    ("fault", "reason", "words"),
    [
        ({"audience": "another-client"}, "id-token-audience", "voor een andere applicatie bedoeld"),
        ({"lifetime": -600}, "id-token-expired", "is verlopen"),
        ({"forge": True}, "id-token-signature", "niet controleren"),
    ],
)
def test_a_token_that_fails_a_check_is_refused_with_the_message(app, client, sso_org, provider, fault, reason, words):
    provider.user("nina@zorg.test")
    for name, value in fault.items():
        setattr(provider, name, value)
    page = client.get(at_provider(begin(client, "nina@zorg.test"), "nina@zorg.test"))
    assert page.status_code == 401
    assert words in alert(page.get_data(as_text=True))
    assert client.get("/progress").status_code == 302  # not logged in
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "nina@zorg.test")) is None
    action, subject, purpose = audit_actions(app)[-1]
    assert (action, subject) == ("sso.refused", f"organisation:{sso_org}")
    assert purpose.startswith(reason)


def test_an_address_of_another_domain_gets_no_account(app, client, sso_org, provider):
    provider.user("gast@zorg.test")
    provider.email_of["gast@zorg.test"] = "gast@elders.test"  # the provider vouches for someone outside its domains
    page = client.get(at_provider(begin(client, "gast@zorg.test"), "gast@zorg.test"))
    assert page.status_code == 403
    assert "niet bij deze organisatie hoort" in alert(page.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "gast@elders.test")) is None
    assert audit_actions(app)[-1][2] == "other-domain elders.test"


def test_a_replayed_state_is_refused(app, client, sso_org, provider):
    provider.user("piet@zorg.test")
    back = at_provider(begin(client, "piet@zorg.test"), "piet@zorg.test")
    assert client.get(back).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/progress")})
    again = client.get(back)  # the same answer of the provider, sent a second time
    assert again.status_code == 400
    assert "al gebruikt of duurde te lang" in alert(again.get_data(as_text=True))
    assert client.get("/progress").status_code == 302
    other = app.test_client()  # nor in another browser, which never started a log-in
    assert other.get(back).status_code == 400


def test_an_unknown_organisation_and_a_provider_that_is_down_say_what_to_do(app, client, sso_org, provider):
    page = begin(client, "iemand@onbekend.test")
    assert isinstance(page, str)
    assert "logt niet op deze manier in" in alert(page)
    assert 'value="iemand@onbekend.test"' in page  # what was typed is kept
    with app.app_context():
        stored = db.session.scalar(select(OidcProvider).where(OidcProvider.organisation_id == sso_org))
        assert stored is not None
        stored.issuer = "http://127.0.0.1:9"  # nothing listens there (discard port)
        db.session.commit()
    page = begin(client, "piet@zorg.test")
    assert isinstance(page, str)
    assert "reageert nu niet" in alert(page)
    assert [a[2].split()[0] for a in audit_actions(app)[-2:]] == ["unknown-organisation", "provider-down"]


def test_settings_keep_the_secret_encrypted_and_refuse_what_is_unsafe(app, organisation_id):
    with app.app_context():
        good = settings.SsoData("https://login.example.test/tenant/v2.0/", CLIENT_ID, "s3cret", "Zorg.test, @mst.nl")
        stored = settings.save(Actor.shell(), organisation_id, good, [TEST_SECRET_KEY])
        assert stored.issuer == "https://login.example.test/tenant/v2.0"
        assert stored.domain_list == ["mst.nl", "zorg.test"]
        assert "s3cret" not in stored.client_secret
        assert "s3cret" not in str(settings.as_form(stored))
        kept = settings.save(Actor.shell(), organisation_id, settings.SsoData(stored.issuer, CLIENT_ID, "", "mst.nl"),
                             [TEST_SECRET_KEY])  # fmt: skip
        assert kept.client_secret == stored.client_secret  # an empty secret keeps the stored one
        bad = {
            "sso-issuer-invalid": settings.SsoData("http://idp.example.test", CLIENT_ID, "x", DOMAIN),
            "sso-domains-invalid": settings.SsoData("https://idp.example.test", CLIENT_ID, "x", "not a domain"),
            "sso-role-not-allowed": settings.SsoData(
                "https://idp.example.test", CLIENT_ID, "x", DOMAIN, "roles", "Beheer = admin"
            ),
            "sso-team-unknown": settings.SsoData(
                "https://idp.example.test", CLIENT_ID, "x", DOMAIN, "roles", "", "groups", "x = Geen Team"
            ),
        }
        for reason, data in bad.items():
            with pytest.raises(settings.AdminError) as refused:
                settings.save(Actor.shell(), organisation_id, data, [TEST_SECRET_KEY])
            assert refused.value.reason == reason


def test_only_a_regional_administrator_sets_it_on_the_page_and_the_cli_does_the_same(app, client, login, make_user,
                                                                                    organisation_id):  # fmt: skip
    login(make_user(Role.MANAGER))
    assert client.get(f"/admin/organisations/{organisation_id}/sso").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/progress")})
    login(make_user(Role.ADMIN))
    path = f"/admin/organisations/{organisation_id}/sso"
    form = {"issuer": "https://idp.example.test", "client_id": "c", "client_secret": "", "domains": DOMAIN,
            "role_claim": "roles", "default_role": "professional", "enabled": "1"}  # fmt: skip
    page = client.post(path, data={**form, "csrf_token": csrf_token(client, path)})
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    assert "Vul het client secret in" in alert(text)
    assert 'value="https://idp.example.test"' in text
    saved = client.post(path, data={**form, "client_secret": "geheim", "csrf_token": csrf_token(client, path)})
    assert saved.status_code == 302
    assert "geheim" not in client.get(path).get_data(as_text=True)
    with app.app_context():
        org_name = db.session.get(Organisation, organisation_id).name
    shown = app.test_cli_runner().invoke(args=["admin", "oidc", "show", org_name])
    assert shown.exit_code == 0
    assert "issuer: https://idp.example.test" in shown.output
    assert "geheim" not in shown.output
    removed = app.test_cli_runner().invoke(args=["admin", "oidc", "remove", org_name])
    assert removed.exit_code == 0, removed.output
    actions = [a[0] for a in audit_actions(app)]
    assert actions[-2:] == ["admin.organisation.sso", "admin.organisation.sso_remove"]


def test_confirming_it_is_you_through_the_organisation_asks_again_and_lands_on_the_page_asked_for(
    app, client, sso_org, provider
):
    provider.user("mia@zorg.test")
    assert client.get(at_provider(begin(client, "mia@zorg.test"), "mia@zorg.test")).status_code == 302
    app.config["REAUTH_MAX_AGE"] = timedelta(0)  # the last proof is always too old: a download asks again
    asked = client.get("/account/confirm?next=/account/data/summary")
    assert asked.status_code == 200
    assert 'name="reauth_password"' not in asked.get_data(as_text=True)  # made through the organisation: no password
    fields = form_fields(asked.get_data(as_text=True), "/login/sso")
    assert (fields["email"], fields["next"]) == ("mia@zorg.test", "/account/data/summary")
    # the form is answered with a redirect to the provider: the page lets the browser follow it (CSP form-action)
    assert f"form-action 'self' {provider.issuer};" in asked.headers["Content-Security-Policy"]
    again = client.post("/login/sso", data=fields)
    assert again.status_code == 302
    assert "prompt=login" in again.headers["Location"]  # the provider asks the person again, not its own session
    app.config["REAUTH_MAX_AGE"] = timedelta(minutes=10)
    landed = client.get(at_provider(again.headers["Location"], "mia@zorg.test"))
    assert landed.headers["Location"] == "/account/data/summary"
    summary = client.get("/account/data/summary").get_data(as_text=True)
    assert f"{provider.issuer}: {provider.subject_of('mia@zorg.test')}" in summary  # the work account it is linked to


def test_claims_give_the_highest_mapped_role_and_an_unverified_address_is_not_believed(app, sso_org):
    with app.app_context():
        stored = settings.provider_of(sso_org)
        assert stored is not None
        stored.role_map = '{"VTC.Author": "author", "VTC.Manager": "manager"}'
        assert signin.mapped_role(stored, {"roles": ["VTC.Author", "VTC.Manager"]}) is Role.MANAGER
        assert signin.mapped_role(stored, {"roles": "VTC.Author other"}) is Role.AUTHOR  # a space-separated string
        assert signin.mapped_role(stored, {"roles": ["unknown"]}) is Role.PROFESSIONAL  # the default
        assert signin.email_of({"preferred_username": "Lea@Zorg.test"}) == "lea@zorg.test"  # Entra's UPN
        with pytest.raises(SsoRefused) as refused:
            signin.email_of({"email": "lea@zorg.test", "email_verified": False})
        assert refused.value.reason == "no-email"

"""Single sign-on in Chromium on a phone, by keyboard, axe-clean: from the log-in page to the organisation's own
provider (a real one on a loopback port) and back logged in, with a refusal on the way; then the administrator,
logged in that way without a code, opens the organisation's single sign-on settings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from browser.test_patient_journey import assert_no_axe_violations, assert_no_sideways_scroll
from helpers import TEST_SECRET_KEY
from oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, running_provider
from playwright.sync_api import Page, expect

from learning.accounts.models import Role
from learning.admin.scope import Actor
from learning.sso import settings

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py


@pytest.fixture
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


def through_the_provider(page: Page, email: str) -> None:
    """Ask to log in through the organisation and sign in at its provider, all by keyboard."""
    page.get_by_label("E-mailadres van je werk").fill(email)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the test provider")
    expect(page.get_by_label("User name")).to_have_value(email)  # the login hint went along
    page.get_by_label("Password").fill("provider-password")
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")


def check(page: Page, what: str) -> None:
    assert_no_axe_violations(page, what)
    assert_no_sideways_scroll(page, what)


def test_an_administrator_logs_in_through_the_organisation_and_opens_its_settings(
    page: Page, browser_log, app, organisation_id, make_user, provider
):
    with app.app_context():
        data = settings.SsoData(provider.issuer, CLIENT_ID, CLIENT_SECRET, "zorg.test")
        settings.save(Actor.shell(), organisation_id, data, [TEST_SECRET_KEY])
    make_user(Role.ADMIN, email="beheer@zorg.test")
    provider.user("beheer@zorg.test")

    page.goto("/login")
    page.get_by_role("link", name="Inloggen via je organisatie").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen via je organisatie")
    check(page, "the single sign-on page")

    browser_log.expect_http_error("/login/sso", 400)
    page.get_by_label("E-mailadres van je werk").fill("iemand@elders.test")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Je organisatie logt niet op deze manier in")
    expect(page.get_by_label("E-mailadres van je werk")).to_have_value("iemand@elders.test")
    check(page, "the single sign-on page with a refusal")

    # what the provider may get wrong, each refused in the page with what to do: a token for another application,
    # an expired token, and an address outside the organisation's domains
    outside = {"beheer@zorg.test": "beheer@elders.test"}
    faults = [({"audience": "another-client"}, 401, "voor een andere applicatie bedoeld"),
              ({"lifetime": -600}, 401, "is verlopen"),
              ({"email_of": outside}, 403, "niet bij deze organisatie hoort")]  # fmt: skip
    for fault, status, words in faults:
        saved = {name: getattr(provider, name) for name in fault}
        for name, value in fault.items():
            setattr(provider, name, value)
        browser_log.expect_http_error("/login/sso/callback", status)
        through_the_provider(page, "beheer@zorg.test")
        expect(page.get_by_role("alert")).to_contain_text(words)
        check(page, f"the refusal '{words}'")
        for name, value in saved.items():
            setattr(provider, name, value)
        page.goto("/login/sso")

    through_the_provider(page, "beheer@zorg.test")
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    assert not page.url.startswith(provider.issuer)

    page.goto(f"/admin/organisations/{organisation_id}/sso")  # no code asked: the provider was the second factor
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen via organisatie")
    expect(page.get_by_label("Issuer")).to_have_value(provider.issuer)
    expect(page.get_by_label("Client secret")).to_have_value("")
    check(page, "the single sign-on settings")

    # a sensitive change asks to confirm it is you; through the organisation, the form comes back with its values
    app.config["REAUTH_MAX_AGE"] = timedelta(0)
    browser_log.expect_http_error(f"/admin/organisations/{organisation_id}/sso", 401)
    page.get_by_label("E-maildomeinen van de organisatie").fill("zorg.test mst.nl")
    page.get_by_role("button", name="Inloggen via organisatie opslaan").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bevestig dat jij het bent")
    check(page, "the confirm page offering the organisation")
    app.config["REAUTH_MAX_AGE"] = timedelta(minutes=10)
    page.get_by_role("button", name="Inloggen via je organisatie").focus()
    page.keyboard.press("Enter")  # the form's redirect to the provider is allowed by the page's CSP form-action
    expect(page.get_by_label("User name")).to_have_value("beheer@zorg.test")
    page.get_by_label("Password").fill("provider-password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Je hebt bevestigd dat jij het bent")
    check(page, "the page that continues the interrupted form")
    page.get_by_role("button", name="Verder").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("E-maildomeinen van de organisatie")).to_have_value("mst.nl zorg.test")

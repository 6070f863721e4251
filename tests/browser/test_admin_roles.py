"""A regional administrator on a 360 px phone, with the keyboard only, adds a care role (after a refused first try)
and gives a programme a new alert severity (after a refused first try); every page on the way is axe-clean and fits
the screen, and a refusal takes the focus and keeps what was typed."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from learning.accounts.models import Role, Team
from learning.db import db
from learning.environments.models import Condition, Environment, Phase, Programme
from learning.environments.roles import ensure_care_roles
from tests.browser.test_patient_journey import assert_no_axe_violations, assert_no_sideways_scroll, log_in

pytestmark = [pytest.mark.browser, pytest.mark.postgresql_only]  # one half only: tests/conftest.py


def check(page: Page, what: str, shot: Path) -> None:
    assert_no_axe_violations(page, what)
    assert_no_sideways_scroll(page, what)
    page.screenshot(path=str(shot), full_page=True)


def soft(text: str) -> re.Pattern[str]:
    """The text as shown: long words carry soft hyphens where they may break (learning/content/hyphenation.py)."""
    return re.compile("^" + "\u00ad?".join(map(re.escape, text)) + "$")


def _programme(app: Flask, organisation_id: int) -> int:
    with app.app_context():
        ensure_care_roles()
        team = db.session.query(Team).filter_by(organisation_id=organisation_id).one()
        env = Environment(name="Hartfalen Twente", condition=Condition.HF, phase=Phase.DESIGN, start=date(2026, 1, 1))
        programme = Programme(environment=env, organisation_id=organisation_id, name="Thuismeten hartfalen",
                              condition=Condition.HF, platform_name="Thuismonitor", start=date(2026, 2, 1),
                              teams=[team], alert_sla_minutes={"red": 60, "orange": 240, "yellow": 1440},
                              measurement_schedule={"weight": "daily"})  # fmt: skip
        db.session.add(programme)
        db.session.commit()
        return programme.id


def test_an_admin_adds_a_care_role_and_a_severity_with_the_keyboard_on_a_phone(
    page: Page, app: Flask, browser_log, make_user, organisation_id, tmp_path
):
    shots = Path(os.environ.get("VTC_SCREENSHOTS", tmp_path))
    programme = _programme(app, organisation_id)
    log_in(page, make_user(Role.ADMIN, display_name="Ada Beheerder").email)

    page.goto("/admin/organisations/")
    page.get_by_role("link", name="Functies").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Functies")
    expect(page.get_by_role("heading", level=2, name=soft("Praktijkondersteuner huisarts"))).to_be_visible()
    check(page, "the care roles", shots / "roles-360.png")

    page.get_by_label("Code").focus()
    page.keyboard.type("hf_nurse")
    for text in ("Wondverpleegkundige", "Wound care nurse", "Pflegefachkraft Wundversorgung"):
        page.keyboard.press("Tab")  # the hint is no stop: the next field is the next name
        page.keyboard.type(text)
    expect(page.get_by_label("Naam in het Duits")).to_have_value("Pflegefachkraft Wundversorgung")
    browser_log.expect_http_error("/admin/roles/", 400)
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("De code hf_nurse is al in gebruik. Kies een andere code.")
    expect(alert).to_be_focused()
    expect(alert).to_be_in_viewport()
    expect(page.get_by_label("Naam in het Nederlands")).to_have_value("Wondverpleegkundige")
    expect(page.get_by_label("Code")).to_have_attribute("aria-invalid", "true")
    check(page, "a refused care role", shots / "roles-refused-360.png")

    page.keyboard.press("Tab")  # from the message to the field it names
    expect(page.get_by_label("Code")).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("wound_nurse")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("Functie Wondverpleegkundige is toegevoegd.")
    added = page.locator("#role-wound_nurse")
    expect(added.get_by_role("heading", level=2)).to_have_text(soft("Wondverpleegkundige"))
    expect(added.locator("dd[lang=de]")).to_have_text(soft("Pflegefachkraft Wundversorgung"))
    check(page, "the care roles with the new one", shots / "roles-added-360.png")
    added.get_by_role("link", name=soft("Wondverpleegkundige")).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(soft("Functie Wondverpleegkundige"))
    expect(page.get_by_role("link", name="Functie Wondverpleegkundige verwijderen")).to_be_visible()  # nobody has it
    check(page, "a care role's own page", shots / "role-360.png")

    page.goto(f"/admin/organisations/{organisation_id}/programmes/{programme}")
    page.get_by_label("Ernstniveau toevoegen (niet verplicht)").focus()
    page.keyboard.type("red")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Minuten voor het nieuwe ernstniveau")).to_be_focused()
    page.keyboard.type("30")
    browser_log.expect_http_error(f"/admin/organisations/{organisation_id}/programmes/{programme}/norms", 400)
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("Dit programma heeft het ernstniveau rood al. Verander hierboven de minuten.")
    expect(alert).to_be_focused()
    expect(alert).to_be_in_viewport()
    expect(page.get_by_label("Minuten voor het nieuwe ernstniveau")).to_have_value("30")
    check(page, "a refused severity", shots / "severity-refused-360.png")

    page.get_by_label("Ernstniveau toevoegen (niet verplicht)").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("blue")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("Opgeslagen.")
    expect(page.get_by_label("Melding blauw")).to_have_value("30")
    expect(page.get_by_label("Ernstniveau blauw verwijderen")).not_to_be_checked()
    page.get_by_label("Melding blauw").scroll_into_view_if_needed()
    check(page, "a programme with a new severity", shots / "severity-added-360.png")

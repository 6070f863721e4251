"""The outbox page on a phone in real Chromium, by keyboard alone: a refused statement, its reason, sent again."""

from __future__ import annotations

import json
import uuid

import pytest
from browser.test_patient_journey import (
    assert_no_axe_violations,
    assert_no_sideways_scroll,
    assert_targets_at_least_44px,
    log_in,
)
from playwright.sync_api import Page, expect
from xapi_helpers import make_statement

from learning.accounts.models import Role
from learning.db import db
from learning.tracking import outbox

pytestmark = [pytest.mark.browser, pytest.mark.postgresql_only]  # one half only: tests/conftest.py


def test_admin_finds_a_refused_statement_and_sends_it_again_by_keyboard(page: Page, live_server, make_user):
    app = live_server.app
    bad = make_statement(id=str(uuid.uuid4()), result={"score": {"scaled": 5}})
    with app.app_context():
        outbox.record([bad])
        db.session.commit()
        outbox.deliver_pending(app.extensions["vtc.tracker"].sink)
    log_in(page, make_user(Role.ADMIN).email)
    page.goto("/admin/outbox")
    expect(page.get_by_role("heading", name="Geweigerd door de LRS")).to_be_visible()
    expect(page.locator(".reason")).to_contain_text("must be between -1 and 1")
    assert_no_axe_violations(page, "the outbox page with a refused statement")
    assert_no_sideways_scroll(page, "the outbox page")
    assert_targets_at_least_44px(page, "the outbox page")

    with app.app_context():  # the cause is fixed where the statement is kept
        row = db.session.scalars(db.select(outbox.OutboxStatement)).one()
        row.payload = json.dumps({**bad, "result": {"score": {"scaled": 0.5}}})
        db.session.commit()
    button = page.get_by_role("button", name=f"Opnieuw versturen {bad['id']}")
    for _ in range(40):  # keyboard only: Tab until the button has focus, then Enter
        if button.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("1 record(s) opnieuw naar de LRS gestuurd.")
    expect(page.get_by_text("De LRS heeft niets geweigerd.")).to_be_visible()
    assert_no_axe_violations(page, "the outbox page after sending again")

"""The demo codes printed in the README are bounded; `flask admin` does what the pages do, and is logged."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from admin_helpers import make_region
from flask import Flask
from helpers import PASSWORD
from sqlalchemy import select

from learning.accounts.models import Invitation, User
from learning.accounts.services import AccountError, Registration, register
from learning.audit.models import AccessLogEntry
from learning.db import db, utcnow
from learning.demo import seed_demo
from learning.demo.accounts import DEMO_CODE_DAYS, DEMO_CODE_USES


def test_demo_patient_in_any_case_with_spaces_works_only_up_to_its_limit(ctx: Flask) -> None:
    assert seed_demo(0.02, today=date(2026, 11, 1))
    demo = db.session.scalar(select(Invitation).where(Invitation.code == "DEMO-PATIENT"))
    assert demo is not None
    assert demo.expires_at is not None
    assert demo.max_uses == DEMO_CODE_USES
    assert timedelta(days=DEMO_CODE_DAYS - 1) < demo.expires_at - utcnow() <= timedelta(days=DEMO_CODE_DAYS)
    demo.uses = demo.max_uses - 1
    db.session.commit()
    register(Registration(" demo patient ", "last@example.test", PASSWORD))
    with pytest.raises(AccountError):
        register(Registration("Demo-Patient", "one-too-many@example.test", PASSWORD))


def test_the_cli_invites_revokes_imports_and_writes_the_access_log(app: Flask, tmp_path: Path) -> None:
    with app.app_context():
        make_region()
    runner = app.test_cli_runner()
    made = runner.invoke(args=["admin", "invite", "Ziekenhuis X", "--uses", "3", "--label", "poli"])
    assert made.exit_code == 0, made.output
    code = made.output.split("\t")[0]
    listed = runner.invoke(args=["admin", "invitations", "Ziekenhuis X"])
    assert f"{code}\tpatient\t0/3" in listed.output
    assert runner.invoke(args=["admin", "revoke", "Ziekenhuis X", code.lower()]).exit_code == 0
    assert "\trevoked\t" in runner.invoke(args=["admin", "invitations", "Ziekenhuis X"]).output
    bad = tmp_path / "staff.csv"
    bad.write_text("personnel_number;email;display_name\nHR-1;geen-adres;Piet\n", encoding="utf-8")
    refused = runner.invoke(args=["admin", "import", "Ziekenhuis X", "staff", str(bad)])
    assert refused.exit_code != 0
    assert "row 2 email: geen-adres is not an e-mail address." in refused.output
    good = tmp_path / "good.csv"
    good.write_text("personnel_number;email;display_name\nHR-1;piet@example.test;Piet\n", encoding="utf-8")
    imported = runner.invoke(args=["admin", "import", "Ziekenhuis X", "staff", str(good)])
    assert imported.exit_code == 0
    assert "1 created, 0 updated." in imported.output
    ended = runner.invoke(args=["admin", "end-membership", "Ziekenhuis X", "piet@example.test"])
    assert ended.exit_code == 0, ended.output
    with app.app_context():
        piet = db.session.scalar(select(User).where(User.email == "piet@example.test"))
        assert piet is not None
        assert not piet.is_active_account
        actions = [e.action for e in db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id))]
        actors = {e.actor for e in db.session.scalars(select(AccessLogEntry))}
    assert actions == ["admin.invitation.create", "admin.invitation.revoke", "admin.import.staff", "admin.person.end"]
    assert len(actors) == 1
    assert next(iter(actors)).startswith("cli:")

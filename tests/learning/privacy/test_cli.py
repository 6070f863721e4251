"""`flask privacy erase` for a paper request, `flask lrs erase-agent` for an LRS on its own, and the refusal for
someone whose module reviews must be kept."""

from __future__ import annotations

import json

from sqlalchemy import select
from xapi_helpers import make_statement

from learning.accounts.models import Role, User
from learning.audit.models import AccessLogEntry
from learning.content.models import Module, ModuleApproval
from learning.db import db
from lrs.service.statements import store_statements
from lrs.store.tables import statement

LMS = {"mbox": "mailto:lms@example.test"}


def agent_of(app, user) -> dict:
    with app.app_context():
        home = f"{app.config['XAPI_BASE_IRI']}/org/{db.session.get(User, user.id).organisation.pseudonym}"
    return {"objectType": "Agent", "account": {"homePage": home, "name": user.xapi_pid}}


def test_flask_privacy_erase_deletes_the_account_and_its_statements(app, runner, make_user):
    me, other = make_user(Role.PATIENT), make_user(Role.PATIENT)
    engine = app.extensions["lrs"].engine
    store_statements(engine, [make_statement(actor=agent_of(app, p)) for p in (me, other)], authority=LMS)

    result = runner.invoke(args=["privacy", "erase", me.email, "--yes"])

    assert result.exit_code == 0, result.output
    assert "Erased: 1 statement(s)" in result.output
    with app.app_context():
        assert db.session.get(User, me.id) is None
        assert db.session.get(User, other.id) is not None
        entry = db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id.desc())).first()
        assert (entry.action, entry.actor_role) == ("privacy.erase", "cli")
        assert me.email not in entry.subject
    assert runner.invoke(args=["privacy", "erase", me.email, "--yes"]).exit_code == 1  # nobody by that name now


def test_flask_lrs_erase_agent_deletes_what_the_lrs_holds_about_an_agent(app, runner, make_user):
    me, other = make_user(Role.PATIENT), make_user(Role.PATIENT)
    engine = app.extensions["lrs"].engine
    ids = store_statements(engine, [make_statement(actor=agent_of(app, p)) for p in (me, other)], authority=LMS)

    result = runner.invoke(args=["lrs", "erase-agent", json.dumps(agent_of(app, me)), "--yes"])

    assert result.exit_code == 0, result.output
    assert "Erased 1 statement(s)" in result.output
    with engine.connect() as conn:
        assert list(conn.execute(select(statement.c.id)).scalars()) == [ids[1]]


def test_a_reviewer_whose_approval_must_be_kept_is_not_erased(app, runner, make_user):
    reviewer = make_user(Role.REVIEWER)
    with app.app_context():
        module = Module(slug="m", audiences="patient", minutes=5, mastery_score=0.8, current_version="1")
        db.session.add(module)
        db.session.flush()
        db.session.add(ModuleApproval(module_id=module.id, version="1", content_hash="x" * 64,
                                      reviewer_id=reviewer.id, reviewer_name="R", clinical=True))  # fmt: skip
        db.session.commit()

    result = runner.invoke(args=["privacy", "erase", reviewer.email, "--yes"])

    assert result.exit_code == 1
    assert "must be kept" in result.output
    with app.app_context():
        assert db.session.get(User, reviewer.id) is not None


def test_with_a_remote_lrs_the_command_to_run_there_is_printed(app, make_app, make_user):
    me = make_user(Role.PATIENT)
    agent = agent_of(app, me)
    remote = make_app(LRS_ENDPOINT="http://127.0.0.1:9/xapi/", LRS_KEY="k", LRS_SECRET="s")

    result = remote.test_cli_runner().invoke(args=["privacy", "erase", me.email, "--yes"])

    assert result.exit_code == 0, result.output
    assert f"flask lrs erase-agent '{json.dumps(agent)}' --email '{me.email}'" in result.output
    with remote.app_context():
        assert db.session.get(User, me.id) is None

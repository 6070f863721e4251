"""Keyed pseudonyms and their rotation: derived from a key file outside the database, and after
`flask privacy rotate-pseudonyms` no old pseudonym is left in any table of either schema while learners' records,
their progress page, an organisation's LRS credential and the metrics work as before."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import stat
import uuid
from pathlib import Path

from flask import Flask
from helpers import PASSWORD, csrf_token, log_in
from metrics_helpers import MARCH, World, numbers, two_nurses_one_completed
from sqlalchemy import Engine, inspect, select, text

from learning.accounts.models import Organisation, Role, Team, User
from learning.audit.chain import Fields
from learning.audit.models import AccessLogEntry
from learning.audit.service import append, verify
from learning.db import db, utcnow
from learning.metrics.periods import Period
from learning.metrics.services import recompute_all
from learning.privacy.rotation import rotate_pseudonyms
from learning.tracking.models import OutboxStatement

MODULE = "/modules/elke-dag-wegen-hartfalen"


def derived(secret: bytes, domain: str, row_id: int) -> str:
    """The pseudonym docs/privacy.md describes, computed here from its description."""
    domain_key = hmac.new(secret, f"vtc-pseudonym-domain:{domain}".encode(), hashlib.sha256).digest()
    raw = bytearray(hmac.new(domain_key, str(row_id).encode(), hashlib.sha256).digest()[:16])
    raw[6], raw[8] = (raw[6] & 0x0F) | 0x80, (raw[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(raw)))


def key_of(app: Flask) -> bytes:
    return bytes.fromhex(Path(app.config["PSEUDONYM_KEY_FILE"]).read_text().strip())


def test_pseudonyms_are_derived_per_domain_from_a_key_file_only_its_owner_reads(app, make_user, organisation_id):
    path = Path(app.config["PSEUDONYM_KEY_FILE"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    me = make_user(Role.PROFESSIONAL)
    secret = key_of(app)
    assert me.xapi_pid == derived(secret, "xapi-actor", me.id)
    with app.app_context():
        organisation = db.session.get(Organisation, organisation_id)
        team = db.session.scalars(select(Team).where(Team.organisation_id == organisation_id)).first()
        assert organisation.pseudonym == derived(secret, "organisation", organisation_id)
        assert team.pseudonym == derived(secret, "team", team.id)
        assert team.pseudonym != derived(secret, "organisation", team.id)  # another domain, another name
        hexes = {secret.hex()}
        assert not any(h in _everything([db.engine]) for h in hexes)  # the key is in no table


def _everything(engines: list[Engine]) -> str:
    """Every value of every table of the databases (from their catalogues), as one text."""
    parts = []
    for engine in engines:
        for table in inspect(engine).get_table_names():
            with engine.connect() as conn:
                for row in conn.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608
                    parts += [bytes(v).decode("utf-8", "replace") if isinstance(v, bytes | memoryview) else str(v)
                              for v in row]  # fmt: skip
    return "\n".join(parts)


def _learn(client) -> None:
    assert client.post(f"{MODULE}/start", data={"csrf_token": csrf_token(client, f"{MODULE}/")}).status_code == 302
    for step in range(1, 6):
        page = client.get(f"{MODULE}/step/{step}").get_data(as_text=True)
        items = re.findall(r'id="item-([a-z0-9-]+)"', page)
        for item in items:
            answer = {"choice": ["0"], "csrf_token": csrf_token(client, "/")}
            assert client.post(f"{MODULE}/item/{item}", data=answer).status_code == 302
        if items:
            return


def _progress(client) -> str:
    page = client.get("/progress").get_data(as_text=True)
    # Tokens carry the second they were signed in (also in hx-headers='{"X-CSRFToken": ...}'): two loads a second
    # apart differ there and nowhere else that matters.
    page = re.sub(r'"X-CSRFToken": "[^"]*"', "", page)
    return re.sub(r'(nonce|value|content)="[^"]*"', "", page)


def test_rotation_leaves_no_old_pseudonym_anywhere_and_every_record_still_belongs_to_its_person(
    app, client, make_user, make_lrs_auth, content, runner, organisation_id
):
    me, other = make_user(Role.PATIENT), make_user(Role.PATIENT)
    assert log_in(client, me.email, PASSWORD).status_code == 302
    _learn(client)
    with app.app_context():
        organisation = db.session.get(Organisation, organisation_id)
        team = organisation.teams[0]
        old_org, old_team, name = organisation.pseudonym, team.pseudonym, organisation.name
    home = f"{app.config['XAPI_BASE_IRI']}/org/{old_org}"
    agent = {"objectType": "Agent", "account": {"homePage": home, "name": me.xapi_pid}}
    tool, tenant = make_lrs_auth(), make_lrs_auth(organisation=name)
    coached = {"actor": {"mbox": "mailto:coach@example.test"}, "verb": {"id": "http://id.tincanapi.com/verb/mentored"},
               "object": agent, "context": {"extensions": {"https://vtc.test/xapi/team": old_team}}}  # fmt: skip
    assert client.post("/xapi/statements", json=coached, headers=tool).status_code == 200
    state = {"activityId": "https://vtc.test/activities/leaflet", "agent": json.dumps(agent), "stateId": "bookmark"}
    assert client.put("/xapi/activities/state", query_string=state, json={"page": 3}, headers=tool).status_code == 204
    mine = client.get("/xapi/statements", query_string={"agent": json.dumps(agent)}, headers=tenant).json
    assert len(mine["statements"]) >= 2  # the module's statements and the coach's, readable by the organisation
    with app.app_context():  # the access log names the learner whose records were read as an account, not a pseudonym
        logged = db.session.scalars(select(AccessLogEntry.subject).where(AccessLogEntry.actor.startswith("lrs:"))).all()
        assert any(f"agent=user:{me.id}" in subject for subject in logged)
        assert not any(me.xapi_pid in subject for subject in logged)
    assert runner.invoke(args=["xapi", "sync"]).exit_code == 0  # the metrics' copy of the statements
    with app.app_context():
        db.session.add(OutboxStatement(statement_id=str(uuid.uuid4()), payload=json.dumps({"actor": agent}),
                                       last_error="refused"))  # fmt: skip
        db.session.commit()
        legacy = f"1 statement(s); agent=account:{me.xapi_pid}"  # as the log named accounts before they were users
        append(Fields(utcnow(), "lrs:old", "lrs-credential", "xapi.statements.read", legacy, "GET", "/xapi/statements"))
    progress = _progress(client)
    engines = [app.extensions["lrs"].engine]
    with app.app_context():
        if str(db.engine.url) != str(engines[0].url):
            engines.append(db.engine)
    old = [me.xapi_pid, other.xapi_pid, old_org, old_team]
    before = _everything(engines)
    assert all(pid in before for pid in old)
    old_key = key_of(app)

    result = runner.invoke(args=["privacy", "rotate-pseudonyms", "--yes"])
    assert result.exit_code == 0, result.output

    after = _everything(engines)
    assert [pid for pid in old if pid in after] == []
    assert old_key.hex() not in after
    assert key_of(app).hex() not in after
    assert key_of(app) != old_key
    assert not Path(app.config["PSEUDONYM_KEY_FILE"] + ".next").exists()
    with app.app_context():
        user = db.session.get(User, me.id)
        assert user.xapi_pid == derived(key_of(app), "xapi-actor", me.id)
        new_agent = {"objectType": "Agent", "account": {"homePage": f"{app.config['XAPI_BASE_IRI']}/org/"
                     f"{user.organisation.pseudonym}", "name": user.xapi_pid}}  # fmt: skip
        assert verify().intact  # the legacy entry was made anonymous and the rotation declared it
    read = client.get("/xapi/statements", query_string={"agent": json.dumps(new_agent)}, headers=tenant).json
    assert sorted(s["id"] for s in read["statements"]) == sorted(s["id"] for s in mine["statements"])
    new_state = {**state, "agent": json.dumps(new_agent)}
    assert client.get("/xapi/activities/state", query_string=new_state, headers=tool).json == {"page": 3}
    assert _progress(client) == progress  # the learner's own page is the same


def test_metrics_are_the_same_after_a_rotation(ctx: Flask):
    team, a, _b = two_nurses_one_completed(World())
    recompute_all([Period(MARCH)])
    figures = numbers("MOD_COMPLETION", "team", team)
    assert figures[:2] == (1, 2)
    with ctx.test_request_context("/"):
        rotate_pseudonyms("cli:test", "cli", "test")
    assert db.session.scalar(select(User.xapi_pid).where(User.xapi_pid == a.actor)) is None
    recompute_all([Period(MARCH)])
    assert numbers("MOD_COMPLETION", "team", team) == figures


def test_an_interrupted_rotation_is_finished_with_the_key_it_had_started(app, make_user):
    me = make_user(Role.PATIENT)
    path = Path(app.config["PSEUDONYM_KEY_FILE"])
    started = bytes(range(32))  # the new key an interrupted run had written beside the old one
    path.with_name(path.name + ".next").write_text(started.hex())
    with app.test_request_context("/"):
        done = rotate_pseudonyms("cli:test", "cli", "test")
        assert done.resumed
        assert db.session.get(User, me.id).xapi_pid == derived(started, "xapi-actor", me.id)
    assert key_of(app) == started


def test_with_a_remote_lrs_the_mapping_goes_to_a_private_file_that_the_lrs_command_applies(
    app, make_app, client, make_user, lrs_auth, runner
):
    me = make_user(Role.PATIENT)
    agent = {"objectType": "Agent", "account": {"homePage": "https://vtc.test", "name": me.xapi_pid}}
    statement = {"actor": agent, "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
                 "object": {"id": "https://vtc.test/activities/leaflet"}}  # fmt: skip
    assert client.post("/xapi/statements", json=statement, headers=lrs_auth).status_code == 200
    remote = make_app(LRS_ENDPOINT="https://lrs.example.test/xapi/", LRS_KEY="k", LRS_SECRET="s")
    with remote.test_request_context("/"):
        done = rotate_pseudonyms("cli:test", "cli", "test")
        new_name = db.session.get(User, me.id).xapi_pid
    mapping = Path(done.mapping_file)
    assert stat.S_IMODE(mapping.stat().st_mode) == 0o600
    assert json.loads(mapping.read_text())[me.xapi_pid] == new_name
    assert me.xapi_pid in _everything([app.extensions["lrs"].engine])  # the LMS could not reach the LRS

    result = runner.invoke(args=["lrs", "rewrite-pseudonyms", str(mapping)])
    assert result.exit_code == 0, result.output
    stored = _everything([app.extensions["lrs"].engine])
    assert me.xapi_pid not in stored
    assert new_name in stored

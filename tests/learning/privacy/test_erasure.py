"""Erasure verified by a scan: two people fill every part of the platform that stores something, one is erased,
and every table of both schemas (read from the database catalogue, so a new table is covered by itself) holds none
of that person's identifiers, while the other person's rows are all still there."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from dashboard_helpers import make_region
from helpers import PASSWORD, csrf_token, learner_home
from helpers import log_in as full_log_in
from sqlalchemy import Engine, inspect, select, text

from learning.accounts.models import Role, User
from learning.audit.chain import CHANGED, GENESIS, REDACTED, UNDECLARED, Fields, Link, row_hash, walk
from learning.audit.service import verify
from learning.caregivers.services import accept_code, create_code
from learning.db import db
from learning.environments.models import PatientLink
from learning.player.models import Attempt
from learning.rpm.models import DailyMeasurement, Enrolment
from learning.sso import identities
from learning.tracking.models import OutboxStatement
from lrs.service.forwarding import set_forwarding

MODULE = "/modules/elke-dag-wegen-hartfalen"
BOUNDARY = "erasure-boundary"


def log_in(client, email: str, password: str = PASSWORD) -> int:
    """The password, and for staff (the privacy officer) a real code from the authenticator app."""
    return full_log_in(client, email, password).status_code


def log_out(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def learn(client) -> None:
    """Start the module and answer the first steps: an attempt, answers and statements, through the app."""
    assert client.post(f"{MODULE}/start", data={"csrf_token": csrf_token(client, f"{MODULE}/")}).status_code == 302
    answered = 0
    for step in range(1, 6):
        page = client.get(f"{MODULE}/step/{step}").get_data(as_text=True)
        for item in re.findall(r'id="item-([a-z0-9-]+)"', page):
            answer = {"choice": ["0"], "csrf_token": csrf_token(client, "/")}
            assert client.post(f"{MODULE}/item/{item}", data=answer).status_code == 302
            answered += 1
        if answered:
            break  # one step with answers is enough: steps seen, answers and their statements exist
    assert client.get("/progress").status_code == 200  # their own record: read, not logged (docs/access-log.md)


def with_attachment(about: dict, content: bytes) -> tuple[bytes, str]:
    """A coach's statement about the person with a certificate attached (multipart/mixed, as xAPI sends data)."""
    sha2 = hashlib.sha256(content).hexdigest()
    statement = {"id": str(uuid.uuid4()), "actor": {"mbox": "mailto:coach@example.test"},
                 "verb": {"id": "http://id.tincanapi.com/verb/mentored"}, "object": about,
                 "attachments": [{"usageType": "http://id.tincanapi.com/attachment/certificate",
                                  "display": {"en-US": "certificate"}, "contentType": "text/plain",
                                  "length": len(content), "sha2": sha2}]}  # fmt: skip
    head = f"--{BOUNDARY}\r\nContent-Type: application/json\r\n\r\n{json.dumps(statement)}\r\n".encode()
    headers = f"Content-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: {sha2}"
    part = f"--{BOUNDARY}\r\n{headers}\r\n\r\n".encode()
    return head + part + content + f"\r\n--{BOUNDARY}--\r\n".encode(), f'multipart/mixed; boundary="{BOUNDARY}"'


def fill(app, client, lrs_auth, person, caregiver, programme: int, pid: str) -> None:
    """Everything the platform stores about a patient, made through the app where the app makes it."""
    assert log_in(client, person.email) == 302
    learn(client)
    log_out(client)
    assert log_in(client, person.email, "wrong-password") == 401  # a throttling row keyed by the e-mail address
    home = learner_home(app, person.id)
    agent = {"objectType": "Agent", "account": {"homePage": home, "name": person.xapi_pid}}
    body, content_type = with_attachment(agent, f"certificate of {person.xapi_pid}".encode())
    response = client.post("/xapi/statements", data=body, headers={**lrs_auth, "Content-Type": content_type})
    assert response.status_code == 200, response.json
    mbox = {"id": str(uuid.uuid4()), "actor": {"mbox": f"mailto:{person.email}"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"id": "https://vtc.test/activities/leaflet"}}  # fmt: skip
    assert client.post("/xapi/statements", json=mbox, headers=lrs_auth).status_code == 200
    liked = {"id": str(uuid.uuid4()), "actor": {"mbox": "mailto:coach@example.test"},
             "verb": {"id": "http://activitystrea.ms/schema/1.0/like"},
             "object": {"objectType": "StatementRef", "id": mbox["id"]}}  # fmt: skip
    assert client.post("/xapi/statements", json=liked, headers=lrs_auth).status_code == 200
    state = {"activityId": "https://vtc.test/activities/leaflet", "agent": json.dumps(agent), "stateId": "bookmark"}
    assert (
        client.put("/xapi/activities/state", query_string=state, json={"page": 3}, headers=lrs_auth).status_code == 204
    )
    profile = {"agent": json.dumps(agent), "profileId": "goals"}
    put = client.put("/xapi/agents/profile", query_string=profile, json={"goal": "walk"},
                     headers={**lrs_auth, "If-None-Match": "*"})  # fmt: skip
    assert put.status_code == 204
    with app.test_request_context("/sharing"):  # the grant and its use are logged, as from their pages
        patient, carer = db.session.get(User, person.id), db.session.get(User, caregiver.id)
        accept_code(carer, create_code(patient).code)
        attempt = db.session.scalars(select(Attempt).where(Attempt.user_id == person.id)).first()
        attempt.finished_at, attempt.passed, attempt.score_scaled = (
            datetime(2026, 11, 2, tzinfo=UTC),
            True,
            1.0,
        )  # a certificate
        db.session.add(PatientLink(programme_id=programme, patient_pid=pid, user_id=person.id))
        db.session.add(Enrolment(programme_id=programme, patient_pid=pid, offered_at=date(2026, 10, 1),
                                 enrolled_at=date(2026, 10, 2)))  # fmt: skip
        db.session.add(DailyMeasurement(programme_id=programme, patient_pid=pid, day=date(2026, 10, 3),
                                        expected=True, received_counts={"weight": 1}))  # fmt: skip
        aside = datetime(2026, 11, 3, tzinfo=UTC)  # a statement the LRS refused, kept in the outbox
        db.session.add(OutboxStatement(statement_id=str(uuid.uuid4()), payload=json.dumps({"actor": agent}),
                                       set_aside_at=aside, last_error="refused"))  # fmt: skip
        identities.bind(patient, "https://login.example.test/tenant/v2.0", f"sub-of-{pid}")  # single sign-on
        db.session.commit()


def identifiers(app, person, pid: str) -> tuple[re.Pattern[str], int]:
    with app.app_context():
        registrations = list(db.session.scalars(select(Attempt.registration).where(Attempt.user_id == person.id)))
    mailto = f"mailto:{person.email}"
    hashed = [hashlib.sha1(mailto.encode()).hexdigest(), hashlib.sha256(person.email.encode()).hexdigest()]  # noqa: S324
    names = [person.email, person.xapi_pid, pid, *hashed, *registrations]
    return re.compile("|".join([rf"\buser:{person.id}\b", *(re.escape(n) for n in names)]), re.IGNORECASE), person.id


Rows = dict[str, list[dict[str, object]]]
Keys = dict[str, list[tuple[list[str], str, list[str]]]]


def read_everything(engines: list[Engine]) -> tuple[Rows, Keys]:
    """Every row of every table of the databases, and every table's foreign keys, from their catalogues."""
    rows: Rows = {}
    keys: Keys = {}
    for engine in engines:
        catalogue = inspect(engine)
        for table in catalogue.get_table_names():
            keys[table] = [(fk["constrained_columns"], fk["referred_table"], fk["referred_columns"])
                           for fk in catalogue.get_foreign_keys(table)]  # fmt: skip
            with engine.connect() as conn:
                rows[table] = [dict(r) for r in conn.execute(text(f'SELECT * FROM "{table}"')).mappings()]  # noqa: S608
    return rows, keys


def about(rows: Rows, keys: Keys, pattern: re.Pattern[str], user_id: int) -> dict[str, list[str]]:
    """The rows about the person: a row names them (an identifier anywhere in it, or their account id in a column
    referring to accounts), or refers to such a row (an answer of their attempt), followed through every foreign key.
    """
    hits = {table: {i for i, row in enumerate(found) if _names(table, row, keys[table], pattern, user_id)}
            for table, found in rows.items()}  # fmt: skip
    while True:
        grown = False
        for table, found in rows.items():
            for columns, referred, referred_columns in keys[table]:
                if len(columns) != 1 or referred not in rows:
                    continue
                targets = {rows[referred][i][referred_columns[0]] for i in hits[referred]}
                new = {i for i, row in enumerate(found) if row[columns[0]] in targets} - hits[table]
                if new:
                    hits[table] |= new
                    grown = True
        if not grown:
            return {table: [_show(rows[table][i]) for i in sorted(found)] for table, found in hits.items() if found}


def _text(value: object) -> str:
    return bytes(value).decode("utf-8", "replace") if isinstance(value, bytes | memoryview) else str(value)


def _names(table: str, row: dict[str, object], keys: list, pattern: re.Pattern[str], user_id: int) -> bool:
    user_columns = {c for columns, referred, _r in keys if referred == "user_account" for c in columns}
    if table == "user_account":
        user_columns.add("id")
    return any((c in user_columns and v == user_id) or pattern.search(_text(v)) for c, v in row.items())


def _show(row: dict[str, object]) -> str:
    return ", ".join(f"{c}={_text(v)[:40]}" for c, v in row.items())[:300]


@pytest.fixture
def two_patients(app, client, make_user, content, lrs_auth, runner):
    """Two patients who used everything, each with a caregiver link to the same caregiver and an RPM link."""
    me, other, carer = make_user(Role.PATIENT), make_user(Role.PATIENT), make_user(Role.CAREGIVER)
    with app.app_context():
        programme = make_region().programme
    forwarder = app.extensions["lrs"].forwarder  # the tool's statements are also queued for its organisation's LRS
    key = base64.b64decode(lrs_auth["Authorization"].split()[1]).decode().split(":")[0]
    set_forwarding(forwarder.engine, forwarder.settings, key, "https://lrs.example.test/xapi", "vtc", "geheim")
    fill(app, client, lrs_auth, me, carer, programme, "rpm-me-1")
    fill(app, client, lrs_auth, other, carer, programme, "rpm-other-2")
    assert runner.invoke(args=["xapi", "sync"]).exit_code == 0  # the metrics' copy of the statements
    return me, other


def test_an_erased_person_is_in_no_row_of_either_schema_and_the_other_person_is_intact(
    app, client, make_user, two_patients
):
    me, other = two_patients
    engines = [app.extensions["lrs"].engine]
    with app.app_context():
        if str(db.engine.url) != str(engines[0].url):
            engines.append(db.engine)
    mine, my_id = identifiers(app, me, "rpm-me-1")
    theirs, their_id = identifiers(app, other, "rpm-other-2")
    rows, keys = read_everything(engines)
    before_mine, before_theirs = about(rows, keys, mine, my_id), about(rows, keys, theirs, their_id)
    for table in ("user_account", "attempt", "attempt_answer", "care_link", "patient_link", "rpm_daily",
                  "lrs_statement", "lrs_statement_agent", "lrs_document", "lrs_attachment", "outbox_statement",
                  "training_event", "access_log", "login_failure", "lrs_forward_queue",
                  "external_identity"):  # fmt: skip
        assert before_mine.get(table), f"the test put nothing about the person into {table}"

    officer = make_user(Role.PRIVACY_OFFICER)
    assert log_in(client, officer.email) == 302
    page = client.post(
        "/privacy/erasure", data={"who": "rpm-me-1", "csrf_token": csrf_token(client, "/privacy/erasure")}
    )
    assert me.email in page.get_data(as_text=True)
    form = {"understood": "y", "password": PASSWORD, "csrf_token": csrf_token(client, "/privacy/erasure")}
    response = client.post(f"/privacy/erasure/{me.id}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)

    rows, keys = read_everything(engines)
    assert about(rows, keys, mine, my_id) == {}
    assert len(rows) >= 50  # every table of both schemas was read
    assert about(rows, keys, theirs, their_id) == before_theirs  # the other person's rows are all there, unchanged
    with app.app_context():
        assert verify().intact  # the access log still verifies, with the person's entries made anonymous
        assert verify().redacted >= 1


def test_a_patient_erases_their_own_account_after_the_password(app, client, make_user, content):
    me = make_user(Role.PATIENT)
    assert log_in(client, me.email) == 302
    assert "kan niet ongedaan worden" in client.get("/account/erase").get_data(as_text=True)
    form = {"understood": "y", "password": "not-my-password", "csrf_token": csrf_token(client, "/account/erase")}
    wrong = client.post("/account/erase", data=form)
    assert wrong.status_code == 400
    assert 'role="alert"' in wrong.get_data(as_text=True)
    form["password"] = PASSWORD
    assert client.post("/account/erase", data=form).status_code == 302
    with app.app_context():
        assert db.session.get(User, me.id) is None
    assert log_in(client, me.email) == 401  # the account is gone: the log-in page says the pair is wrong


def test_an_anonymous_entry_of_the_access_log_verifies_only_when_an_erasure_declares_it():
    def chain(rows: list[Fields]) -> list[Link]:
        links, prev = [], GENESIS
        for number, fields in enumerate(rows, start=1):
            links.append(Link(number, fields, prev, row_hash(number, fields, prev)))
            prev = links[-1].hash
        return links

    at = datetime(2026, 12, 1, tzinfo=UTC)
    read = Fields(at, "user:7", "patient", "progress.view", "user:7", "progress.index", "/progress")
    declaration = "an account; 1 access-log entries made anonymous"
    erasure = Fields(at, "user:2", "privacy_officer", "privacy.erase", declaration, "privacy", "/privacy/erasure")
    made_anonymous = replace(read, actor=REDACTED, subject=REDACTED, path=REDACTED)
    declared = chain([read, erasure])
    declared[0] = replace(declared[0], fields=made_anonymous)
    assert walk(declared).intact
    assert walk(declared).redacted == 1
    undeclared = chain([read, replace(erasure, action="progress.view")])
    undeclared[0] = replace(undeclared[0], fields=made_anonymous)
    assert walk(undeclared).reason == UNDECLARED
    changed = chain([read, erasure])
    changed[0] = replace(changed[0], fields=replace(read, action="dashboard.read"))  # not anonymous: just changed
    assert walk(changed).reason == CHANGED

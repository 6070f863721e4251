"""Contract: a real xAPI client (tincan's RemoteLRS) against the LRS served over real HTTP."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta

from helpers import csrf_token, learner_home
from tincan import Activity, Agent, AgentAccount, Statement, Verb

from learning.accounts.models import Role
from learning.tracking.client import make_remote_lrs


def remote_for(live_server, lrs_auth):
    key, secret = base64.b64decode(lrs_auth["Authorization"].split()[1]).decode().split(":", 1)
    return make_remote_lrs(f"{live_server.url}/xapi/", key, secret)


def tincan_statement() -> Statement:
    return Statement(
        id=str(uuid.uuid4()),
        actor=Agent(account=AgentAccount(home_page="https://vtc.test", name="learner-42")),
        verb=Verb(id="http://adlnet.gov/expapi/verbs/experienced"),
        object=Activity(id="https://vtc.test/xapi/module/contract"),
    )


def test_tincan_saves_retrieves_and_queries(live_server, lrs_auth):
    lrs = remote_for(live_server, lrs_auth)
    statement = tincan_statement()
    saved = lrs.save_statement(statement)
    assert saved.success, saved.data
    fetched = lrs.retrieve_statement(str(statement.id))
    assert fetched.success
    assert fetched.content.actor.account.name == "learner-42"
    since = datetime.now(UTC) - timedelta(minutes=5)  # tincan sends this as '2026-… 12:00:00+00:00'
    queried = lrs.query_statements({"verb": Verb(id="http://adlnet.gov/expapi/verbs/experienced"), "since": since})
    assert queried.success, queried.data
    assert [str(s.id) for s in queried.content.statements] == [str(statement.id)]


def test_tincan_follows_more_links(live_server, lrs_auth):
    lrs = remote_for(live_server, lrs_auth)
    ids = {str(s.id) for s in [tincan_statement() for _ in range(5)] if lrs.save_statement(s).success}
    page = lrs.query_statements({"limit": 2})
    seen = {str(s.id) for s in page.content.statements}
    while page.content.more:
        page = lrs.more_statements(page.content)
        assert page.success, page.data
        seen |= {str(s.id) for s in page.content.statements}
    assert seen == ids


def test_lms_statements_read_back_through_tincan(live_server, lrs_auth, make_user, content):
    """The LMS's own statements, recorded in-process, are what an outside xAPI tool reads."""
    client = live_server.app.test_client()
    user = make_user(Role.PATIENT)
    client.post(
        "/login", data={"email": user.email, "password": "correct-horse-battery", "csrf_token": csrf_token(client)}
    )
    client.post("/modules/elke-dag-wegen-hartfalen/start", data={"csrf_token": csrf_token(client, "/")})
    agent = Agent(account=AgentAccount(home_page=learner_home(live_server.app, user.id), name=user.xapi_pid))
    result = remote_for(live_server, lrs_auth).query_statements({"agent": agent})
    assert result.success, result.data
    verbs = [s.verb.id.rsplit("/", 1)[1] for s in result.content.statements]
    assert verbs == ["experienced", "initialized", "launched"] or verbs == ["initialized", "launched"]
    registrations = {str(s.context.registration) for s in result.content.statements}
    assert len(registrations) == 1

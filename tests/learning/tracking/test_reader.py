"""Reading statements back through xAPI: in-process from the built-in LRS, and from a remote LRS through tincan."""

from __future__ import annotations

import base64
import socket
import uuid

import pytest

from learning.tracking.client import RemoteReader
from learning.tracking.reader import InProcessReader, ReadError
from learning.tracking.sync_training import parse_timestamp

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
EXPERIENCED = "http://adlnet.gov/expapi/verbs/experienced"


def statement(number: int) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": "https://vtc.test", "name": f"learner-{number}"}},
        "verb": {"id": EXPERIENCED},
        "object": {"objectType": "Activity", "id": f"https://vtc.test/xapi/module/lezen/step/{number}"},
    }


def post(client, lrs_auth, statements, version: str = "1.0.3") -> None:
    response = client.post(
        "/xapi/statements", json=statements, headers={**lrs_auth, "X-Experience-API-Version": version}
    )
    assert response.status_code == 200, response.get_data(as_text=True)


def store_one_by_one(client, lrs_auth, count: int) -> list[str]:
    """Store statements in separate requests, so their stored order is the order of this list."""
    made = [statement(n) for n in range(count)]
    for item in made:
        post(client, lrs_auth, [item])
    return [item["id"] for item in made]


def credentials(lrs_auth) -> tuple[str, str]:
    key, secret = base64.b64decode(lrs_auth["Authorization"].split()[1]).decode().split(":", 1)
    return key, secret


@pytest.fixture
def remote_reader(live_server, lrs_auth):
    key, secret = credentials(lrs_auth)
    return RemoteReader(f"{live_server.url}/xapi/", key, secret, timeout=5.0)


def test_in_process_reader_yields_every_page_oldest_first(app, client, lrs_auth):
    ids = store_one_by_one(client, lrs_auth, 7)
    read = list(app.extensions["vtc.reader"].read_statements(None, limit=3))
    assert [s["id"] for s in read] == ids


def test_reader_since_yields_only_what_was_stored_later(app, client, lrs_auth):
    first = store_one_by_one(client, lrs_auth, 2)
    reader = app.extensions["vtc.reader"]
    boundary = parse_timestamp(next(s for s in reader.read_statements(None) if s["id"] == first[-1])["stored"])
    later = store_one_by_one(client, lrs_auth, 2)
    assert [s["id"] for s in reader.read_statements(boundary)] == later


def test_reader_with_verb_voided_finds_the_voiding_statements(app, client, lrs_auth):
    target, other = store_one_by_one(client, lrs_auth, 2)
    voiding = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": "https://vtc.test", "name": "admin"}},
        "verb": {"id": VOIDED},
        "object": {"objectType": "StatementRef", "id": target},
    }
    post(client, lrs_auth, [voiding])
    reader = app.extensions["vtc.reader"]
    assert [s["id"] for s in reader.read_statements(None, verb=VOIDED)] == [voiding["id"]]
    assert [s["id"] for s in reader.read_statements(None)] == [other, voiding["id"]]  # the voided one is hidden


def test_in_process_reader_turns_an_lrs_refusal_into_read_error(app):
    reader = InProcessReader(lambda params: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(ReadError, match="disk full"):
        list(reader.read_statements(None))


def test_remote_reader_follows_more_links_oldest_first(client, lrs_auth, remote_reader):
    ids = store_one_by_one(client, lrs_auth, 5)
    assert [s["id"] for s in remote_reader.read_statements(None, limit=2)] == ids


def test_remote_reader_filters_by_since_and_verb(app, client, lrs_auth, remote_reader):
    first = store_one_by_one(client, lrs_auth, 3)
    boundary = parse_timestamp(next(s for s in remote_reader.read_statements(None) if s["id"] == first[0])["stored"])
    assert [s["id"] for s in remote_reader.read_statements(boundary, limit=1, verb=EXPERIENCED)] == first[1:]
    assert list(remote_reader.read_statements(None, verb=VOIDED)) == []


def test_remote_reader_reads_statements_tincan_cannot_model(client, lrs_auth, remote_reader):
    """An xAPI 2.0 statement (contextAgents) breaks tincan's model; the page is read as plain JSON instead."""
    modern = statement(1) | {
        "context": {"contextAgents": [{"objectType": "contextAgent", "agent": {"mbox": "mailto:coach@example.test"}}]}
    }
    post(client, lrs_auth, [modern], version="2.0.0")
    read = list(remote_reader.read_statements(None))
    assert [s["id"] for s in read] == [modern["id"]]
    assert read[0]["context"]["contextAgents"][0]["agent"]["mbox"] == "mailto:coach@example.test"


def test_remote_reader_statements_are_the_stored_json(client, lrs_auth, remote_reader):
    [statement_id] = store_one_by_one(client, lrs_auth, 1)
    stored = client.get(f"/xapi/statements?statementId={statement_id}", headers=lrs_auth).json
    assert list(remote_reader.read_statements(None)) == [stored]


def test_remote_reader_raises_read_error_when_the_lrs_is_unreachable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    reader = RemoteReader(f"http://127.0.0.1:{port}/xapi/", "key", "secret", timeout=1.0)
    with pytest.raises(ReadError, match="unreachable"):
        list(reader.read_statements(None))


def test_remote_reader_raises_read_error_on_refused_credentials(live_server):
    reader = RemoteReader(f"{live_server.url}/xapi/", "nobody", "wrong", timeout=5.0)
    with pytest.raises(ReadError, match="401"):
        list(reader.read_statements(None))


def test_app_wires_an_in_process_reader_unless_an_lrs_endpoint_is_set(app, make_app):
    assert isinstance(app.extensions["vtc.reader"], InProcessReader)
    remote = make_app(LRS_ENDPOINT="http://127.0.0.1:9/xapi/", LRS_KEY="k", LRS_SECRET="s")
    assert isinstance(remote.extensions["vtc.reader"], RemoteReader)
    remote.extensions["vtc.tracker"].stop()


def about(module: str, tail: str = "") -> dict:
    """A statement about a module (tail '') or about one of its steps, which names the module as its parent."""
    made = statement(0)
    made["object"]["id"] = f"https://vtc.test/xapi/module/{module}{tail}"
    if tail:
        made["context"] = {"contextActivities": {"parent": [{"id": f"https://vtc.test/xapi/module/{module}"}]}}
    return made


def test_read_activity_yields_a_module_with_its_steps_and_nothing_of_another(app, client, lrs_auth, remote_reader):
    wanted = [about("lezen"), about("lezen", "/step/1"), about("lezen", "/item/vraag")]
    post(client, lrs_auth, [wanted[0], about("schrijven"), wanted[1], about("schrijven", "/step/1"), wanted[2]])
    ids = [s["id"] for s in wanted]
    assert [s["id"] for s in app.extensions["vtc.reader"].read_activity("https://vtc.test/xapi/module/lezen")] == ids
    assert [s["id"] for s in remote_reader.read_activity("https://vtc.test/xapi/module/lezen")] == ids

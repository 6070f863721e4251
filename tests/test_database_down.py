"""With the database unreachable, the LRS and the JSON API answer 503 with Retry-After, never a 500 or HTML.

For real: the app's database URL points at a PostgreSQL port on this machine where nothing listens, so every
connection attempt is refused by the kernel, exactly as when the server is down.
"""

from __future__ import annotations

import base64
import socket

import pytest

BASIC = {"Authorization": "Basic " + base64.b64encode(b"some-key:some-secret").decode()}
XAPI = {**BASIC, "X-Experience-API-Version": "1.0.3"}
STATEMENT = {
    "actor": {"mbox": "mailto:a@example.test"},
    "verb": {"id": "http://x.test/v"},
    "object": {"id": "http://x.test/o"},
}


@pytest.fixture
def down_client(make_app):
    with socket.socket() as probe:  # a free port: once closed, nothing listens on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql+psycopg://vtc@127.0.0.1:{port}/vtc?connect_timeout=3"
    app = make_app(SQLALCHEMY_DATABASE_URI=url, LRS_DATABASE_URI=url, TESTING=False, LRS_FORWARD_BACKGROUND=False)
    return app.test_client()


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "/xapi/statements", {"headers": XAPI}),
        ("POST", "/xapi/statements", {"headers": XAPI, "json": STATEMENT}),
        ("GET", "/xapi/activities/state", {"headers": XAPI, "query_string": {"activityId": "http://x.test/a"}}),
        ("POST", "/api/rpm/v1/daily", {"headers": BASIC, "json": {"records": []}}),
        ("POST", "/api/rpm/v1/staff-activity", {"headers": BASIC, "json": {"records": []}}),
    ],
)
def test_an_unreachable_database_is_503_with_retry_after(down_client, method, path, kwargs):
    response = down_client.open(path, method=method, **kwargs)
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert int(response.headers["Retry-After"]) > 0
    assert response.is_json
    assert "psycopg" not in response.get_data(as_text=True)


def test_what_needs_no_database_still_answers(down_client):
    assert down_client.get("/xapi/about").status_code == 200
    assert down_client.get("/api/rpm/openapi.json").status_code == 200

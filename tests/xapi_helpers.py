"""Small builders for LRS tests: a valid statement, a POST, a query."""

from __future__ import annotations

import json
from typing import Any

ACTIVITY = "https://vtc.test/xapi/module/example"


def make_statement(**overrides: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "actor": {"objectType": "Agent", "account": {"homePage": "https://vtc.test", "name": "learner-1"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "experienced"}},
        "object": {"objectType": "Activity", "id": ACTIVITY},
    }
    statement.update(overrides)
    return statement


def agent(name: str) -> dict[str, Any]:
    return {"objectType": "Agent", "account": {"homePage": "https://vtc.test", "name": name}}


def post(client: Any, headers: dict[str, str], body: Any, **kwargs: Any) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post("/xapi/statements", data=data, headers=headers, content_type="application/json", **kwargs)


def query(client: Any, headers: dict[str, str], params: str) -> Any:
    response = client.get(f"/xapi/statements?{params}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json

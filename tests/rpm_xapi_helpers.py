"""Helpers for the RPM sync tests: statements as an RPM platform sends them (our RPM profile), sent through the real
/xapi endpoint with an LRS credential, and the real sync that reads them back."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from learning.db import db
from learning.tracking.reader import current_reader
from learning.tracking.sync import SyncReport, sync

PROFILE = "https://vtc.test/xapi/profiles/rpm"
PLATFORM = "https://hartwacht.platform.test"


def key_of(headers: dict[str, str]) -> str:
    """Return the key of the LRS credential in Basic-auth headers: the account name of the authority it stamps."""
    return base64.b64decode(headers["Authorization"].removeprefix("Basic ")).decode().split(":")[0]


def rpm(
    verb: str,
    programme: dict[str, Any],
    *,
    actor: str = "P-000123",
    context: dict[str, Any] | None = None,
    result: dict[str, Any] | None = None,
    timestamp: str = "2026-03-01T10:00:00+01:00",
) -> dict[str, Any]:
    """A statement as the RPM platform sends it, following the template for `verb`."""
    extensions = {f"{PROFILE}/extensions/programme": f"https://vtc.test/xapi/rpm/programme/{programme['id']}"}
    extensions |= {f"{PROFILE}/extensions/{name}": value for name, value in (context or {}).items()}
    statement: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": PLATFORM, "name": actor}},
        "verb": {"id": f"{PROFILE}/verbs/{verb}", "display": {"en-US": verb}},
        "object": {
            "objectType": "Activity",
            "id": f"https://vtc.test/xapi/rpm/programme/{programme['id']}",
            "definition": {"type": f"{PROFILE}/activity-types/programme"},
        },
        "context": {"extensions": extensions, "contextActivities": {"category": [{"id": f"{PROFILE}/v1"}]}},
        "timestamp": timestamp,
    }
    if result:
        statement["result"] = {"extensions": {f"{PROFILE}/extensions/{k}": v for k, v in result.items()}}
    return statement


def send(client: FlaskClient, auth: dict[str, str], statements: list[dict[str, Any]]) -> None:
    response = client.post("/xapi/statements", json=statements, headers=auth)
    assert response.status_code == 200, response.get_data(as_text=True)


def run_sync(app: Flask) -> SyncReport:
    with app.app_context():
        report = sync(current_reader())
        db.session.remove()
    return report


def rows(app: Flask, model: Any) -> list[Any]:
    with app.app_context():
        found = db.session.scalars(select(model).order_by(model.id)).all()
        db.session.expunge_all()
    return found

"""The JSON ingestion API through the real app: API keys, every kind, all-or-nothing, idempotency, limits."""

from __future__ import annotations

import base64
import copy

import pytest
from sqlalchemy import func, select

from learning.db import db
from learning.rpm.fields import Kind
from learning.rpm.ingest import STORAGE

KINDS = [k.value for k in Kind]


def stored(app, kind: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(STORAGE[Kind(kind)].model)) or 0


def basic(key_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key_id}:{secret}".encode()).decode()}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_imported_and_sending_it_again_changes_nothing(app, client, api_headers, good, kind):
    first = client.post(f"/api/rpm/v1/{kind}", json={"records": good[kind]}, headers=api_headers)
    assert first.status_code == 200, first.get_json()
    n = len(good[kind])
    assert first.get_json() == {"kind": kind, "received": n, "inserted": n, "updated": 0, "unchanged": 0, "rejected": 0}
    again = client.post(f"/api/rpm/v1/{kind}", json={"records": good[kind]}, headers=api_headers)
    assert again.get_json() | {"kind": kind} == {
        "kind": kind, "received": n, "inserted": 0, "updated": 0, "unchanged": n, "rejected": 0
    }  # fmt: skip
    assert stored(app, kind) == n


BAD = [
    ("enrolments", {"enrolled_at": "2025-02-01"}, "enrolled_at"),
    ("enrolments", {"patient_pid": "jan.jansen@example.nl"}, "patient_pid"),
    ("enrolments", {"patient_pid": "123456782"}, "patient_pid"),
    ("enrolments", {"systolic": 140}, "systolic"),
    ("daily", {"received": {"weight": 82.4}}, "received.weight"),
    ("daily", {"manual": {"spo2": 3}}, "manual.spo2"),
    ("alerts", {"first_action_at": "2025-03-02T08:00+01:00"}, "first_action_at"),
    ("alerts", {"severity": "purple"}, "severity"),
    ("staff-activity", {"actions": {"reviews": -2}}, "actions.reviews"),
    ("eligible-counts", {"count": "veel"}, "count"),
]


@pytest.mark.parametrize(("kind", "changes", "field"), BAD)
def test_a_bad_record_is_422_with_its_errors_and_nothing_is_imported(
    app, client, api_headers, good, kind, changes, field
):
    records = copy.deepcopy(good[kind])
    records[-1] |= changes
    response = client.post(f"/api/rpm/v1/{kind}", json={"records": records}, headers=api_headers)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(len(records) - 1, field)]
    assert body["errors"][0]["message"]
    assert (body["inserted"], body["rejected"]) == (0, 1)
    assert "nothing was imported" in body["detail"]
    assert stored(app, kind) == 0


def test_bearer_key_works_as_well_as_basic(app, client, make_key, seed, good):
    key_id, secret = make_key(seed.organisation_id)
    headers = {"Authorization": f"Bearer {key_id}:{secret}"}
    response = client.post("/api/rpm/v1/eligible-counts", json={"records": good["eligible-counts"]}, headers=headers)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer only-a-key-id"},
        {"Authorization": "Bearer rpm_0000000000000000:wrong"},
        basic("rpm_0000000000000000", "wrong"),
    ],
    ids=["missing", "malformed", "unknown bearer", "unknown basic"],
)
def test_missing_or_unknown_keys_are_401(app, client, seed, good, headers):
    response = client.post("/api/rpm/v1/enrolments", json={"records": good["enrolments"]}, headers=headers)
    assert response.status_code == 401
    assert "Basic" in response.headers["WWW-Authenticate"]
    assert response.get_json()["status"] == 401
    assert stored(app, "enrolments") == 0


def test_a_wrong_secret_is_401(client, make_key, seed, good):
    key_id, secret = make_key(seed.organisation_id)
    response = client.post("/api/rpm/v1/enrolments", json={"records": []}, headers=basic(key_id, secret + "x"))
    assert response.status_code == 401


def test_a_revoked_key_is_401(client, runner, make_key, seed, good):
    key_id, secret = make_key(seed.organisation_id)
    assert client.post("/api/rpm/v1/enrolments", json={"records": []}, headers=basic(key_id, secret)).status_code == 200
    assert runner.invoke(args=["rpm", "revoke-api-key", key_id]).exit_code == 0
    assert client.post("/api/rpm/v1/enrolments", json={"records": []}, headers=basic(key_id, secret)).status_code == 401


def test_a_programme_of_another_organisation_is_403(app, client, api_headers, seed, good):
    records = [*good["enrolments"], {"programme": seed.other, "patient_pid": "P-1", "enrolled_at": "2025-03-01"}]
    response = client.post("/api/rpm/v1/enrolments", json={"records": records}, headers=api_headers)
    assert response.status_code == 403
    assert str(seed.other) in response.get_json()["detail"]
    assert stored(app, "enrolments") == 0


def test_another_organisations_key_cannot_write_our_programmes(app, client, make_key, seed, good):
    headers = basic(*make_key(seed.other_organisation_id))
    response = client.post("/api/rpm/v1/daily", json={"records": good["daily"]}, headers=headers)
    assert response.status_code == 403
    assert stored(app, "daily") == 0


def test_more_than_5000_records_is_413(client, api_headers, seed):
    records = [{"programme": seed.hf, "period": "2025-01", "count": 1, "source": "ehr"}] * 5001
    response = client.post("/api/rpm/v1/eligible-counts", json={"records": records}, headers=api_headers)
    assert response.status_code == 413
    assert "5000" in response.get_json()["detail"]


def test_a_body_over_the_byte_limit_is_413(app, client, api_headers, good):
    app.config["RPM_API_MAX_BYTES"] = 200
    response = client.post("/api/rpm/v1/enrolments", json={"records": good["enrolments"]}, headers=api_headers)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_a_body_that_is_not_json_is_415(client, api_headers):
    response = client.post("/api/rpm/v1/enrolments", data={"records": "x"}, headers=api_headers)
    assert response.status_code == 415
    assert response.get_json()["title"] == "Unsupported Media Type"


def test_broken_json_is_400(client, api_headers):
    response = client.post(
        "/api/rpm/v1/enrolments", data='{"records": [', content_type="application/json", headers=api_headers
    )
    assert response.status_code == 400
    assert response.get_json()["detail"] == "the body is not valid JSON"


@pytest.mark.parametrize("body", [[], {"rows": []}, {"records": {}}, {"records": [], "extra": 1}])
def test_a_body_of_the_wrong_shape_is_422(client, api_headers, body):
    response = client.post("/api/rpm/v1/enrolments", json=body, headers=api_headers)
    assert response.status_code == 422
    assert response.get_json()["errors"] == []

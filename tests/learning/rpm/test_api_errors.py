"""The RPM API's errors are problem documents from its own handlers, never the LMS's HTML page or a 500 (each
case here was a 500 or an HTML page before)."""

from __future__ import annotations

import logging

import pytest
from werkzeug.exceptions import default_exceptions


@pytest.mark.parametrize("kind", ["daily", "staff-activity", "enrolments", "alerts", "eligible-counts"])
def test_an_empty_batch_is_imported_as_nothing(client, api_headers, kind):
    response = client.post(f"/api/rpm/v1/{kind}", json={"records": []}, headers=api_headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.get_json() == {"kind": kind, "received": 0, "inserted": 0, "updated": 0, "unchanged": 0,
                                   "rejected": 0}  # fmt: skip


@pytest.mark.parametrize("body", ["[" * 100_000, '{"records": [' + "[" * 5000 + "]" * 5000 + "]}"])
def test_json_nested_past_the_parsers_stack_is_400(client, api_headers, body):
    response = client.post("/api/rpm/v1/daily", data=body, content_type="application/json", headers=api_headers)
    assert response.status_code in {400, 422}
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/api/rpm/v1/daily", 405), ("GET", "/api/rpm/nothing", 404), ("PUT", "/api/rpm/openapi.json", 405)],
)
def test_routing_errors_under_api_are_problem_documents(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == status


def test_every_http_error_code_has_the_apis_handler(app):
    assert set(default_exceptions) <= set(app.error_handler_spec["rpm_api"])


def test_an_unexpected_exception_is_a_problem_500_without_internals_and_logged(make_app, caplog):
    app = make_app(TESTING=False)

    def explode() -> None:
        raise RuntimeError("secret internals")

    app.add_url_rule("/api/rpm/explode", endpoint="rpm_api.explode", view_func=explode)  # fails as a bug would
    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/api/rpm/explode")
    assert response.status_code == 500
    assert response.mimetype == "application/problem+json"
    assert "secret" not in response.get_data(as_text=True)
    assert any(r.exc_info and "secret internals" in str(r.exc_info[1]) for r in caplog.records)


def test_a_nul_character_in_a_record_is_a_400_and_nothing_is_imported(client, api_headers, good):
    records = [{**good["daily"][0], "patient_pid": "P-0\u00001"}]
    response = client.post("/api/rpm/v1/daily", json={"records": records}, headers=api_headers)
    assert response.status_code == 400
    assert "NUL" in response.get_json()["detail"]


def test_the_rpm_profile_routes_answer_every_error_in_json(app):
    assert set(default_exceptions) <= set(app.error_handler_spec["tracking"])

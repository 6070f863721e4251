"""Schemathesis against the RPM API's own OpenAPI document, served by the real app, with a real API key: positive
and negative cases for every operation; no answer may be a 5xx, and answers must match the document."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance


def own_programme(case, programme: int):
    """Point every record at a programme of the key's organisation, so valid records get past the 403 and are
    checked field by field and stored (generated ids almost never name one)."""
    if isinstance(case.body, dict) and isinstance(case.body.get("records"), list):
        for record in case.body["records"]:
            if isinstance(record, dict) and "programme" in record:
                record["programme"] = programme
    return case


def test_schemathesis_finds_no_server_error_and_no_undocumented_answer(app, api_headers, seed):
    schema = schemathesis.openapi.from_wsgi("/api/rpm/openapi.json", app)
    positive = schema.as_strategy(GenerationMode.POSITIVE, headers=api_headers)
    negative = schema.as_strategy(GenerationMode.NEGATIVE, headers=api_headers)
    cases = positive | positive.map(lambda case: own_programme(case, seed.hf)) | negative

    @settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=cases)
    def check(case):
        response = case.call()
        assert response.status_code < 500, (case.method, case.path, case.body, response.text[:300])
        # Every built-in check but two. "Schema-valid data is accepted": the schema cannot say which programme ids
        # belong to the key's organisation, so valid-looking records are rightly 403/422. "Schema-violating data
        # is rejected" counts only some 4xx as a rejection, not the documented 413 for more than 5,000 records,
        # so it is asserted here instead: any 4xx.
        case.validate_response(response, excluded_checks=[positive_data_acceptance, negative_data_rejection])
        if case.meta is not None and case.meta.is_negative_at(ParameterLocation.BODY):
            assert 400 <= response.status_code < 500, (case.path, response.status_code)

    check()

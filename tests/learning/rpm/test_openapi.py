"""The OpenAPI document: well-formed 3.1, every route and every reference present, and its examples accepted."""

from __future__ import annotations

from typing import Any

import pytest

from learning.rpm.fields import Kind
from learning.rpm.kinds import SPECS
from learning.rpm.openapi import schema_name

PREFIX = "/api/rpm"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture
def document(client) -> dict[str, Any]:
    response = client.get(f"{PREFIX}/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def refs(node: Any) -> list[str]:
    """Return every $ref in a JSON tree."""
    if isinstance(node, dict):
        own = [node["$ref"]] if "$ref" in node else []
        return own + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for value in node for r in refs(value)]
    return []


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def test_the_document_has_the_required_openapi_31_fields(document):
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"]
    assert document["info"]["version"]
    assert document["servers"][0]["url"] == f"http://localhost{PREFIX}"
    for path, item in document["paths"].items():
        assert path.startswith("/")
        for method, operation in item.items():
            assert method in METHODS
            assert operation["responses"], f"{method} {path} has no responses"
            assert all(str(code).isdigit() or code == "default" for code in operation["responses"])


def test_every_reference_resolves(document):
    found = refs(document)
    assert len(found) > 20
    for ref in found:
        assert resolve(document, ref) is not None


def test_every_security_requirement_names_a_scheme(document):
    schemes = document["components"]["securitySchemes"]
    requirements = document["security"] + [
        req for item in document["paths"].values() for op in item.values() for req in op.get("security", [])
    ]
    assert all(name in schemes for req in requirements for name in req)
    assert schemes["basicAuth"] == {"type": "http", "scheme": "basic", "description": "User KEY_ID, password SECRET."}


def test_paths_and_routes_are_the_same(app, document):
    routes = {
        (rule.rule.removeprefix(PREFIX), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX + "/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert routes == documented


@pytest.mark.parametrize("kind", list(Kind), ids=str)
def test_each_record_schema_lists_exactly_the_fields_the_api_accepts(document, kind):
    schema = document["components"]["schemas"][schema_name(kind) + "Record"]
    assert set(schema["properties"]) == set(SPECS[kind].names)
    assert schema["required"] == [f.name for f in SPECS[kind].fields if f.required]
    assert schema["additionalProperties"] is False
    operation = document["paths"][f"/v1/{kind.value}"]["post"]
    assert set(operation["responses"]) == {"200", "400", "401", "403", "413", "415", "422"}


@pytest.mark.parametrize("kind", list(Kind), ids=str)
def test_the_documented_example_is_accepted(client, api_headers, document, seed, kind):
    operation = document["paths"][f"/v1/{kind.value}"]["post"]
    example = operation["requestBody"]["content"]["application/json"]["example"]
    records = [record | {"programme": seed.hf} for record in example["records"]]
    response = client.post(f"{PREFIX}/v1/{kind.value}", json={"records": records}, headers=api_headers)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["inserted"] == 1

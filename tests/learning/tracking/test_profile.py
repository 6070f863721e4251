"""The RPM xAPI Profile: a valid xAPI Profiles 1.0 document under our own IRIs, served where its IRIs point."""

from __future__ import annotations

import json
from urllib.parse import urlparse

import pytest

from learning.tracking.profile import build_profile

BASE = "https://vtc.test"
PROFILE = "https://vtc.test/xapi/profiles/rpm"
VERSION = "https://vtc.test/xapi/profiles/rpm/v1"
CONCEPT_TYPES = {"Verb", "ActivityType", "ContextExtension", "ResultExtension"}
EXPECTED_VERBS = {"enrolled", "disenrolled", "transmitted", "alert-raised", "alert-handled", "staff-acted"}


def walk(value, path="$"):
    """Yield (path, value) for every value in a JSON document."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from walk(item, f"{path}[{index}]")


@pytest.fixture
def profile():
    return build_profile(BASE)


def test_profile_has_every_required_property(profile):
    assert profile["@context"] == "https://w3id.org/xapi/profiles/context"
    assert profile["id"] == PROFILE
    assert profile["type"] == "Profile"
    assert profile["conformsTo"] == "https://w3id.org/xapi/profiles#1.0"
    assert profile["prefLabel"]["en"]
    assert profile["definition"]["en"]
    assert profile["versions"] == [{"id": VERSION, "generatedAtTime": profile["versions"][0]["generatedAtTime"]}]
    assert profile["author"]["type"] == "Organization"
    assert profile["author"]["name"]


def test_profile_has_no_empty_values(profile):
    """The spec forbids empty objects, null, empty strings and empty arrays anywhere in a profile."""
    empty = [path for path, value in walk(profile) if value in ({}, [], "", None)]
    assert empty == []


def test_every_concept_is_in_the_version_scheme_under_our_base(profile):
    for concept in profile["concepts"]:
        assert concept["type"] in CONCEPT_TYPES, concept["id"]
        assert concept["inScheme"] == VERSION, concept["id"]
        assert concept["id"].startswith(PROFILE + "/"), concept["id"]
        assert concept["prefLabel"]["en"], concept["id"]
        assert concept["definition"]["en"], concept["id"]
    ids = [concept["id"] for concept in profile["concepts"]]
    assert len(ids) == len(set(ids))


def test_profile_defines_the_rpm_verbs_and_programme_type(profile):
    verbs = {c["id"].rsplit("/", 1)[1] for c in profile["concepts"] if c["type"] == "Verb"}
    types = [c["id"] for c in profile["concepts"] if c["type"] == "ActivityType"]
    assert verbs == EXPECTED_VERBS
    assert types == [f"{PROFILE}/activity-types/programme"]


def test_extensions_carry_a_json_schema_and_recommend_only_our_verbs(profile):
    verbs = {c["id"] for c in profile["concepts"] if c["type"] == "Verb"}
    extensions = [c for c in profile["concepts"] if c["type"].endswith("Extension")]
    assert {c["id"].rsplit("/", 1)[1] for c in extensions} >= {"programme", "team", "received-counts", "alert-id"}
    for extension in extensions:
        assert isinstance(json.loads(extension["inlineSchema"]), dict), extension["id"]
        assert "schema" not in extension  # at most one of schema and inlineSchema
        assert set(extension["recommendedVerbs"]) <= verbs, extension["id"]


def test_no_patient_identifier_extension_exists(profile):
    """Actors are pseudonymous accounts; a patient id extension would be a second way to name the patient."""
    names = {c["id"].rsplit("/", 1)[1] for c in profile["concepts"]}
    assert not {name for name in names if "patient" in name or "pid" in name}


def test_templates_use_our_verbs_and_put_extensions_where_their_type_says(profile):
    by_id = {c["id"]: c for c in profile["concepts"]}
    for template in profile["templates"]:
        assert template["type"] == "StatementTemplate"
        assert template["inScheme"] == VERSION
        assert by_id[template["verb"]]["type"] == "Verb"
        assert by_id[template["objectActivityType"]]["type"] == "ActivityType"
        for rule in template["rules"]:
            assert {"presence", "any", "all", "none"} & set(rule), rule
            for part, kind in (("context", "ContextExtension"), ("result", "ResultExtension")):
                prefix = f"$.{part}.extensions['"
                if rule["location"].startswith(prefix):
                    assert by_id[rule["location"][len(prefix) : -2]]["type"] == kind, rule["location"]
    assert {t["verb"].rsplit("/", 1)[1] for t in profile["templates"]} == EXPECTED_VERBS


def test_templates_exclude_identifying_actor_properties(profile):
    for template in profile["templates"]:
        excluded = [r["location"] for r in template["rules"] if r.get("presence") == "excluded"]
        assert excluded == ["$.actor.mbox | $.actor.mbox_sha1sum | $.actor.openid | $.actor.name"]


def test_profile_is_served_as_json_ld_at_its_id(client):
    response = client.get(urlparse(PROFILE).path)
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert json.loads(response.get_data()) == build_profile(BASE)


def test_every_iri_of_the_profile_resolves_on_the_site(client, profile):
    for entry in [*profile["concepts"], *profile["templates"], *profile["versions"]]:
        response = client.get(urlparse(entry["id"]).path)
        assert response.status_code == 200, entry["id"]
        assert response.mimetype == "application/ld+json"
        document = json.loads(response.get_data())
        assert document["id"] in {entry["id"], PROFILE}
        assert document["@context"] == "https://w3id.org/xapi/profiles/context"


def test_unknown_concept_is_a_json_404(client):
    response = client.get("/xapi/profiles/rpm/verbs/teleported")
    assert response.status_code == 404
    assert response.mimetype == "application/ld+json"
    assert "teleported" in json.loads(response.get_data())["error"]


def test_profile_iris_follow_the_configured_base(make_app):
    other = make_app(XAPI_BASE_IRI="https://leren.zorg.example")
    document = json.loads(other.test_client().get("/xapi/profiles/rpm").get_data())
    assert document["id"] == "https://leren.zorg.example/xapi/profiles/rpm"
    assert {c["inScheme"] for c in document["concepts"]} == {"https://leren.zorg.example/xapi/profiles/rpm/v1"}

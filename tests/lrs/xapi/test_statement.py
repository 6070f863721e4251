"""Statement validation: the spec's own examples pass, and each MUST of xAPI Data 2.2-2.4 / 4.x rejects.

Valid fixtures are copied from xAPI-Data.md (1.0.3): section 2.4 examples and Appendices A, B and C.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lrs.xapi.errors import BadRequest
from lrs.xapi.statement import is_language_tag, validate_statement, validate_statements

# --- Spec examples (xAPI-Data.md) ---------------------------------------------------------------

SIMPLEST: dict[str, Any] = {
    "id": "12345678-1234-5678-1234-567812345678",
    "actor": {"mbox": "mailto:xapi@adlnet.gov"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/created", "display": {"en-US": "created"}},
    "object": {"id": "http://example.adlnet.gov/xapi/example/activity"},
}

COMPLETION: dict[str, Any] = json.loads("""{
    "id": "7ccd3322-e1a5-411a-a67d-6a735c76f119",
    "timestamp": "2015-12-18T12:17:00+00:00",
    "actor": {"objectType": "Agent", "name": "Example Learner", "mbox": "mailto:example.learner@adlnet.gov"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted", "display": {"en-US": "attempted"}},
    "object": {
        "id": "http://example.adlnet.gov/xapi/example/simpleCBT",
        "definition": {
            "name": {"en-US": "simple CBT course"},
            "description": {"en-US": "A fictitious example CBT course."}
        }
    },
    "result": {"score": {"scaled": 0.95}, "success": true, "completion": true, "duration": "PT1234S"}
}""")

LONG: dict[str, Any] = json.loads(r"""{
    "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
    "actor": {
        "name": "Team PB",
        "mbox": "mailto:teampb@example.com",
        "member": [
            {"name": "Andrew Downes", "account": {"homePage": "http://www.example.com", "name": "13936749"},
             "objectType": "Agent"},
            {"name": "Toby Nichols", "openid": "http://toby.openid.example.org/", "objectType": "Agent"},
            {"name": "Ena Hills", "mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9",
             "objectType": "Agent"}
        ],
        "objectType": "Group"
    },
    "verb": {"id": "http://adlnet.gov/expapi/verbs/attended",
             "display": {"en-GB": "attended", "en-US": "attended"}},
    "result": {
        "extensions": {
            "http://example.com/profiles/meetings/resultextensions/minuteslocation":
                "X:\\meetings\\minutes\\examplemeeting.one"
        },
        "success": true,
        "completion": true,
        "response": "We agreed on some example actions.",
        "duration": "PT1H0M0S"
    },
    "context": {
        "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
        "contextActivities": {
            "parent": [{"id": "http://www.example.com/meetings/series/267", "objectType": "Activity"}],
            "category": [{
                "id": "http://www.example.com/meetings/categories/teammeeting",
                "objectType": "Activity",
                "definition": {
                    "name": {"en": "team meeting"},
                    "description": {"en": "A category of meeting used for regular team meetings."},
                    "type": "http://example.com/expapi/activities/meetingcategory"
                }
            }],
            "other": [
                {"id": "http://www.example.com/meetings/occurances/34257", "objectType": "Activity"},
                {"id": "http://www.example.com/meetings/occurances/3425567", "objectType": "Activity"}
            ]
        },
        "instructor": {"name": "Andrew Downes", "objectType": "Agent",
                       "account": {"homePage": "http://www.example.com", "name": "13936749"}},
        "team": {"name": "Team PB", "mbox": "mailto:teampb@example.com", "objectType": "Group"},
        "platform": "Example virtual meeting software",
        "language": "tlh",
        "statement": {"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"}
    },
    "timestamp": "2013-05-18T05:32:34.804+00:00",
    "stored": "2013-05-18T05:32:34.804+00:00",
    "authority": {"account": {"homePage": "http://cloud.scorm.com/", "name": "anonymous"},
                  "objectType": "Agent"},
    "version": "1.0.0",
    "object": {
        "id": "http://www.example.com/meetings/occurances/34534",
        "definition": {
            "extensions": {
                "http://example.com/profiles/meetings/activitydefinitionextensions/room":
                    {"name": "Kilby", "id": "http://example.com/rooms/342"}
            },
            "name": {"en-GB": "example meeting", "en-US": "example meeting"},
            "description": {"en-GB": "An example meeting.", "en-US": "An example meeting."},
            "type": "http://adlnet.gov/expapi/activities/meeting",
            "moreInfo": "http://virtualmeeting.example.com/345256"
        },
        "objectType": "Activity"
    }
}""")

VOIDING: dict[str, Any] = {
    "actor": {"objectType": "Agent", "name": "Example Admin", "mbox": "mailto:admin@example.adlnet.gov"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
    "object": {"objectType": "StatementRef", "id": "e05aa883-acaf-40ad-bf54-02c8ce485fb0"},
}

COMMENT_ON_STATEMENT_REF: dict[str, Any] = {
    "actor": {"objectType": "Agent", "mbox": "mailto:test@example.com"},
    "verb": {"id": "http://example.com/commented", "display": {"en-US": "commented"}},
    "object": {"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"},
    "result": {"response": "Wow, nice work!"},
}

PLANNED_SUBSTATEMENT: dict[str, Any] = {
    "actor": {"objectType": "Agent", "mbox": "mailto:test@example.com"},
    "verb": {"id": "http://example.com/planned", "display": {"en-US": "planned"}},
    "object": {
        "objectType": "SubStatement",
        "actor": {"objectType": "Agent", "mbox": "mailto:test@example.com"},
        "verb": {"id": "http://example.com/visited", "display": {"en-US": "will visit"}},
        "object": {
            "objectType": "Activity",
            "id": "http://example.com/website",
            "definition": {"name": {"en-US": "Some Awesome Website"}},
        },
    },
}

SIGNED: dict[str, Any] = {
    "version": "1.0.0",
    "id": "33cff416-e331-4c9d-969e-5373a1756120",
    "actor": {"mbox": "mailto:example@example.com", "name": "Example Learner", "objectType": "Agent"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "experienced"}},
    "object": {"id": "https://www.youtube.com/watch?v=xh4kIiH3Sm8", "objectType": "Activity"},
    "timestamp": "2013-04-01T12:00:00Z",
    "attachments": [
        {
            "usageType": "http://adlnet.gov/expapi/attachments/signature",
            "display": {"en-US": "Signature"},
            "description": {"en-US": "A test signature"},
            "contentType": "application/octet-stream",
            "length": 4235,
            "sha2": "672fa5fa658017f1b72d65036f13379c6ab05d4ab3b6664908d8acf0b6a0c634",
        }
    ],
}

APPENDIX_B_OBJECTS: list[dict[str, Any]] = [
    {
        "id": "http://www.example.co.uk/exampleactivity",
        "definition": {
            "name": {"en-GB": "example activity", "en-US": "example activity"},
            "description": {"en-GB": "An example of an activity", "en-US": "An example of an activity"},
            "type": "http://www.example.co.uk/types/exampleactivitytype",
        },
        "objectType": "Activity",
    },
    {"name": "Andrew Downes", "mbox": "mailto:andrew@example.co.uk", "objectType": "Agent"},
    {
        "name": "Example Group",
        "account": {"homePage": "http://example.com/homePage", "name": "GroupAccount"},
        "objectType": "Group",
        "member": [
            {"name": "Andrew Downes", "mbox": "mailto:andrew@example.com", "objectType": "Agent"},
            {"name": "Aaron Silvers", "openid": "http://aaron.openid.example.org", "objectType": "Agent"},
        ],
    },
    {
        "objectType": "SubStatement",
        "actor": {"objectType": "Agent", "mbox": "mailto:agent@example.com"},
        "verb": {"id": "http://example.com/confirmed", "display": {"en": "confirmed"}},
        "object": {"objectType": "StatementRef", "id": "9e13cefd-53d3-4eac-b5ed-2cf6693903bb"},
    },
]


def _component_list(*ids: str) -> list[dict[str, Any]]:
    return [{"id": item, "description": {"en-US": item.title()}} for item in ids]


APPENDIX_C_DEFINITIONS: dict[str, dict[str, Any]] = {
    "true-false": {"correctResponsesPattern": ["true"]},
    "choice": {"correctResponsesPattern": ["golf[,]tetris"], "choices": _component_list("golf", "tetris")},
    "fill-in": {"correctResponsesPattern": ["Bob's your uncle"]},
    "long-fill-in": {"correctResponsesPattern": ["{case_matters=false}{lang=en}To store and provide access."]},
    "likert": {"correctResponsesPattern": ["likert_3"], "scale": _component_list("likert_0", "likert_3")},
    "matching": {
        "correctResponsesPattern": ["ben[.]3[,]chris[.]2"],
        "source": _component_list("ben", "chris"),
        "target": _component_list("2", "3"),
    },
    "performance": {
        "correctResponsesPattern": ["pong[.]1:[,]dg[.]:10[,]lunch[.]"],
        "steps": _component_list("pong", "dg", "lunch"),
    },
    "sequencing": {"correctResponsesPattern": ["tim[,]mike"], "choices": _component_list("tim", "mike")},
    "numeric": {"correctResponsesPattern": ["4[:]"]},
    "other": {"correctResponsesPattern": ["(35.937432,-86.868896)"]},
}

VALID_EXAMPLES: dict[str, dict[str, Any]] = {
    "simplest": SIMPLEST,
    "completion": COMPLETION,
    "long": LONG,
    "voiding": VOIDING,
    "statement_ref": COMMENT_ON_STATEMENT_REF,
    "substatement": PLANNED_SUBSTATEMENT,
    "signed": SIGNED,
}


def statement(**changes: Any) -> dict[str, Any]:
    """A fresh copy of the long example (it exercises nearly every property) with top-level changes."""
    result = copy.deepcopy(LONG)
    result.update(changes)
    return result


def with_object(obj: Any) -> dict[str, Any]:
    result = copy.deepcopy(SIMPLEST)
    result["object"] = obj
    return result


def with_context(version: str = "1.0.3", **context: Any) -> None:
    """Validate the simplest statement with the given context; raises BadRequest if rejected."""
    result = copy.deepcopy(SIMPLEST)
    result["context"] = context
    accepts(result, version=version)


def accepts(value: Any, *, version: str = "1.0.3") -> None:
    """Assert the statement is accepted as-is: the batch API hands back exactly what it was given."""
    assert validate_statements(value, version=version) == [value]


def rejects(value: Any, path: str, *, version: str = "1.0.3") -> str:
    """Assert the statement is rejected with 400 and a message naming the JSON path at or below `path`."""
    with pytest.raises(BadRequest) as info:
        validate_statement(value, version=version)
    assert info.value.status == 400
    assert re.match(re.escape(path) + r"[.\[:]", info.value.message), info.value.message
    return info.value.message


# --- The spec's examples are valid -----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(VALID_EXAMPLES))
def test_spec_example_statement_is_valid_in_both_versions(name: str) -> None:
    for version in ("1.0.3", "2.0.0"):
        accepts(copy.deepcopy(VALID_EXAMPLES[name]), version=version)


@pytest.mark.parametrize("index", range(len(APPENDIX_B_OBJECTS)))
def test_appendix_b_object_of_each_type_is_valid(index: int) -> None:
    accepts(with_object(copy.deepcopy(APPENDIX_B_OBJECTS[index])))


@pytest.mark.parametrize("interaction_type", sorted(APPENDIX_C_DEFINITIONS))
def test_appendix_c_interaction_definition_is_valid(interaction_type: str) -> None:
    definition = {
        "description": {"en-US": "question"},
        "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
        "interactionType": interaction_type,
        **copy.deepcopy(APPENDIX_C_DEFINITIONS[interaction_type]),
    }
    accepts(with_object({"id": "http://example.com/q1", "definition": definition}))


def test_validation_does_not_modify_the_statement() -> None:
    original = statement()
    validated = copy.deepcopy(original)
    validate_statement(validated, version="2.0.0")
    assert validated == original


# --- Statement level -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["actor", "verb", "object"])
def test_actor_verb_and_object_are_required(key: str) -> None:
    value = statement()
    del value[key]
    assert rejects(value, f"statement.{key}") == f"statement.{key}: required"


def test_statement_must_be_an_object() -> None:
    assert "got array" in rejects([SIMPLEST], "statement")


def test_unknown_top_level_property_is_rejected() -> None:
    rejects(statement(foo="bar"), "statement.foo")


def test_object_type_is_not_a_statement_property() -> None:
    rejects(statement(objectType="Statement"), "statement.objectType")


def test_property_names_are_case_sensitive_and_the_message_says_so() -> None:
    value = statement()
    value["Actor"] = value.pop("actor")
    assert "did you mean 'actor'" in rejects(value, "statement.Actor")


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda s: s["actor"].update(name=None), "statement.actor.name"),
        (lambda s: s["verb"]["display"].update({"en-US": None}), 'statement.verb.display["en-US"]'),
        (lambda s: s.update(context=None), "statement.context"),
        (lambda s: s["result"].update(success=None), "statement.result.success"),
        (lambda s: s["object"]["definition"].update(moreInfo=None), "statement.object.definition.moreInfo"),
        (lambda s: s.update(id=None), "statement.id"),
    ],
)
def test_null_values_are_rejected_outside_extensions(mutate: Any, path: str) -> None:
    value = statement()
    mutate(value)
    assert "null" in rejects(value, path)


@pytest.mark.parametrize("extension_value", [None, "", {}, [], 0, False])
def test_any_extension_value_is_accepted(extension_value: Any) -> None:
    value = statement()
    value["result"]["extensions"] = {"http://example.com/ext": extension_value}
    value["context"]["extensions"] = {"http://example.com/ext": extension_value}
    value["object"]["definition"]["extensions"] = {"http://example.com/ext": extension_value}
    accepts(value)


@pytest.mark.parametrize(
    "bad_id",
    [
        "AA97B177-9383-4934-8543-0F91A7A028368",
        "MA97B177-9383-4934-8543-0F91A7A02836",
        "",
        "{6690e6c9-3ef0-4ed3}",
    ],
)
def test_statement_id_must_be_a_uuid_in_standard_form(bad_id: str) -> None:
    assert "UUID" in rejects(statement(id=bad_id), "statement.id")


@pytest.mark.parametrize("bad_id", [12345, {"key": "should fail"}])
def test_statement_id_must_be_a_string(bad_id: Any) -> None:
    rejects(statement(id=bad_id), "statement.id")


@pytest.mark.parametrize("good_id", ["6690E6C9-3EF0-4ED3-8B37-7F3964730BEE", "00000000-0000-0000-0000-000000000000"])
def test_uppercase_and_nil_uuids_are_accepted(good_id: str) -> None:
    accepts(statement(id=good_id))


# --- Verb and language maps ------------------------------------------------------------------------


def test_verb_id_is_required() -> None:
    assert rejects(statement(verb={"display": {"en": "x"}}), "statement.verb.id") == "statement.verb.id: required"


@pytest.mark.parametrize("iri", ["adlnet.gov/expapi/verbs/attended", "ab=c://should.fail.com", "http://a b", ""])
def test_verb_id_must_be_an_absolute_iri(iri: str) -> None:
    rejects(statement(verb={"id": iri}), "statement.verb.id")


def test_non_ascii_iri_is_accepted() -> None:
    accepts(statement(verb={"id": "http://example.com/فعل/خواندن"}))


@pytest.mark.parametrize("tag", ["something", "a12345", "zh-z-aaa-z-bbb-c-ccc", "en--US", "", "en-US-", "de-1901-1901"])
def test_language_map_keys_must_be_rfc5646_tags(tag: str) -> None:
    assert "RFC 5646" in rejects(statement(verb={"id": "http://e.com/v", "display": {tag: "x"}}), "statement.verb")


WELL_FORMED_TAGS = ["de", "de-DE", "zh-Hant", "sr-Latn-RS", "cmn", "es-419", "zh-Hans-CN", "ase", "tlh"]
WELL_FORMED_TAGS += ["EN-us", "i-klingon", "x-private", "en-US-x-twain", "sl-rozaj-biske", "de-CH-1901"]
WELL_FORMED_TAGS += ["en-a-bbb-x-a-ccc", "zh-yue-HK"]


@pytest.mark.parametrize("tag", WELL_FORMED_TAGS)
def test_well_formed_language_tags_are_accepted(tag: str) -> None:
    assert is_language_tag(tag)
    accepts(statement(verb={"id": "http://e.com/v", "display": {tag: "x"}}))


def test_language_map_values_must_be_strings() -> None:
    rejects(statement(verb={"id": "http://e.com/v", "display": {"en": 5}}), 'statement.verb.display["en"]')


def test_language_map_must_be_an_object() -> None:
    assert "got string" in rejects(statement(verb={"id": "http://e.com/v", "display": "en"}), "statement.verb.display")


# --- Activities ------------------------------------------------------------------------------------


def test_activity_id_is_required() -> None:
    rejects(with_object({"objectType": "Activity"}), "statement.object.id")


@pytest.mark.parametrize("object_type", ["activity", "Statement", "ACTIVITY"])
def test_object_type_values_are_case_sensitive(object_type: str) -> None:
    rejects(with_object({"objectType": object_type, "id": "http://e.com/a"}), "statement.object.objectType")


@pytest.mark.parametrize(("key", "value"), [("type", "meeting"), ("moreInfo", "virtual.example.com/1")])
def test_activity_type_and_more_info_must_be_iris(key: str, value: str) -> None:
    rejects(
        with_object({"id": "http://e.com/a", "definition": {key: value}}),
        f"statement.object.definition.{key}",
    )


def test_activity_definition_must_be_an_object() -> None:
    rejects(with_object({"id": "http://e.com/a", "definition": "x"}), "statement.object.definition")


def test_extension_keys_must_be_iris() -> None:
    value = statement()
    value["result"]["extensions"] = {"should fail": True}
    rejects(value, 'statement.result.extensions["should fail"]')


@pytest.mark.parametrize("interaction_type", ["true-faLse", "Choice", "fill in", "essay"])
def test_interaction_type_must_be_an_exact_enum_value(interaction_type: str) -> None:
    definition = {"interactionType": interaction_type}
    rejects(with_object({"id": "http://e.com/q", "definition": definition}), "statement.object.definition")


@pytest.mark.parametrize("key", ["correctResponsesPattern", "choices", "scale", "source", "target", "steps"])
def test_interaction_properties_require_an_interaction_type(key: str) -> None:
    definition: dict[str, Any] = {key: []}
    message = rejects(with_object({"id": "http://e.com/q", "definition": definition}), "statement.object.definition")
    assert "interactionType" in message


@pytest.mark.parametrize(("interaction_type", "key"), [("true-false", "choices"), ("choice", "scale")])
def test_component_lists_must_suit_the_interaction_type(interaction_type: str, key: str) -> None:
    definition = {"interactionType": interaction_type, key: _component_list("a")}
    rejects(with_object({"id": "http://e.com/q", "definition": definition}), f"statement.object.definition.{key}")


def test_correct_responses_pattern_must_be_an_array_of_strings() -> None:
    definition = {"interactionType": "numeric", "correctResponsesPattern": [4]}
    path = "statement.object.definition.correctResponsesPattern[0]"
    rejects(with_object({"id": "http://e.com/q", "definition": definition}), path)


def test_interaction_component_ids_must_be_distinct() -> None:
    definition = {"interactionType": "choice", "choices": _component_list("golf", "golf")}
    message = rejects(with_object({"id": "http://e.com/q", "definition": definition}), "statement.object.definition")
    assert message.startswith("statement.object.definition.choices[1].id: duplicates")


@pytest.mark.parametrize("component", [{"description": {"en": "x"}}, {"id": 1}, {"id": "a", "extra": 1}])
def test_interaction_component_needs_only_a_string_id_and_description(component: dict[str, Any]) -> None:
    definition = {"interactionType": "likert", "scale": [component]}
    rejects(
        with_object({"id": "http://e.com/q", "definition": definition}),
        "statement.object.definition.scale[0]",
    )


# --- Agents, StatementRefs and SubStatements as objects ---------------------------------------------


@pytest.mark.parametrize(
    "obj", [{"mbox": "mailto:a@example.com"}, {"member": [{"mbox": "mailto:a@example.com"}], "name": "g"}]
)
def test_agent_or_group_as_object_must_declare_object_type(obj: dict[str, Any]) -> None:
    assert "objectType" in rejects(with_object(obj), "statement.object.objectType")


@pytest.mark.parametrize(
    "ref", [{"objectType": "StatementRef", "id": "not-a-uuid"}, {"objectType": "StatementRef"}, {"id": "x"}]
)
def test_statement_ref_needs_object_type_and_uuid(ref: dict[str, Any]) -> None:
    rejects(with_object(ref), "statement.object")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("id", "9e13cefd-53d3-4eac-b5ed-2cf6693903bb"),
        ("stored", "2013-05-18T05:32:34.804Z"),
        ("version", "1.0.0"),
        ("authority", {"mbox": "mailto:a@example.com"}),
    ],
)
def test_substatement_must_not_have_lrs_assigned_properties(key: str, value: Any) -> None:
    value_statement = copy.deepcopy(PLANNED_SUBSTATEMENT)
    value_statement["object"][key] = value
    assert "SubStatement" in rejects(value_statement, f"statement.object.{key}")


def test_substatement_cannot_contain_a_substatement() -> None:
    nested = copy.deepcopy(PLANNED_SUBSTATEMENT)
    nested["object"]["object"] = copy.deepcopy(PLANNED_SUBSTATEMENT["object"])
    rejects(nested, "statement.object.object.objectType")


def test_substatement_is_validated_as_a_statement() -> None:
    value = copy.deepcopy(PLANNED_SUBSTATEMENT)
    del value["object"]["verb"]
    rejects(value, "statement.object.verb")
    value = copy.deepcopy(PLANNED_SUBSTATEMENT)
    value["object"]["timestamp"] = "2008-09-15T15:53:00.601-00:00"
    rejects(value, "statement.object.timestamp")


def test_voiding_statement_must_target_a_statement_ref() -> None:
    value = copy.deepcopy(VOIDING)
    value["object"] = {"id": "http://example.com/activity"}
    assert "StatementRef" in rejects(value, "statement.object")


# --- Result ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "path"),
    [
        ({"scaled": 1.01}, "statement.result.score.scaled"),
        ({"scaled": -1.00001}, "statement.result.score.scaled"),
        ({"raw": 0.68, "max": 0.66}, "statement.result.score.raw"),
        ({"raw": 0.68, "min": 1.4}, "statement.result.score.raw"),
        ({"min": 5, "max": 4, "raw": 4.5}, "statement.result.score.min"),
        ({"min": 5, "max": 5}, "statement.result.score.min"),
        ({"max": "100"}, "statement.result.score.max"),
        ({"raw": True}, "statement.result.score.raw"),
        ({"raw": float("nan")}, "statement.result.score.raw"),
        ({"extra": 1}, "statement.result.score.extra"),
    ],
)
def test_score_rules_are_enforced(score: dict[str, Any], path: str) -> None:
    value = statement()
    value["result"]["score"] = score
    rejects(value, path)


@pytest.mark.parametrize("score", [{"scaled": 1.0}, {"scaled": -1}, {"raw": 5, "min": 5, "max": 10}, {"raw": -3}])
def test_scores_on_the_boundaries_are_accepted(score: dict[str, Any]) -> None:
    value = statement()
    value["result"]["score"] = score
    accepts(value)


@pytest.mark.parametrize(
    ("key", "bad"), [("success", "true"), ("completion", "false"), ("response", 42), ("duration", "PA1H0M0S")]
)
def test_result_properties_have_fixed_types(key: str, bad: Any) -> None:
    value = statement()
    value["result"][key] = bad
    rejects(value, f"statement.result.{key}")


def test_duration_with_more_than_centisecond_precision_is_accepted() -> None:
    value = statement()
    value["result"]["duration"] = "P1DT12H36M0.12567S"
    accepts(value)


# --- Context ---------------------------------------------------------------------------------------


def test_context_registration_must_be_a_uuid() -> None:
    with pytest.raises(BadRequest, match=re.escape("statement.context.registration:")):
        with_context(registration="should fail")


def test_context_team_must_be_a_group() -> None:
    with pytest.raises(BadRequest, match=re.escape("statement.context.team.objectType: must be 'Group'")):
        with_context(team={"mbox": "mailto:team@example.com"})


def test_context_instructor_may_be_a_group() -> None:
    with_context(instructor={"objectType": "Group", "mbox": "mailto:team@example.com"})
    with pytest.raises(BadRequest, match=re.escape("statement.context.instructor")):
        with_context(instructor={"objectType": "Group"})


def test_context_activities_accept_a_single_activity_or_an_array() -> None:
    with_context(contextActivities={"parent": {"id": "http://e.com/p"}, "other": [{"id": "http://e.com/o"}]})
    with pytest.raises(BadRequest, match=re.escape("statement.context.contextActivities.parent:")):
        with_context(contextActivities={"parent": "http://e.com/p"})


def test_context_activities_only_allow_the_four_context_types() -> None:
    with pytest.raises(BadRequest, match=re.escape("statement.context.contextActivities.consequences:")):
        with_context(contextActivities={"consequences": [{"id": "http://e.com/p"}]})


def test_context_activities_must_contain_activities() -> None:
    agent = {"objectType": "Agent", "mbox": "mailto:a@example.com"}
    with pytest.raises(BadRequest, match=re.escape("statement.context.contextActivities.other[0]")):
        with_context(contextActivities={"other": [agent]})


@pytest.mark.parametrize("key", ["revision", "platform"])
@pytest.mark.parametrize(
    "obj",
    [
        {"objectType": "Agent", "mbox": "mailto:a@example.com"},
        {"objectType": "Group", "mbox": "mailto:g@example.com"},
        {"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"},
    ],
)
def test_revision_and_platform_are_only_allowed_for_activity_objects(key: str, obj: dict[str, Any]) -> None:
    value = with_object(obj)
    value["context"] = {key: "1.0"}
    assert "Activity" in rejects(value, f"statement.context.{key}")


def test_context_language_must_be_a_language_tag() -> None:
    with pytest.raises(BadRequest, match=re.escape("statement.context.language:")):
        with_context(language="something")


def test_context_statement_must_be_a_statement_ref() -> None:
    with pytest.raises(BadRequest, match=re.escape("statement.context.statement.objectType:")):
        with_context(statement={"objectType": "statementref", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"})


CONTEXT_AGENT: dict[str, Any] = {
    "objectType": "contextAgent",
    "agent": {"objectType": "Agent", "mbox": "mailto:player-1@example.com"},
    "relevantTypes": ["https://example.com/xapi/types/player"],
}
CONTEXT_GROUP: dict[str, Any] = {
    "objectType": "contextGroup",
    "group": {"objectType": "Group", "mbox": "mailto:team-1@example.com"},
    "relevantTypes": ["https://example.com/xapi/types/team"],
}


def test_context_agents_and_groups_exist_only_in_xapi_2() -> None:
    with_context("2.0.0", contextAgents=[CONTEXT_AGENT], contextGroups=[CONTEXT_GROUP])
    with pytest.raises(BadRequest, match=re.escape("statement.context.contextAgents: unknown property")):
        with_context("1.0.3", contextAgents=[CONTEXT_AGENT])


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"objectType": "Should fail"}, "objectType"),
        ({"agent": {"key": "Should fail"}}, "agent.key"),
        ({"agent": {"objectType": "Group", "mbox": "mailto:g@example.com"}}, "agent.objectType"),
        ({"relevantTypes": []}, "relevantTypes"),
        ({"relevantTypes": ["abc"]}, "relevantTypes[0]"),
    ],
)
def test_context_agent_rules_are_enforced(change: dict[str, Any], path: str) -> None:
    with pytest.raises(BadRequest, match=re.escape(f"statement.context.contextAgents[0].{path}:")):
        with_context("2.0.0", contextAgents=[{**CONTEXT_AGENT, **change}])


def test_context_group_must_wrap_a_group() -> None:
    bad = {**CONTEXT_GROUP, "group": {"objectType": "Agent", "mbox": "mailto:a@example.com"}}
    with pytest.raises(BadRequest, match=re.escape("statement.context.contextGroups[0].group.objectType:")):
        with_context("2.0.0", contextGroups=[bad])


def test_context_agent_relevant_types_are_optional() -> None:
    with_context("2.0.0", contextAgents=[{"objectType": "contextAgent", "agent": CONTEXT_AGENT["agent"]}])
    with_context("2.0.0", contextGroups=[{"objectType": "contextGroup", "group": CONTEXT_GROUP["group"]}])


# --- Timestamps, version, authority ----------------------------------------------------------------


@pytest.mark.parametrize("key", ["timestamp", "stored"])
@pytest.mark.parametrize("bad", ["should fail", "01/011/2015", "2008-09-15T15:53:00.601-00:00", 1234])
def test_timestamp_and_stored_must_be_iso8601(key: str, bad: Any) -> None:
    rejects(statement(**{key: bad}), f"statement.{key}")


@pytest.mark.parametrize("good", ["1.0", "1.0.0", "1.0.3", "1.0.9"])
def test_statement_versions_starting_with_1_0_are_accepted_by_both_api_versions(good: str) -> None:
    accepts(statement(version=good))
    accepts(statement(version=good), version="2.0.0")


@pytest.mark.parametrize("bad", ["0.9.9", "1.1.0", "should fail", "2.0.0", 1.0])
def test_other_statement_versions_are_rejected_under_1_0_3(bad: Any) -> None:
    rejects(statement(version=bad), "statement.version")


def test_statement_version_2_0_0_is_accepted_under_2_0_0() -> None:
    accepts(statement(version="2.0.0"), version="2.0.0")
    rejects(statement(version="3.0.0"), "statement.version", version="2.0.0")


OAUTH_PAIR: list[dict[str, Any]] = [
    {"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "oauth_consumer_x75db"}},
    {"mbox": "mailto:bob@example.com"},
]


def test_authority_may_be_an_anonymous_group_of_two_agents() -> None:
    accepts(statement(authority={"objectType": "Group", "member": OAUTH_PAIR}))


@pytest.mark.parametrize("members", [OAUTH_PAIR[:1], [*OAUTH_PAIR, {"mbox": "mailto:james@example.com"}]])
def test_authority_group_must_have_exactly_two_members(members: list[dict[str, Any]]) -> None:
    rejects(statement(authority={"objectType": "Group", "member": members}), "statement.authority.member")


def test_authority_group_must_be_anonymous() -> None:
    authority = {"objectType": "Group", "mbox": "mailto:xapigroup@example.com", "member": OAUTH_PAIR}
    assert "anonymous" in rejects(statement(authority=authority), "statement.authority")


# --- Attachments -----------------------------------------------------------------------------------


def signed(**attachment_changes: Any) -> dict[str, Any]:
    value = copy.deepcopy(SIGNED)
    value["attachments"][0].update(attachment_changes)
    return value


@pytest.mark.parametrize("key", ["usageType", "display", "contentType", "length", "sha2"])
def test_attachment_required_properties(key: str) -> None:
    value = signed()
    del value["attachments"][0][key]
    assert rejects(value, f"statement.attachments[0].{key}").endswith("required")


@pytest.mark.parametrize(
    ("key", "bad"),
    [
        ("usageType", "should fail"),
        ("display", {"something": "x"}),
        ("description", 12345),
        ("contentType", 12345),
        ("contentType", "not a media type"),
        ("length", "27"),
        ("length", -1),
        ("length", 27.5),
        ("sha2", 12345),
        ("sha2", "not-hex"),
        ("fileUrl", "should fail"),
    ],
)
def test_attachment_property_formats(key: str, bad: Any) -> None:
    rejects(signed(**{key: bad}), f"statement.attachments[0].{key}")


def test_attachments_must_be_an_array_of_objects() -> None:
    rejects(statement(attachments=SIGNED["attachments"][0]), "statement.attachments")
    rejects(statement(attachments=["should fail"]), "statement.attachments[0]")


def test_attachment_with_file_url_and_parameters_in_content_type_is_accepted() -> None:
    value = signed(fileUrl="http://over.there.com/file.txt", contentType="text/plain; charset=ascii")
    accepts(value)


# --- Batches ---------------------------------------------------------------------------------------


def test_single_statement_body_is_returned_as_a_list() -> None:
    body = copy.deepcopy(SIMPLEST)
    assert validate_statements(body) == [body]


def test_batch_is_returned_unchanged_and_may_be_empty() -> None:
    batch = [copy.deepcopy(SIMPLEST), copy.deepcopy(COMPLETION)]
    assert validate_statements(batch) is batch
    assert validate_statements([]) == []


@pytest.mark.parametrize("body", [None, "statement", 12, True])
def test_batch_must_be_an_object_or_array(body: Any) -> None:
    with pytest.raises(BadRequest, match=r"^statement: must be a statement object or an array"):
        validate_statements(body)


def test_errors_in_a_batch_name_the_statement_index() -> None:
    broken = copy.deepcopy(SIMPLEST)
    broken["verb"] = {"display": {"en": "x"}}
    with pytest.raises(BadRequest, match=re.escape("statement[1].verb.id: required")):
        validate_statements([copy.deepcopy(COMPLETION), broken])


def test_duplicate_ids_in_a_batch_are_rejected_regardless_of_case() -> None:
    first, second = copy.deepcopy(SIMPLEST), copy.deepcopy(SIMPLEST)
    second["id"] = second["id"].upper()
    with pytest.raises(BadRequest, match=re.escape("statement[1].id: duplicates statement[0].id")):
        validate_statements([first, second])


def test_batch_validation_uses_the_requested_version() -> None:
    value = copy.deepcopy(SIMPLEST)
    value["context"] = {"contextAgents": [CONTEXT_AGENT]}
    assert validate_statements([value], version="2.0.0") == [value]
    with pytest.raises(BadRequest, match=re.escape("statement[0].context.contextAgents")):
        validate_statements([value], version="1.0.3")


# --- Robustness ------------------------------------------------------------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=25,
)


@given(body=JSON, version=st.sampled_from(["1.0.3", "2.0.0"]))
def test_random_json_is_either_accepted_or_rejected_with_bad_request(body: Any, version: str) -> None:
    assert outcome(lambda: validate_statements(body, version=version)) in ("accepted", "bad request")


def outcome(action: Callable[[], object]) -> str:
    """Classify a validation run; any exception other than a well-formed BadRequest propagates and fails."""
    try:
        action()
    except BadRequest as exc:
        return "bad request" if exc.status == 400 and re.match(r"statement(\[\d+\])?[.\[:]", exc.message) else "odd"
    return "accepted"


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every location inside a JSON value, so mutations can land anywhere in a statement."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


LONG_PATHS = _paths(LONG)[1:]


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(location=st.sampled_from(LONG_PATHS), replacement=JSON, version=st.sampled_from(["1.0.3", "2.0.0"]))
def test_mutated_valid_statement_never_raises_anything_but_bad_request(
    location: tuple[Any, ...], replacement: Any, version: str
) -> None:
    value = copy.deepcopy(LONG)
    target = value
    for step in location[:-1]:
        target = target[step]
    target[location[-1]] = replacement
    assert outcome(lambda: validate_statement(value, version=version)) in ("accepted", "bad request")

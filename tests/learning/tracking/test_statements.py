"""The statement builders: shapes from docs/xapi.md, checked by our own LRS validator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from learning.content.document import Choice, Feedback, FillIn, Matching, Pair, Quiz, Sequencing, TrueFalse
from learning.tracking import interactions
from learning.tracking import statements as xapi
from lrs.xapi.statement import validate_statement

CTX = xapi.LearningContext(
    base_iri="https://vtc.test",
    actor_home="https://vtc.test/org/5d0b2f0e-0c9a-4a55-8d3e-3f6a1b2c9d10",
    actor_name="pid-123",
    audience="patient",
    module_slug="elke-dag-wegen-hartfalen",
    module_titles={"nl": "Elke dag wegen", "en": "Daily weighing"},
    module_version="1.2.0",
    registration="4b1c7e02-37a4-4e52-9f53-5a4f1d1f3c11",
    session_id="8f0e8a77-1d3b-4c55-a2d1-7d0c66b5e7a0",
    language="nl",
    mastery_score=0.75,
)


@pytest.mark.parametrize("verb", ["launched", "initialized", "terminated", "abandoned"])
def test_module_events_are_valid_xapi_with_pseudonymous_actor(verb):
    statement = xapi.module_event(CTX, verb)
    validate_statement(statement)
    home = "https://vtc.test/org/5d0b2f0e-0c9a-4a55-8d3e-3f6a1b2c9d10"  # the organisation's, never its name
    assert statement["actor"] == {"objectType": "Agent", "account": {"homePage": home, "name": "pid-123"}}
    assert statement["verb"]["id"] == xapi.VERBS[verb][0]
    assert statement["object"]["id"] == "https://vtc.test/xapi/module/elke-dag-wegen-hartfalen"
    assert statement["object"]["definition"]["name"] == {"nl-NL": "Elke dag wegen", "en-US": "Daily weighing"}
    context = statement["context"]
    assert context["registration"] == CTX.registration
    assert context["revision"] == "1.2.0"
    assert context["language"] == "nl-NL"
    assert context["extensions"][xapi.SESSION_EXT] == CTX.session_id


def test_experienced_step_has_module_as_parent():
    statement = xapi.experienced_step(CTX, 3, {"nl": "Wie bel je?", "en": "Whom to call?"})
    validate_statement(statement)
    assert statement["object"]["id"].endswith("/step/3")
    assert statement["context"]["contextActivities"]["parent"][0]["id"] == CTX.module_iri


QUIZ = Quiz("when", "Wanneer?", (Choice("a", False, ""), Choice("b", True, ""), Choice("c", False, "")))
QUIZ_EN = Quiz("when", "When?", (Choice("A", False, ""), Choice("B", True, ""), Choice("C", False, "")))
FEEDBACK = Feedback("why", "what to do")


def test_answered_choice_reports_pattern_response_and_success():
    items = {"nl": QUIZ, "en": QUIZ_EN}
    right = interactions.answered(CTX, items, "1", True)
    wrong = interactions.answered(CTX, items, "2", False)
    for statement in (right, wrong):
        validate_statement(statement)
        assert statement["object"]["definition"]["interactionType"] == "choice"
        assert statement["object"]["definition"]["correctResponsesPattern"] == ["choice-1"]
        assert statement["object"]["definition"]["choices"][1] == {
            "id": "choice-1",
            "description": {"nl-NL": "b", "en-US": "B"},
        }
    assert right["result"] == {"response": "choice-1", "success": True}
    assert wrong["result"] == {"response": "choice-2", "success": False}


@pytest.mark.parametrize(
    ("item", "stored", "correct", "kind", "pattern", "response"),
    [
        (TrueFalse("tf", "Q", False, FEEDBACK), "true", False, "true-false", ["false"], "true"),
        (
            Sequencing("seq", "Q", ("a", "b", "c"), FEEDBACK), "2,0,1", False, "sequencing",
            ["step-0[,]step-1[,]step-2"], "step-2[,]step-0[,]step-1",
        ),
        (
            Matching("m", "Q", (Pair("a", "1"), Pair("b", "2")), FEEDBACK), "1,0", False, "matching",
            ["left-0[.]right-0[,]left-1[.]right-1"], "left-0[.]right-1[,]left-1[.]right-0",
        ),
        (
            FillIn("f", "Q", ("112", "Een een twee"), FEEDBACK), "112", True, "fill-in",
            ["{case_matters=false}112", "{case_matters=false}een een twee"], "112",
        ),
        (FillIn("f", "Q", ("112",), FEEDBACK), "mevrouw jansen", False, "fill-in", ["{case_matters=false}112"], ""),
    ],
)  # fmt: skip
def test_every_interaction_type_is_valid_xapi_in_the_spec_format(item, stored, correct, kind, pattern, response):
    statement = interactions.answered(CTX, {"nl": item}, stored, correct)
    validate_statement(statement)
    definition = statement["object"]["definition"]
    assert definition["interactionType"] == kind
    assert definition["correctResponsesPattern"] == pattern
    assert statement["result"] == {"response": response, "success": correct}


def test_answered_likert_sends_scale_point_not_text():
    statement = xapi.answered_likert(CTX, "confidence", {"nl": "Ik weet wat ik moet doen."}, 4)
    validate_statement(statement)
    assert statement["result"] == {"response": "4"}
    assert [point["id"] for point in statement["object"]["definition"]["scale"]] == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize(("scaled", "verb"), [(0.75, "passed"), (0.74, "failed")])
def test_completion_judges_against_mastery(scaled, verb):
    completed, judged = xapi.completion(CTX, scaled=scaled, duration=timedelta(minutes=7, seconds=12))
    for statement in (completed, judged):
        validate_statement(statement)
        assert statement["context"]["contextActivities"]["category"][0]["id"] == xapi.MOVEON_CATEGORY
    assert completed["result"] == {"completion": True, "duration": "PT7M12S"}
    assert judged["verb"]["id"].endswith(verb)
    assert judged["result"]["score"] == {"scaled": scaled}


def test_completion_without_quiz_is_not_judged():
    ctx = xapi.LearningContext(**{**CTX.__dict__, "mastery_score": None})
    assert [s["verb"]["id"].rsplit("/", 1)[1] for s in xapi.completion(ctx, scaled=None, duration=timedelta())] == [
        "completed"
    ]


@pytest.mark.parametrize(
    ("span", "text"),
    [(timedelta(0), "PT0S"), (timedelta(seconds=1.5), "PT1.5S"), (timedelta(hours=1, seconds=3), "PT1H3S")],
)
def test_durations_are_iso_8601(span, text):
    assert xapi.format_duration(span) == text


def test_timestamps_are_utc_with_z():
    moment = datetime(2026, 5, 4, 11, 12, 44, 123456, tzinfo=UTC)
    assert xapi.format_timestamp(moment) == "2026-05-04T11:12:44.123Z"


def test_staff_team_is_a_pseudonym_extension():
    ctx = xapi.LearningContext(**{**CTX.__dict__, "audience": "professional", "team": "t-7f3"})
    statement = xapi.module_event(ctx, "launched")
    assert statement["context"]["extensions"]["https://vtc.test/xapi/ext/team"] == "t-7f3"

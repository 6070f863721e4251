"""Survey (likert) items of the real modules, played through the app: the `answered` statements in the LRS carry
the item ids and 1-5 responses the learning metrics read (CONF_GAIN, RELEVANCE, PT_CONFIDENCE)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from helpers import csrf_token

from app import ROOT
from learning.accounts.models import Organisation, Role
from learning.content.document import Quiz
from learning.content.loader import load_module_folder
from learning.db import db
from learning.environments.models import StaffMember
from learning.metrics.compute_learning import confidence_pairs
from learning.metrics.training import (
    CONFIDENCE_PREFIX,
    LIKERT,
    PRE_PREFIX,
    RELEVANCE_PREFIX,
    load_training_facts,
    month_key,
)
from learning.tracking.reader import current_reader
from learning.tracking.sync import sync

PROFESSIONAL = "rpm-meting-tot-melding"
ANSWERED = "http://adlnet.gov/expapi/verbs/answered"


def play(client, slug: str, likert_answers: dict[str, str]) -> None:
    """Take the module as a learner: every step in order, every quiz right, each Likert item by its prefix."""
    module = f"/modules/{slug}"
    document = load_module_folder(ROOT / "modules_content" / slug)["nl"]
    response = client.post(f"{module}/start", data={"csrf_token": csrf_token(client, f"{module}/")})
    assert response.status_code == 302
    for step in document.steps:
        html = client.get(f"{module}/step/{step.number}").get_data(as_text=True)
        assert re.findall(r'id="item-([a-z0-9-]+)"', html) == [item.id for item in step.items]
        for item in step.items:
            if isinstance(item, Quiz):
                choice = [str(i) for i in item.correct_indexes]
            else:
                choice = [next(v for prefix, v in likert_answers.items() if item.id.startswith(prefix))]
            data = {"choice": choice, "csrf_token": csrf_token(client, "/")}
            assert client.post(f"{module}/item/{item.id}", data=data).status_code == 302
    finished = client.post(f"{module}/finish", data={"csrf_token": csrf_token(client, "/")})
    assert "/result/" in finished.headers["Location"]


def likert_answers_in_the_lrs(client, lrs_auth, slug: str) -> list[tuple[str, str, str]]:
    """Return (item id, response, timestamp) of every answered Likert statement of the module, oldest first."""
    query = {"verb": ANSWERED, "related_activities": "true", "activity": f"https://vtc.test/xapi/module/{slug}"}
    statements = client.get("/xapi/statements", query_string=query, headers=lrs_auth).json["statements"]
    prefix = f"https://vtc.test/xapi/module/{slug}/item/"
    found = []
    for statement in reversed(statements):
        assert statement["object"]["id"].startswith(prefix)
        if statement["object"]["definition"]["interactionType"] == "likert":
            found.append((statement["object"]["id"][len(prefix) :], statement["result"]["response"],
                          statement["timestamp"]))  # fmt: skip
    return found


def test_professional_module_reports_confidence_before_and_after_and_relevance(
    client, login, make_user, content, lrs_auth
):
    login(make_user(Role.PROFESSIONAL))
    play(client, PROFESSIONAL, {PRE_PREFIX: "2", CONFIDENCE_PREFIX: "4", RELEVANCE_PREFIX: "5"})

    answers = likert_answers_in_the_lrs(client, lrs_auth, PROFESSIONAL)

    assert [(item, response) for item, response, _at in answers] == [
        ("pre-confidence-alert-handling", "2"),
        ("confidence-alert-handling", "4"),
        ("relevance-alert-handling", "5"),
    ]
    (before, after, relevance) = (item for item, _r, _at in answers)
    assert before == PRE_PREFIX + after  # how CONF_GAIN pairs them
    assert after.startswith(CONFIDENCE_PREFIX)
    assert relevance.startswith(RELEVANCE_PREFIX)
    assert {response for _item, response, _at in answers} <= set(LIKERT)
    assert answers[0][2] < answers[1][2], "the question before the module is answered before the one after it"


@pytest.mark.parametrize(
    ("role", "slug", "item"),
    [
        (Role.PATIENT, "elke-dag-wegen-hartfalen", "confidence-weight-action"),
        (Role.CAREGIVER, "naaste-helpen-thuismeten", "confidence-who-to-call"),
    ],
)
def test_patient_and_caregiver_modules_report_their_confidence_item(
    client, login, make_user, content, lrs_auth, role, slug, item
):
    login(make_user(role))
    play(client, slug, {CONFIDENCE_PREFIX: "5"})
    assert [(i, r) for i, r, _at in likert_answers_in_the_lrs(client, lrs_auth, slug)] == [(item, "5")]


def test_synced_answers_give_the_staff_member_a_confidence_gain_and_a_relevance_answer(
    app, client, login, make_user, content, organisation_id
):
    user = make_user(Role.PROFESSIONAL)
    login(user)
    play(client, PROFESSIONAL, {PRE_PREFIX: "2", CONFIDENCE_PREFIX: "4", RELEVANCE_PREFIX: "5"})
    with app.app_context():
        report = sync(current_reader())
        assert (report.error, report.skipped) == (None, [])
        organisation = db.session.get(Organisation, organisation_id)
        db.session.add(StaffMember(organisation=organisation, pid="S-0001", user_id=user.id))
        db.session.commit()
        facts = load_training_facts(before=datetime.now(UTC) + timedelta(days=1)).of(user.xapi_pid)
        db.session.remove()
    month = month_key(datetime.now(UTC))
    assert confidence_pairs(facts) == [(month, 2)]
    assert facts.last_answers(RELEVANCE_PREFIX, month) == [5]

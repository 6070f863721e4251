"""The module player through the real HTTP app: steps, htmx fragments, answers, resume, finish."""

from __future__ import annotations

import json
import re

import pytest
from helpers import csrf_token

from app import ROOT
from learning.accounts.models import Organisation, Role
from learning.content.document import Quiz
from learning.content.loader import load_module_folder
from learning.db import db

SLUG = "elke-dag-wegen-hartfalen"
MODULE = f"/modules/{SLUG}"


def start(client, module: str = MODULE):
    response = client.post(f"{module}/start", data={"csrf_token": csrf_token(client, f"{module}/")})
    assert response.status_code == 302
    return response.headers["Location"]


def items_on(html: str) -> list[str]:
    return re.findall(r'id="item-([a-z0-9-]+)"', html)


def right_answers(slug: str = SLUG) -> dict[str, list[str]]:
    """The right choice of every quiz and a 'agree' for every Likert item, read from the module's own source."""
    document = load_module_folder(ROOT / "modules_content" / slug)["nl"]
    answers = {}
    for step in document.steps:
        for item in step.items:
            answers[item.id] = [str(i) for i in item.correct_indexes] if isinstance(item, Quiz) else ["4"]
    return answers


def walk_to_end(client, first_step_url: str, answers: dict[str, list[str]], module: str = MODULE) -> None:
    url = first_step_url
    while True:
        html = client.get(url).get_data(as_text=True)
        for item_id in items_on(html):
            data = {"choice": answers[item_id], "csrf_token": csrf_token(client, "/")}
            assert client.post(f"{module}/item/{item_id}", data=data).status_code == 302
        next_link = re.search(r'class="button primary" href="([^"]+)"', html)
        if next_link is None:
            return
        url = next_link.group(1)


def test_start_opens_step_one_and_records_launch(client, login, make_user, content, lrs_auth):
    login(make_user(Role.PATIENT))
    location = start(client)
    assert location.endswith(f"{MODULE}/step/1")
    page = client.get(location)
    assert page.status_code == 200
    assert page.mimetype == "text/html"
    assert "Stap 1 van" in page.get_data(as_text=True)
    verbs = [
        s["verb"]["id"].rsplit("/", 1)[1] for s in client.get("/xapi/statements", headers=lrs_auth).json["statements"]
    ]
    assert verbs == ["experienced", "initialized", "launched"]


def test_htmx_step_request_gets_fragment_without_html_shell(client, login, make_user, content):
    login(make_user(Role.PATIENT))
    start(client)
    response = client.get(f"{MODULE}/step/2", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="player"' in body
    assert "HX-Request" in response.headers["Vary"]


def test_history_restore_request_gets_full_page(client, login, make_user, content):
    login(make_user(Role.PATIENT))
    start(client)
    response = client.get(f"{MODULE}/step/2", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in response.get_data(as_text=True)


def test_answer_gives_immediate_feedback_fragment(client, login, make_user, content):
    login(make_user(Role.PATIENT))
    start(client)
    html = ""
    step = 1
    while not items_on(html):
        step += 1
        html = client.get(f"{MODULE}/step/{step}").get_data(as_text=True)
    item_id = items_on(html)[0]
    response = client.post(
        f"{MODULE}/item/{item_id}",
        data={"choice": "0", "csrf_token": csrf_token(client, "/")},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body
    assert response.mimetype == "text/html"
    assert ("✓</span> Goed.</strong>" in body) or ("✗</span> Niet goed.</strong>" in body)


def test_answer_without_choice_is_refused_with_message(client, login, make_user, content):
    login(make_user(Role.PATIENT))
    start(client)
    step, html = 1, ""
    while not items_on(html):
        step += 1
        html = client.get(f"{MODULE}/step/{step}").get_data(as_text=True)
    response = client.post(
        f"{MODULE}/item/{items_on(html)[0]}",
        data={"csrf_token": csrf_token(client, "/")},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "Kies eerst een antwoord" in response.get_data(as_text=True)


def test_leaving_and_coming_back_resumes_at_same_step(client, login, make_user, content, lrs_auth):
    user = make_user(Role.PATIENT)
    login(user)
    start(client)
    client.get(f"{MODULE}/step/2")
    client.get(f"{MODULE}/step/3")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(user)
    detail = client.get(f"{MODULE}/").get_data(as_text=True)
    assert "Verder bij stap 3" in detail
    assert start(client).endswith(f"{MODULE}/step/3")
    statements = client.get("/xapi/statements", headers=lrs_auth).json["statements"]
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in reversed(statements)]
    assert verbs.count("launched") == 2
    assert "abandoned" in verbs  # the first session never terminated (cmi5 rule)
    registrations = {s["context"]["registration"] for s in statements}
    assert len(registrations) == 1


def test_finish_is_refused_while_questions_are_open(client, login, make_user, content):
    login(make_user(Role.PATIENT))
    start(client)
    response = client.post(f"{MODULE}/finish", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Beantwoord eerst alle vragen" in follow


@pytest.mark.parametrize(
    ("role", "slug", "title"),
    [
        (Role.PATIENT, SLUG, "Elke dag wegen bij hartfalen"),
        (Role.CAREGIVER, "naaste-helpen-thuismeten", "Als naaste helpen bij thuismeten"),
        (Role.PROFESSIONAL, "rpm-meting-tot-melding", "Thuismonitoring: van meting tot melding"),
    ],
)
def test_whole_module_ends_with_passed_and_shows_on_progress(
    app, organisation_id, client, login, make_user, content, lrs_auth, role, slug, title
):
    user = make_user(role)
    login(user)
    module = f"/modules/{slug}"
    walk_to_end(client, start(client, module), right_answers(slug), module)
    response = client.post(f"{module}/finish", data={"csrf_token": csrf_token(client, "/")})
    assert response.status_code == 302
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "je bent geslaagd" in result
    progress = client.get("/progress").get_data(as_text=True)
    assert title in progress
    quizzes = len(load_module_folder(ROOT / "modules_content" / slug)["nl"].quizzes)
    assert f"{quizzes} van de {quizzes} vragen in één keer goed" in progress
    statements = client.get("/xapi/statements?limit=500", headers=lrs_auth).json["statements"]
    verbs = [s["verb"]["id"].rsplit("/", 1)[1] for s in reversed(statements)]
    assert verbs[:2] == ["launched", "initialized"]
    assert verbs[-3:] == ["completed", "passed", "terminated"]
    assert verbs.count("answered") == len(right_answers(slug))
    document = load_module_folder(ROOT / "modules_content" / slug)["nl"]
    assert verbs.count("experienced") == len(document.steps)
    with app.app_context():  # the organisation's own homePage, by its pseudonym: never its name
        home = "https://vtc.test/org/" + db.session.get(Organisation, organisation_id).pseudonym
    for statement in statements:
        assert statement["actor"] == {"objectType": "Agent", "account": {"homePage": home, "name": user.xapi_pid}}
        assert statement["context"]["revision"] == document.version
        assert statement["context"]["language"] == "nl-NL"
        assert user.email not in json.dumps(statement)


def test_wrong_first_answers_fail_the_module(client, login, make_user, content, lrs_auth):
    login(make_user(Role.PATIENT))
    wrong = {
        item: ([str((int(values[0]) + 1) % 2)] if len(values) == 1 and item != "confidence-weight-action" else values)
        for item, values in right_answers().items()
    }
    walk_to_end(client, start(client), wrong)
    response = client.post(f"{MODULE}/finish", data={"csrf_token": csrf_token(client, "/")})
    assert "Nog niet geslaagd" in client.get(response.headers["Location"]).get_data(as_text=True)
    verbs = [
        s["verb"]["id"].rsplit("/", 1)[1] for s in client.get("/xapi/statements", headers=lrs_auth).json["statements"]
    ]
    assert "failed" in verbs
    assert "passed" not in verbs


def test_english_learner_gets_english_text_and_language(client, login, make_user, content, lrs_auth):
    login(make_user(Role.PATIENT))
    client.post("/language/en", data={"csrf_token": csrf_token(client, "/"), "next": "/"})
    page = client.get(start(client)).get_data(as_text=True)
    assert "Step 1 of" in page
    statement = client.get("/xapi/statements?limit=1", headers=lrs_auth).json["statements"][0]
    assert statement["context"]["language"] == "en-US"


@pytest.mark.parametrize(
    ("role", "slug"),
    [(Role.CAREGIVER, "naaste-helpen-thuismeten"), (Role.PROFESSIONAL, "rpm-meting-tot-melding")],
)
def test_each_audience_sees_only_its_modules(client, login, make_user, content, role, slug):
    login(make_user(role))
    catalogue = client.get("/").get_data(as_text=True)
    assert f"/modules/{slug}/" in catalogue
    assert f"{MODULE}/" not in catalogue
    assert client.get(f"{MODULE}/").status_code == 404


def test_professional_statements_carry_team_pseudonym(client, login, make_user, content, lrs_auth):
    login(make_user(Role.PROFESSIONAL))
    client.post("/modules/rpm-meting-tot-melding/start", data={"csrf_token": csrf_token(client, "/")})
    statement = client.get("/xapi/statements?limit=1", headers=lrs_auth).json["statements"][0]
    extensions = statement["context"]["extensions"]
    assert extensions["https://vtc.test/xapi/ext/audience"] == "professional"
    assert len(extensions["https://vtc.test/xapi/ext/team"]) == 36


@pytest.mark.parametrize(
    ("path", "data", "status"),
    [
        (f"{MODULE}/step/99", None, 404),
        (f"{MODULE}/step/0", None, 404),
        (f"{MODULE}/item/no-such-item", {"choice": "0"}, 404),
        (f"{MODULE}/item/when-to-weigh", {"choice": "zero"}, 400),
        (f"{MODULE}/item/when-to-weigh", {"choice": "17"}, 400),
        ("/modules/no-such-module/", None, 404),
    ],
)
def test_bad_player_input_gets_clear_4xx(client, login, make_user, content, path, data, status):
    login(make_user(Role.PATIENT))
    start(client)
    if data is None:
        response = client.get(path)
    else:
        response = client.post(
            path, data={**data, "csrf_token": csrf_token(client, "/")}, headers={"HX-Request": "true"}
        )
    assert response.status_code == status

"""After finishing: the result page lists every question with the learner's first answer, whether it was right,
the right answer and why; and the module can be read again step by step without a new attempt (only
`experienced` is reported, on the finished registration)."""

from __future__ import annotations

import random
import re
from html import unescape

from helpers import csrf_token

from app import ROOT
from learning.accounts.models import Role
from learning.content.document import Likert, Quiz
from learning.content.hyphenation import strip_soft_hyphens
from learning.content.judging import example_values
from learning.content.loader import load_module_folder
from learning.db import db
from learning.player.models import Attempt

SLUG = "bloeddruk-thuis-meten"  # choice, multiple choice, true-false and sequencing questions
MODULE = f"/modules/{SLUG}"
DOCUMENT = load_module_folder(ROOT / "modules_content" / SLUG)["nl"]
JUDGED = [item for step in DOCUMENT.steps for item in step.items if not isinstance(item, Likert)]
WRONG = JUDGED[0].id  # the first question is answered wrong, the rest right


def finish(client) -> str:
    """Take the module; return the result page's URL."""
    assert client.post(f"{MODULE}/start", data={"csrf_token": csrf_token(client, f"{MODULE}/")}).status_code == 302
    rng = random.Random(3)
    for step in DOCUMENT.steps:
        client.get(f"{MODULE}/step/{step.number}")
        for item in step.items:
            values = ["4"] if isinstance(item, Likert) else example_values(item, item.id != WRONG, rng)
            data = {"choice": values, "csrf_token": csrf_token(client, "/")}
            assert client.post(f"{MODULE}/item/{item.id}", data=data).status_code == 302
    finished = client.post(f"{MODULE}/finish", data={"csrf_token": csrf_token(client, "/")})
    assert "/result/" in finished.headers["Location"]
    return finished.headers["Location"]


def text_of(html: str) -> str:
    return " ".join(strip_soft_hyphens(unescape(re.sub(r"<[^>]+>", " ", html))).split())


def test_the_result_lists_each_question_with_the_answer_right_or_wrong_and_why(client, login, make_user, content):
    login(make_user(Role.PATIENT))
    html = client.get(finish(client)).get_data(as_text=True)
    rows = re.findall(r'<section class="item review-row" id="review-([a-z0-9-]+)".*?</section>', html, re.S)
    assert rows == [item.id for item in JUDGED]
    for item in JUDGED:
        row = text_of(re.search(rf'id="review-{item.id}".*?</section>', html, re.S).group(0))  # type: ignore[union-attr]
        assert item.question in row
        assert "Jouw antwoord:" in row
        if item.id == WRONG:
            assert "✗ Niet goed." in row
            assert isinstance(item, Quiz)
            right = "; ".join(c.text for c in item.choices if c.correct)
            assert f"Het goede antwoord: {right}" in row
        else:
            assert "✓ Goed." in row
            assert "Het goede antwoord" not in row
        explanation = (
            " ".join(c.feedback for c in item.choices if c.correct) if isinstance(item, Quiz) else item.feedback.right
        )
        assert text_of(explanation) in row


def test_a_finished_module_is_read_again_without_a_new_attempt(client, app, login, make_user, content, lrs_auth):
    user = make_user(Role.PATIENT)
    login(user)
    finish(client)
    with app.app_context():
        attempt = db.session.query(Attempt).one()
        attempt_id, registration = attempt.id, attempt.registration
    before = client.get("/xapi/statements", query_string={"limit": 500}, headers=lrs_auth).json["statements"]

    detail = client.get(f"{MODULE}/").get_data(as_text=True)
    assert f"{MODULE}/read-again/{attempt_id}/step/1" in detail
    for number in (1, 2, 2, 3):
        page = client.get(f"{MODULE}/read-again/{attempt_id}/step/{number}")
        assert page.status_code == 200
        assert DOCUMENT.steps[number - 1].title in page.get_data(as_text=True)
    quiz_step = next(step for step in DOCUMENT.steps if step.items and not isinstance(step.items[0], Likert))
    shown = client.get(f"{MODULE}/read-again/{attempt_id}/step/{quiz_step.number}").get_data(as_text=True)
    assert 'class="item review-row"' in shown
    assert f"/item/{quiz_step.items[0].id}" not in shown  # nothing to answer: no new attempt can start here

    after = client.get("/xapi/statements", query_string={"limit": 500}, headers=lrs_auth).json["statements"]
    new = [s for s in after if s["id"] not in {b["id"] for b in before}]
    assert sorted(int(s["object"]["id"].rsplit("/", 1)[1]) for s in new) == sorted([1, 2, 3, quiz_step.number])
    assert {s["verb"]["id"].rsplit("/", 1)[1] for s in new} == {"experienced"}
    assert {s["context"]["registration"] for s in new} == {registration}
    assert (
        len({s["context"]["extensions"]["https://w3id.org/xapi/cmi5/context/extensions/sessionid"] for s in new}) == 1
    )
    with app.app_context():
        assert db.session.query(Attempt).count() == 1


def test_someone_elses_or_an_open_attempt_cannot_be_read_again(client, app, login, make_user, content):
    login(make_user(Role.PATIENT))
    finish(client)
    with app.app_context():
        attempt_id = db.session.query(Attempt).one().id
    login(make_user(Role.PATIENT))
    assert client.get(f"{MODULE}/read-again/{attempt_id}/step/1").status_code == 404
    assert client.get(f"{MODULE}/result/{attempt_id}").status_code == 404
    client.post(f"{MODULE}/start", data={"csrf_token": csrf_token(client, f"{MODULE}/")})
    with app.app_context():
        open_id = db.session.query(Attempt).filter(Attempt.finished_at.is_(None)).one().id
    assert client.get(f"{MODULE}/read-again/{open_id}/step/1").status_code == 404

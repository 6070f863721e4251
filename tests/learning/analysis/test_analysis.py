"""The item analysis from real statements: built with the platform's own builders, posted to our LRS over
/xapi, read back through the LMS's xAPI reader. Every expected figure is worked out by hand from the answers
tabled in tests/analysis_helpers.py (8 learners on version 1.0.0, 4 on 1.1.0).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from analysis_helpers import SLUG, START, Journey, post_journeys, write_module
from helpers import FIXTURE_APPROVER, log_in

from learning.accounts.models import Role
from learning.analysis import figures as figures_module
from learning.analysis.figures import figures
from learning.analysis.records import Answer, Tally
from learning.analysis.services import analyse
from learning.content.services import get_document, get_module, get_module_text, load_content


@pytest.fixture
def recorded(app, client, lrs_auth, tmp_path: Path):
    """The module stored in two versions (1.0.0, then 1.1.0), and the statements above in the LRS."""
    root = tmp_path / "content"
    with app.app_context():
        write_module(root, "1.0.0")
        load_content(root, FIXTURE_APPROVER)
        write_module(root, "1.1.0")
        load_content(root, FIXTURE_APPROVER)
    post_journeys(client, lrs_auth, root)
    return app


def analysis_of(app, version: str):
    with app.test_request_context():
        found = analyse(get_module(SLUG), version, "nl")
        assert found is not None
        return found


def test_counts_steps_and_time_per_step_of_one_version(recorded):
    found = analysis_of(recorded, "1.0.0").figures
    assert (found.hidden, found.started, found.completed, found.passed) == (False, 8, 6, 4)
    steps = {s.number: s for s in found.steps}
    assert [(s.reached, s.stopped) for s in found.steps] == [(8, 0), (8, 2), (6, 0)]
    assert steps[1].median_seconds == 60
    assert steps[2].median_seconds == 50  # median of 30, 40, 50, 60, 70: L5's break and L6, L7 are not timed
    assert steps[3].median_seconds == 120
    assert found.steepest is not None
    assert found.steepest.number == 2


def test_first_try_share_and_most_chosen_wrong_answer_per_type(recorded):
    questions = {q.id: q for q in analysis_of(recorded, "1.0.0").figures.questions}
    quiz = questions["wie-bellen"]  # L0's later wrong answer is not a first try
    assert (quiz.answered, quiz.right, quiz.wrong.parts, quiz.wrong.count) == (8, 3, ("Bel de huisarts",), 3)
    order = questions["volgorde"]
    assert (order.right, order.wrong.parts, order.wrong.count) == (
        4,
        ("Doe de band om", "Rust uit", "Druk op start"),
        3,
    )
    pairs = questions["paren"]  # two wrong pairs were made twice each; the tie goes to the first in order
    assert (pairs.answered, pairs.right, pairs.wrong.parts, pairs.wrong.count) == (
        6,
        3,
        ("Koude handen", "Haal het eraf"),
        2,
    )
    true_false = questions["alles-sturen"]
    assert (true_false.right, true_false.wrong.parts, true_false.wrong.count) == (5, ("false",), 1)
    typed = questions["uren"]
    assert (typed.right, typed.variants, typed.wrong.count) == (4, (("72", 3), ("72 uur", 1)), 2)
    assert analysis_of(recorded, "1.0.0").figures.hardest.id == "wie-bellen"  # 3 of 8 is the lowest share


def test_confidence_before_and_after_and_relevance(recorded):
    surveys = {s.id: s for s in analysis_of(recorded, "1.0.0").figures.surveys}
    confidence = surveys["confidence-meten"]
    assert confidence.before_mean == pytest.approx(19 / 8)
    assert confidence.mean == pytest.approx(23 / 6)
    assert (confidence.pairs, confidence.gain) == (6, pytest.approx(10 / 6))
    assert surveys["relevance-meten"].agree_share == pytest.approx(4 / 6)
    assert "pre-confidence-meten" not in surveys  # shown beside its 'after' twin


def test_a_version_with_fewer_than_5_learners_is_hidden_and_versions_never_mix(recorded, client, login, make_user):
    newer = analysis_of(recorded, "1.1.0").figures
    assert newer.hidden
    assert newer.steps == ()
    assert newer.questions == ()
    assert figures_module.MIN_LEARNERS == 5
    login(make_user(Role.REVIEWER))
    html = client.get(f"/author/modules/{SLUG}/analysis?version=1.1.0").get_data(as_text=True)
    assert "Minder dan 5" in html
    assert "kozen eerst" not in html
    html = client.get(f"/author/modules/{SLUG}/analysis?version=1.0.0").get_data(as_text=True)
    assert "3 van de 8 kozen eerst “Bel de huisarts”" in html


def test_a_small_group_inside_a_shown_version_is_hidden(recorded):
    """6 learners started, but only 4 answered one question: that question says nothing, not even its right share."""
    with recorded.app_context():
        document = get_document(get_module_text(get_module(SLUG), "1.0.0", "nl"))
    first = Answer(START, "left-0[.]right-0[,]left-1[.]right-1[,]left-2[.]right-2", True)
    tally = Tally(
        "1.0.0", started={f"l{n}" for n in range(6)}, first_answers={"paren": {f"l{n}": first for n in range(4)}}
    )
    questions = {q.id: q for q in figures(tally, document).questions}
    assert questions["paren"].hidden
    assert questions["paren"].right == 0
    assert figures(Tally("1.0.0", started={f"l{n}" for n in range(4)}), document).hidden


def test_edit_opens_the_question_on_its_line_in_a_new_draft(recorded, client, login, make_user):
    from helpers import csrf_token

    login(make_user(Role.AUTHOR))
    token = csrf_token(client, f"/author/modules/{SLUG}/analysis")
    response = client.post(f"/author/modules/{SLUG}/analysis/edit", data={"target": "item-uren", "csrf_token": token})
    assert response.status_code == 302
    match = re.search(r"/author/drafts/(\d+)/nl#line-(\d+)$", response.headers["Location"])
    assert match is not None, response.headers["Location"]
    source = client.get(f"/author/drafts/{match.group(1)}/nl").get_data(as_text=True)
    assert "id: uren" in source
    with recorded.app_context():
        from learning.analysis.services import draft_lines, open_draft

        draft = open_draft(SLUG)
        assert draft is not None
        assert draft.id == int(match.group(1))
        text = draft.files[[f.path for f in draft.files].index("nl.md")].data.decode().splitlines()
        assert text[int(match.group(2)) - 1] == "id: uren"
        assert draft_lines(draft, "nl")[2]["uren"] == int(match.group(2))


def test_an_lrs_that_cannot_be_read_is_said_in_the_page(make_app, make_user, tmp_path: Path):
    from helpers import PASSWORD

    lms = make_app(LRS_ENDPOINT="http://127.0.0.1:9/xapi/", LRS_KEY="k", LRS_SECRET="s", LRS_TIMEOUT=1.0)
    with lms.app_context():
        write_module(tmp_path, "1.0.0")
        load_content(tmp_path, FIXTURE_APPROVER)
    reviewer = make_user(Role.REVIEWER)
    browser = lms.test_client()
    assert log_in(browser, reviewer.email, PASSWORD, lms).status_code == 302  # with a real code: staff
    response = browser.get(f"/author/modules/{SLUG}/analysis")
    assert response.status_code == 503
    assert 'role="alert"' in response.get_data(as_text=True)
    assert "niet te lezen" in response.get_data(as_text=True)


def test_later_statements_are_added_once_a_minute_and_counted_once(recorded, client, lrs_auth):
    with recorded.app_context():
        items = {i.id: i for s in get_document(get_module_text(get_module(SLUG), "1.0.0", "nl")).steps for i in s.items}
    assert analysis_of(recorded, "1.0.0").figures.started == 8
    late = Journey(items, 50, "1.0.0", START + timedelta(days=5))
    late.step(1)
    late.answer("wie-bellen", "1", True)
    assert client.post("/xapi/statements", json=late.statements, headers=lrs_auth).status_code == 200
    assert analysis_of(recorded, "1.0.0").figures.started == 8  # within the minute: what was read stays
    recorded.config["ANALYSIS_REFRESH_SECONDS"] = 0
    for _ in range(2):  # read since the newest statement seen: the new learner once, nobody twice
        found = analysis_of(recorded, "1.0.0").figures
        quiz = next(q for q in found.questions if q.id == "wie-bellen")
        assert (found.started, quiz.answered, quiz.right) == (9, 9, 4)

"""The item analysis from real statements: built with the platform's own builders, posted to our LRS over
/xapi, read back through the LMS's xAPI reader. Every expected figure is worked out by hand from the table below.

Version 1.0.0, 8 learners (L0-L7). L0-L5 finish (L0-L3 pass); L6 and L7 stop after step 2. L5 pauses 2 hours on
step 2 (a break, not reading time). L0 takes the module again later and answers the first question wrong: a second
try, which must not count.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from analysis_helpers import SLUG, write_module
from helpers import FIXTURE_APPROVER

from learning.accounts.models import Role
from learning.analysis import figures as figures_module
from learning.analysis.figures import figures
from learning.analysis.records import Answer, Tally
from learning.analysis.services import analyse
from learning.content.document import Item
from learning.content.loader import load_module_folder
from learning.content.services import get_document, get_module, get_module_text, load_content
from learning.tracking import interactions
from learning.tracking import statements as xapi

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
# learner -> first answers in LMS form (judging.py), and whether each is right
QUIZ = ["1", "1", "1", "0", "0", "2", "0", "0,2"]  # choice-1 is right; choice-0 is "Bel de huisarts"
ORDER = ["0,1,2", "0,1,2", "0,1,2", "0,1,2", "1,0,2", "1,0,2", "2,1,0", "1,0,2"]
PAIRS = ["0,1,2", "0,1,2", "0,1,2", "1,0,2", "1,0,2", "0,2,1"]  # L0-L5 only: L6, L7 never reach step 3
TRUE_FALSE = ["true", "true", "true", "true", "true", "false"]
TYPED = [("72", True), ("72", True), ("72 uur", True), ("72", True), ("", False), ("", False)]
PRE = [2, 2, 3, 1, 2, 3, 4, 2]
POST = [4, 4, 4, 3, 3, 5]
RELEVANCE = [5, 4, 2, 4, 3, 5]
STEP_2_SECONDS = [30, 40, 50, 60, 70, 7200]  # L5's two hours are a break


class Journey:
    """One attempt of one learner, as the player reports it."""

    def __init__(self, items: dict[str, Item], learner: int, version: str, start: datetime) -> None:
        self.items, self.at, self.statements = items, start, []
        self.ctx = xapi.LearningContext(
            base_iri="https://vtc.test", actor_home="https://vtc.test/org/test", actor_name=f"learner-{learner}",
            audience="professional", module_slug=SLUG, module_titles={"nl": "Oefenen met meten"},
            module_version=version, registration=str(uuid.uuid4()), session_id=str(uuid.uuid4()), language="nl",
            mastery_score=0.75,
        )  # fmt: skip
        self.statements += [xapi.module_event(self.ctx, "launched", timestamp=start),
                            xapi.module_event(self.ctx, "initialized", timestamp=start)]  # fmt: skip

    def step(self, number: int, after: float = 0) -> None:
        self.at += timedelta(seconds=after)
        self.statements.append(xapi.experienced_step(self.ctx, number, {"nl": f"Stap {number}"}, self.at))

    def answer(self, item_id: str, stored: str, correct: bool | None) -> None:
        self.at += timedelta(seconds=5)
        item = self.items[item_id]
        self.statements.append(interactions.answered(self.ctx, {"nl": item}, stored, correct, timestamp=self.at))

    def finish(self, after: float, passed: bool) -> None:
        self.at += timedelta(seconds=after)
        self.statements += xapi.completion(self.ctx, scaled=0.8 if passed else 0.4, duration=timedelta(minutes=5),
                                           timestamp=self.at)  # fmt: skip


def journeys(items: dict[str, Item]) -> list[dict]:
    made = []
    for learner in range(8):
        trip = Journey(items, learner, "1.0.0", START + timedelta(hours=learner))
        trip.step(1)
        trip.answer("pre-confidence-meten", str(PRE[learner]), None)
        trip.step(2, after=55)  # 5 s answering + 55 s: every learner spends 60 s on step 1
        trip.answer("wie-bellen", QUIZ[learner], QUIZ[learner] == "1")
        trip.answer("volgorde", ORDER[learner], ORDER[learner] == "0,1,2")
        if learner < 6:
            trip.step(3, after=STEP_2_SECONDS[learner] - 10)
            trip.answer("paren", PAIRS[learner], PAIRS[learner] == "0,1,2")
            trip.answer("alles-sturen", TRUE_FALSE[learner], TRUE_FALSE[learner] == "true")
            trip.answer("uren", *TYPED[learner])
            trip.answer("confidence-meten", str(POST[learner]), None)
            trip.answer("relevance-meten", str(RELEVANCE[learner]), None)
            trip.finish(after=95, passed=learner < 4)  # 5 answers of 5 s + 95 s: 120 s on step 3
        made += trip.statements
    again = Journey(items, 0, "1.0.0", START + timedelta(days=2))  # L0's second attempt: wrong, and not counted
    again.step(1)
    again.step(2, after=20)
    again.answer("wie-bellen", "0", False)
    made += again.statements
    for learner in range(4):  # version 1.1.0: only 4 learners, each right at once
        other = Journey(items, 100 + learner, "1.1.0", START + timedelta(days=3, hours=learner))
        other.step(1)
        other.step(2, after=30)
        other.answer("wie-bellen", "1", True)
        made += other.statements
    return made


@pytest.fixture
def recorded(app, client, lrs_auth, tmp_path: Path):
    """The module stored in two versions (1.0.0, then 1.1.0), and the statements above in the LRS."""
    root = tmp_path / "content"
    with app.app_context():
        write_module(root, "1.0.0")
        load_content(root, FIXTURE_APPROVER)
        write_module(root, "1.1.0")
        load_content(root, FIXTURE_APPROVER)
    items = {item.id: item for step in load_module_folder(root / SLUG)["nl"].steps for item in step.items}
    statements = journeys(items)
    for start in range(0, len(statements), 100):
        response = client.post("/xapi/statements", json=statements[start : start + 100], headers=lrs_auth)
        assert response.status_code == 200, response.get_data(as_text=True)
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

"""The module parser on real files: what a valid module becomes, and file + line + message for every mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from learning.content.document import Likert, ModuleDocument, Quiz, Source
from learning.content.hyphenation import strip_soft_hyphens
from learning.content.loader import ContentError, Problem, load_module_folder, parse_module_file


def problems_of(call, *args, **kwargs) -> list[Problem]:
    with pytest.raises(ContentError) as caught:
        call(*args, **kwargs)
    problems = caught.value.problems
    assert problems, "a ContentError must carry at least one problem"
    assert str(caught.value) == "\n".join(str(p) for p in problems)
    return problems


def only_problem(path: Path) -> Problem:
    problems = problems_of(parse_module_file, path)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def write_nl(write_module, text: str, **kwargs) -> Path:
    return write_module(nl=text, en=None, **kwargs) / "nl.md"


# --- a valid module -------------------------------------------------------------------------------------------


def test_valid_module_parses_into_steps_items_and_metadata(write_module):
    folder = write_module()
    doc = parse_module_file(folder / "nl.md")

    assert isinstance(doc, ModuleDocument)
    assert (doc.slug, doc.language) == ("weeg-test", "nl")
    assert doc.title == "Weeg je elke dag"
    assert doc.summary == "Hoe en wanneer je jezelf weegt."
    assert doc.audiences == ("patient", "caregiver")
    assert (doc.minutes, doc.version, doc.mastery_score, doc.review) == (5, "1.0.0", 0.5, "pending")
    assert doc.objectives == ("Je kunt jezelf elke ochtend goed wegen.",)
    assert doc.sources == (
        Source(
            "Heart Failure Matters: Weight gain",
            "https://www.heartfailurematters.org/en_GB/Understanding-heart-failure/Weight-gain",
        ),
        Source("Jaarsma T, et al. Self-care of heart failure patients. Eur J Heart Fail. 2021;23(1):157-174.", ""),
    )
    assert doc.media == ("weegschaal.svg",)

    assert [(s.number, s.title) for s in doc.steps] == [
        (1, "Weeg elke ochtend"),
        (2, "Test je kennis"),
        (3, "Tot slot"),
    ]
    assert "<strong>Weeg jezelf elke ochtend.</strong>" in strip_soft_hyphens(doc.steps[0].html)
    assert doc.steps[0].items == ()
    # quiz and likert blocks become items, not HTML
    assert "when-to-weigh" not in doc.steps[1].html
    assert "```" not in "".join(s.html for s in doc.steps)

    first, second = doc.steps[1].items
    assert isinstance(first, Quiz)
    assert isinstance(second, Quiz)
    assert first.id == "when-to-weigh"
    assert first.question == "Wanneer weeg je jezelf?"
    assert [c.text for c in first.choices] == ["'s Ochtends, vóór het ontbijt", "'s Avonds na het eten"]
    # the player says "✓ Goed." itself: the author's own "Goed." is taken off, or it is read twice
    assert first.choices[0].feedback == "Dan kun je de dagen vergelijken."
    assert first.correct_indexes == (0,)
    assert second.correct_indexes == (1, 2)  # "choose all that apply"

    (likert,) = doc.steps[2].items
    assert isinstance(likert, Likert)
    assert likert.question == "Ik weet hoe ik mezelf elke ochtend goed weeg."
    assert doc.item_ids == ("when-to-weigh", "who-to-call", "confidence-weighing")
    assert doc.quizzes == (first, second)
    assert doc.item("who-to-call") is second
    assert doc.item("nope") is None


def test_valid_folder_gives_both_languages(write_module):
    documents = load_module_folder(write_module())

    assert set(documents) == {"nl", "en"}
    assert documents["en"].title == "Weigh yourself every day"
    assert documents["en"].language == "en"
    assert documents["en"].item_ids == documents["nl"].item_ids
    assert "Tip" in documents["en"].steps[0].html


def test_module_with_only_dutch_is_valid(write_module):
    assert set(load_module_folder(write_module(en=None))) == {"nl"}


def test_mastery_score_is_optional_and_defaults(write_module, nl_text):
    path = write_nl(write_module, nl_text.replace("mastery_score: 0.5\n", ""))
    assert parse_module_file(path).mastery_score == 0.7


def test_stored_revision_is_parsed_without_looking_for_media_on_disk(tmp_path, nl_text):
    # a stored text is parsed as if it were the file: pictures are not looked up (the folder may be gone)
    doc = parse_module_file(tmp_path / "weeg-test" / "nl.md", text=nl_text)
    assert doc.media == ("weegschaal.svg",)
    assert doc.item_ids == ("when-to-weigh", "who-to-call", "confidence-weighing")


def test_crlf_line_endings_parse_and_count_lines_the_same(write_module, nl_text, line_of):
    text = nl_text.replace("::: tip", "::: foo")
    path = write_nl(write_module, text.replace("\n", "\r\n"))
    problem = only_problem(path)
    assert problem.line == line_of(text, "::: foo")


# --- body problems: file, line and message -------------------------------------------------------------------


def test_missing_alt_text(write_module, nl_text, line_of):
    text = nl_text.replace("![Een weegschaal op een harde vloer.](weegschaal.svg)", "![](weegschaal.svg)")
    path = write_nl(write_module, text)
    problem = only_problem(path)
    assert problem.path == str(path)
    assert problem.line == line_of(text, "![](weegschaal.svg)")
    assert "weegschaal.svg" in problem.message
    assert "no alt text" in problem.message


def test_image_file_that_does_not_exist(write_module, nl_text, line_of):
    text = nl_text.replace("(weegschaal.svg)", "(weegschaal-oud.svg)")
    path = write_nl(write_module, text)
    problem = only_problem(path)
    assert problem.path == str(path)
    assert problem.line == line_of(text, "weegschaal-oud.svg")
    assert problem.message == "image 'weegschaal-oud.svg' does not exist in the module folder"


@pytest.mark.parametrize(
    "src", ["../andere-module/weegschaal.svg", "/etc/passwd", "media/weegschaal.svg", ".weegschaal.svg"]
)
def test_image_outside_the_module_folder_is_refused(write_module, nl_text, line_of, src):
    text = nl_text.replace("(weegschaal.svg)", f"({src})")
    problem = only_problem(write_nl(write_module, text))
    assert problem.line == line_of(text, src)
    assert "does not exist in the module folder" in problem.message


def test_image_from_the_web_is_refused(write_module, nl_text, line_of):
    text = nl_text.replace("(weegschaal.svg)", "(https://example.org/weegschaal.png)")
    problem = only_problem(write_nl(write_module, text))
    assert problem.line == line_of(text, "https://example.org/weegschaal.png")
    assert "not a web address" in problem.message


def test_image_problem_on_a_later_line_of_a_paragraph_names_that_line(write_module, nl_text, line_of):
    # regression: the line used to be the paragraph's first line
    text = nl_text.replace(
        "![Een weegschaal op een harde vloer.](weegschaal.svg)",
        "Kijk naar het plaatje.\nHier is het:\n![](weegschaal.svg)",
    )
    problem = only_problem(write_nl(write_module, text))
    assert problem.line == line_of(text, "![](weegschaal.svg)")
    assert "no alt text" in problem.message


def test_image_problem_in_a_list_and_a_quote_names_its_own_line(write_module, nl_text, line_of):
    text = nl_text.replace(
        "![Een weegschaal op een harde vloer.](weegschaal.svg)",
        "- Eerst dit.\n  Dan dit: ![](weegschaal.svg)\n\n> Let op.\n> ![Weegschaal](kwijt.svg)",
    )
    problems = problems_of(parse_module_file, write_nl(write_module, text))
    assert [(p.line, p.message) for p in problems] == [
        (
            line_of(text, "![](weegschaal.svg)"),
            "image 'weegschaal.svg' has no alt text: describe what the picture shows",
        ),
        (line_of(text, "kwijt.svg"), "image 'kwijt.svg' does not exist in the module folder"),
    ]


def test_quiz_without_a_correct_answer(write_module, nl_text, line_of):
    text = nl_text.replace("    correct: true\n", "", 1)
    path = write_nl(write_module, text)
    problem = only_problem(path)
    assert problem.path == str(path)
    assert problem.line == line_of(text, "```quiz", occurrence=1)
    assert "when-to-weigh" in problem.message
    assert "no correct answer" in problem.message
    assert "correct: true" in problem.message


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("id: q1\nchoices:\n  - text: a\n    correct: true\n  - text: b", "needs a 'question'"),
        ("id: q1\nquestion: Q?\nchoices:\n  - text: a\n    correct: true", "2 to 5 choices"),
        ("id: q1\nquestion: Q?\nchoices:\n  - text: a\n    correct: true\n  - nope", "each quiz choice needs a 'text'"),
        ("question: Q?\nchoices:\n  - text: a\n    correct: true\n  - text: b", "needs an 'id'"),
        ("id: Q 1\nquestion: Q?\nchoices:\n  - text: a\n    correct: true\n  - text: b", "needs an 'id'"),
    ],
)
def test_malformed_quiz_block(write_module, nl_text, line_of, block, message):
    text = nl_text.replace("## Tot slot\n", f"## Tot slot\n\n```quiz\n{block}\n```\n")
    problem = only_problem(write_nl(write_module, text))
    assert problem.line == line_of(text, "```quiz", occurrence=3)
    assert message in problem.message


def test_likert_without_question(write_module, nl_text, line_of):
    text = nl_text.replace('question: "Ik weet hoe ik mezelf elke ochtend goed weeg."', "vraag: x")
    problem = only_problem(write_nl(write_module, text))
    assert problem.line == line_of(text, "```likert")
    assert "likert block needs a 'question'" in problem.message


def test_invalid_yaml_in_a_quiz_names_the_offending_line(write_module, nl_text, line_of):
    # regression: the fence line was reported and the message carried a line number relative to the block
    text = nl_text.replace('    feedback: "Nee. Weeg jezelf \'s ochtends."', "   feedback: [kapot")
    problem = only_problem(write_nl(write_module, text))
    assert problem.line == line_of(text, "   feedback: [kapot")
    assert problem.message.startswith("the quiz block is not valid YAML")
    assert "\n" not in problem.message
    assert "<unicode string>" not in problem.message


def test_unknown_container_block(write_module, nl_text, line_of):
    text = nl_text.replace("::: tip", "::: foo")
    path = write_nl(write_module, text)
    problem = only_problem(path)
    assert problem.path == str(path)
    assert problem.line == line_of(text, "::: foo")
    assert "'::: foo'" in problem.message
    for known in ("tip", "warning", "call", "summary"):
        assert known in problem.message


def test_unknown_fenced_block(write_module, nl_text, line_of):
    text = nl_text.replace("::: tip", "```foo\nprint('hoi')\n```\n\n::: tip")
    path = write_nl(write_module, text)
    problem = only_problem(path)
    assert problem.path == str(path)
    assert problem.line == line_of(text, "```foo")
    assert "'```foo'" in problem.message
    assert all(name in problem.message for name in ("quiz", "likert", "video"))  # says which blocks exist


def test_raw_html_block(write_module, nl_text, line_of):
    text = nl_text.replace("::: tip", '<div class="x">hallo</div>\n\n::: tip')
    path = write_nl(write_module, text)
    problem = only_problem(path)
    assert problem.path == str(path)
    assert problem.line == line_of(text, '<div class="x">')
    assert "raw HTML is not allowed" in problem.message


def test_raw_inline_html_on_a_later_line_of_a_paragraph(write_module, nl_text, line_of):
    # regression: the line used to be the paragraph's first line
    text = nl_text.replace("**Weeg jezelf elke ochtend.**", "Eerste regel.\nTweede regel met <b>vet</b>.\n")
    problem = only_problem(write_nl(write_module, text))
    assert problem.line == line_of(text, "<b>vet</b>")
    assert "raw HTML" in problem.message


def test_raw_html_in_a_callout_and_a_list(write_module, nl_text, line_of):
    text = nl_text.replace(
        "Zet de weegschaal op een harde vloer.", "Zet de weegschaal <em>hier</em>.\n\n- een\n- twee <br>"
    )
    problems = problems_of(parse_module_file, write_nl(write_module, text))
    assert sorted(p.line for p in problems) == [line_of(text, "<em>hier</em>"), line_of(text, "- twee <br>")]
    assert all("raw HTML" in p.message for p in problems)


def test_text_before_the_first_step(write_module, nl_text, line_of):
    text = nl_text.replace("## Weeg elke ochtend", "Welkom bij deze module!\n\n## Weeg elke ochtend")
    path = write_nl(write_module, text)
    problem = only_problem(path)
    assert problem.path == str(path)
    assert problem.line == line_of(text, "Welkom bij deze module!")
    assert "before the first step" in problem.message
    assert "'## '" in problem.message


def test_mastery_score_without_quiz_names_its_line(write_module, nl_text, line_of):
    text = nl_text.split("## Test je kennis", 1)[0]
    problem = only_problem(write_nl(write_module, text))
    assert problem.line == line_of(text, "mastery_score:")
    assert problem.message == "'mastery_score' is set but the module has no quiz"


def test_module_without_steps(write_module, nl_text):
    front = nl_text.split("\n## ", 1)[0] + "\n"
    problems = problems_of(parse_module_file, write_nl(write_module, front.replace("mastery_score: 0.5\n", "")))
    assert [p.message for p in problems] == ["a module needs at least one step ('## ' heading)"]


def test_duplicate_item_ids_name_the_second_block(write_module, nl_text, line_of):
    # regression: reported at line 1 instead of at the block that reuses the id
    text = nl_text.replace("id: confidence-weighing", "id: when-to-weigh")
    path = write_nl(write_module, text)
    problem = only_problem(path)
    assert problem.path == str(path)
    assert problem.line == line_of(text, "```likert")
    assert "'when-to-weigh'" in problem.message
    assert "used twice" in problem.message


# --- front matter ---------------------------------------------------------------------------------------------

FRONT_MATTER_CASES = [
    # (id, old line, new line or "" to delete, key, message fragment)
    ("title-missing", "title: Weeg je elke dag\n", "", "title", "'title' is required"),
    ("title-empty", "title: Weeg je elke dag\n", 'title: ""\n', "title", "'title' is required"),
    ("title-not-text", "title: Weeg je elke dag\n", "title: [a, b]\n", "title", "'title' is required"),
    ("summary-missing", 'summary: "Hoe en wanneer je jezelf weegt."\n', "", "summary", "'summary'"),
    ("audience-missing", "audience: [patient, caregiver]\n", "", "audience", "'audience' must be a list"),
    ("audience-unknown", "audience: [patient, caregiver]\n", "audience: [patient, doctor]\n", "audience", "'audience'"),
    ("audience-text", "audience: [patient, caregiver]\n", "audience: patient\n", "audience", "'audience'"),
    ("audience-empty", "audience: [patient, caregiver]\n", "audience: []\n", "audience", "'audience'"),
    (
        "audience-mappings",  # regression: crashed with TypeError (unhashable dict)
        "audience: [patient, caregiver]\n",
        "audience:\n  - patient: yes\n",
        "audience",
        "'audience' must be a list",
    ),
    ("minutes-missing", "minutes: 5\n", "", "minutes", "'minutes' must be a whole number from 1 to 30"),
    ("minutes-zero", "minutes: 5\n", "minutes: 0\n", "minutes", "'minutes'"),
    ("minutes-too-many", "minutes: 5\n", "minutes: 31\n", "minutes", "'minutes'"),
    ("minutes-fraction", "minutes: 5\n", "minutes: 5.5\n", "minutes", "'minutes'"),
    ("minutes-text", "minutes: 5\n", "minutes: vijf\n", "minutes", "'minutes'"),
    ("minutes-boolean", "minutes: 5\n", "minutes: true\n", "minutes", "'minutes'"),  # regression: true == 1
    ("version-missing", "version: 1.0.0\n", "", "version", "'version' must be a version like 1.0.0"),
    ("version-two-parts", "version: 1.0.0\n", "version: 1.0\n", "version", "'version'"),
    ("version-prefixed", "version: 1.0.0\n", "version: v1.0.0\n", "version", "'version'"),
    ("version-four-parts", "version: 1.0.0\n", "version: 1.0.0.1\n", "version", "'version'"),
    ("mastery-too-high", "mastery_score: 0.5\n", "mastery_score: 1.5\n", "mastery_score", "'mastery_score'"),
    ("mastery-boolean", "mastery_score: 0.5\n", "mastery_score: true\n", "mastery_score", "'mastery_score'"),
    ("review-unknown", "review: pending\n", "review: done\n", "review", "'review' must be 'pending' or 'reviewed'"),
    (
        "objectives-missing",
        "objectives:\n  - Je kunt jezelf elke ochtend goed wegen.\n",
        "",
        "objectives",
        "'objectives'",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "key", "message"), [case[1:] for case in FRONT_MATTER_CASES], ids=[c[0] for c in FRONT_MATTER_CASES]
)
def test_front_matter_key_problems(write_module, nl_text, line_of, old, new, key, message):
    assert old in nl_text
    text = nl_text.replace(old, new, 1)
    path = write_nl(write_module, text)
    problem = only_problem(path)
    assert problem.path == str(path)
    assert message in problem.message
    # a missing key is reported at the front matter's opening line, a wrong value at its own line
    assert problem.line == (line_of(text, f"{key}:") if new else 1)


SOURCES_BLOCK = """\
sources:
  - title: "Heart Failure Matters: Weight gain"
    url: https://www.heartfailurematters.org/en_GB/Understanding-heart-failure/Weight-gain
  - title: "Jaarsma T, et al. Self-care of heart failure patients. Eur J Heart Fail. 2021;23(1):157-174."
"""


def test_sources_missing(write_module, nl_text):
    path = write_nl(write_module, nl_text.replace(SOURCES_BLOCK, ""))
    problem = only_problem(path)
    assert problem.line == 1
    assert "'sources' must list at least one source" in problem.message


def test_sources_empty_list(write_module, nl_text, line_of):
    text = nl_text.replace(SOURCES_BLOCK, "sources: []\n")
    problem = only_problem(write_nl(write_module, text))
    assert problem.line == line_of(text, "sources: []")
    assert "at least one source" in problem.message


def test_source_without_title_names_its_entry(write_module, nl_text, line_of):
    text = nl_text.replace(SOURCES_BLOCK, SOURCES_BLOCK + "  - url: https://example.org/zonder-titel\n")
    problem = only_problem(write_nl(write_module, text))
    assert problem.line == line_of(text, "zonder-titel")
    assert "each source needs a 'title'" in problem.message


@pytest.mark.parametrize(
    "url", ['"javascript:alert(1)"', '"data:text/html;base64,PHNjcmlwdD4="', "http://example.org", "www.example.org"]
)
def test_source_url_must_be_https(write_module, nl_text, line_of, url):
    # regression: any url was accepted, and the catalogue page puts it in <a href>, so javascript: ran there
    text = nl_text.replace(
        "    url: https://www.heartfailurematters.org/en_GB/Understanding-heart-failure/Weight-gain",
        f"    url: {url}",
    )
    problem = only_problem(write_nl(write_module, text))
    assert problem.line == line_of(text, f"url: {url}")
    assert "https://" in problem.message


def test_invalid_yaml_front_matter(write_module, nl_text, line_of):
    # regression: besides the YAML error, every key was reported "required" although it was there
    text = nl_text.replace("minutes: 5", "minutes: [5\nfoo: bar: baz")
    path = write_nl(write_module, text)
    problem = only_problem(path)
    assert problem.path == str(path)
    assert problem.line == line_of(text, "foo: bar: baz")
    assert problem.message.startswith("front matter is not valid YAML")
    assert "\n" not in problem.message
    assert "<unicode string>" not in problem.message


def test_front_matter_that_is_not_a_mapping(write_module, nl_text):
    body = nl_text.split("---\n\n", 1)[1]
    problems = problems_of(parse_module_file, write_nl(write_module, "---\n- een lijst\n---\n\n" + body))
    assert (2, "front matter must be a mapping of keys to values") in [(p.line, p.message) for p in problems]


def test_file_without_front_matter(write_module, nl_text):
    body = nl_text.split("---\n\n", 1)[1]
    problems = problems_of(parse_module_file, write_nl(write_module, body))
    assert (problems[0].line, problems[0].message) == (
        1,
        "the file must start with front matter between two '---' lines",
    )


def test_front_matter_not_closed(write_module, nl_text):
    text = nl_text.replace("---\n\n## Weeg", "\n## Weeg", 1)
    problems = problems_of(parse_module_file, write_nl(write_module, text))
    assert (1, "front matter is not closed with a '---' line") in [(p.line, p.message) for p in problems]


def test_folder_and_file_names_are_checked(write_module, nl_text):
    folder = write_module("Weeg_Test", en=None)
    (folder / "de.md").write_text(nl_text, encoding="utf-8")
    messages = [p.message for p in problems_of(parse_module_file, folder / "de.md")]
    assert any("file name must be a language code" in m for m in messages)
    assert any("folder name 'Weeg_Test'" in m for m in messages)


# --- several problems at once ----------------------------------------------------------------------------------


def test_all_problems_of_a_file_are_reported_at_once(write_module, nl_text, line_of):
    text = (
        nl_text.replace("minutes: 5", "minutes: 45")
        .replace("## Weeg elke ochtend", "Inleiding.\n\n## Weeg elke ochtend")
        .replace("(weegschaal.svg)", "(kwijt.svg)")
        .replace("::: tip", "::: foo")
        .replace("**Weeg jezelf elke ochtend.**", "<b>Weeg jezelf elke ochtend.</b>")
        .replace("    correct: true\n", "", 1)
        .replace("id: confidence-weighing", "id: who-to-call")
    )
    path = write_nl(write_module, text)
    problems = problems_of(parse_module_file, path)
    assert {p.path for p in problems} == {str(path)}
    expected = [
        (line_of(text, "minutes: 45"), "front matter 'minutes' must be a whole number from 1 to 30"),
        (line_of(text, "Inleiding."), "text before the first step"),
        (line_of(text, "kwijt.svg"), "image 'kwijt.svg' does not exist in the module folder"),
        (line_of(text, "::: foo"), "unknown block '::: foo'"),
        (line_of(text, "<b>Weeg"), "raw HTML is not allowed in module text (it is shown as text)"),
        (line_of(text, "```quiz"), "quiz 'when-to-weigh' has no correct answer"),
        (line_of(text, "```likert"), "block id 'who-to-call' is used twice; ids must be unique within a module"),
    ]
    for line, start in expected:
        assert any(p.line == line and p.message.startswith(start) for p in problems), (line, start, problems)
    assert len(problems) == len(expected), [str(p) for p in problems]


def test_problems_of_both_languages_are_reported_together(write_module, nl_text, en_text, line_of):
    nl = nl_text.replace("::: tip", "::: foo")
    en = en_text.replace("(weegschaal.svg)", "(gone.svg)")
    folder = write_module(nl=nl, en=en)
    problems = problems_of(load_module_folder, folder)
    assert {(p.path, p.line) for p in problems} == {
        (str(folder / "nl.md"), line_of(nl, "::: foo")),
        (str(folder / "en.md"), line_of(en, "gone.svg")),
    }


# --- the folder: languages must match -------------------------------------------------------------------------


def test_missing_dutch_version(write_module):
    folder = write_module(nl=None)
    problems = problems_of(load_module_folder, folder)
    assert [(p.path, p.line) for p in problems] == [(str(folder), 1)]
    assert "nl.md" in problems[0].message


def test_english_with_fewer_steps(write_module, en_text):
    en = en_text.replace("## Finally\n\n", "")
    folder = write_module(en=en)
    problems = problems_of(load_module_folder, folder)
    assert [(p.path, p.line, p.message) for p in problems] == [
        (str(folder / "en.md"), 1, "has 2 steps but nl.md has 3")
    ]


def test_english_with_other_ids(write_module, en_text):
    folder = write_module(en=en_text.replace("id: who-to-call", "id: whom-to-call"))
    problems = problems_of(load_module_folder, folder)
    assert [(p.path, p.line) for p in problems] == [(str(folder / "en.md"), 1)]
    assert "ids differ from nl.md" in problems[0].message


def test_english_with_ids_in_another_order(write_module, en_text):
    swapped = en_text.replace("id: when-to-weigh", "id: TMP").replace("id: who-to-call", "id: when-to-weigh")
    folder = write_module(en=swapped.replace("id: TMP", "id: who-to-call"))
    problems = problems_of(load_module_folder, folder)
    assert any("ids differ from nl.md" in p.message for p in problems)


def test_english_with_another_version(write_module, en_text):
    folder = write_module(en=en_text.replace("version: 1.0.0", "version: 1.0.1"))
    problems = problems_of(load_module_folder, folder)
    assert [(p.path, p.line, p.message) for p in problems] == [
        (str(folder / "en.md"), 1, "version 1.0.1 differs from nl.md's 1.0.0")
    ]


def test_english_with_another_audience(write_module, en_text):
    folder = write_module(en=en_text.replace("audience: [patient, caregiver]", "audience: [patient]"))
    problems = problems_of(load_module_folder, folder)
    assert [p.message for p in problems] == ["audience differs from nl.md"]


def test_english_with_an_item_in_another_step(write_module, en_text):
    # README §7: same ids "in the same steps"; here the step count and the id order stay equal
    likert = (
        '```likert\nid: confidence-weighing\nquestion: "I know how to weigh myself correctly every morning."\n```\n'
    )
    assert likert in en_text
    en = en_text.replace("## Finally\n\n" + likert, likert + "\n## Finally\n\nWell done.\n")
    folder = write_module(en=en)
    problems = problems_of(load_module_folder, folder)
    assert [(p.path, p.line) for p in problems] == [(str(folder / "en.md"), 1)]
    assert "'confidence-weighing'" in problems[0].message
    assert "step 2" in problems[0].message
    assert "step 3" in problems[0].message


def test_english_with_the_right_answer_in_another_position(write_module, en_text):
    # README §7: "with the right answers in the same positions"
    en = (
        en_text.replace(
            '  - text: "In the morning, before breakfast"\n    correct: true\n',
            '  - text: "In the morning, before breakfast"\n',
        )
        .replace(
            '  - text: "In the evening after dinner"\n',
            '  - text: "In the evening after dinner"\n    correct: true\n',
        )
        .replace("Right. Then", "Then")
        .replace("No. Weigh", "Weigh")
    )  # no "Right." before a wrong answer
    folder = write_module(en=en)
    problems = problems_of(load_module_folder, folder)
    assert [(p.path, p.line) for p in problems] == [(str(folder / "en.md"), 1)]
    assert "'when-to-weigh'" in problems[0].message
    assert "right answers" in problems[0].message


def test_english_with_other_pictures(write_module, en_text):
    # README §7: "the same pictures"
    folder = write_module(
        en=en_text.replace("(weegschaal.svg)", "(scales.svg)"), media=("weegschaal.svg", "scales.svg")
    )
    problems = problems_of(load_module_folder, folder)
    assert [(p.path, p.line) for p in problems] == [(str(folder / "en.md"), 1)]
    assert "scales.svg" in problems[0].message
    assert "weegschaal.svg" in problems[0].message


def test_english_mismatches_are_all_reported(write_module, en_text):
    en = en_text.replace("version: 1.0.0", "version: 2.0.0").replace("id: who-to-call", "id: other")
    folder = write_module(en=en.replace("## Finally\n\n", ""))
    messages = [p.message for p in problems_of(load_module_folder, folder)]
    assert len(messages) == 3
    assert any("steps" in m for m in messages)
    assert any("ids differ" in m for m in messages)
    assert any("version 2.0.0" in m for m in messages)


# --- survey items the metrics pair: 'pre-confidence-x' before 'confidence-x' (README §6) ----------------------

BEFORE = '```likert\nid: pre-confidence-weighing\nquestion: "Ik weet hoe ik mezelf elke ochtend goed weeg."\n```\n'


def test_a_before_question_in_an_opening_step_is_a_likert_item(write_module, nl_text):
    opening = f"## Voordat je begint\n\nHoe zeker ben je nu?\n\n{BEFORE}\n"
    text = nl_text.replace("## Weeg elke ochtend\n", opening + "## Weeg elke ochtend\n")
    doc = parse_module_file(write_nl(write_module, text))
    (before,) = doc.steps[0].items
    assert isinstance(before, Likert)
    assert before.id == "pre-confidence-weighing"
    assert doc.item_ids == ("pre-confidence-weighing", "when-to-weigh", "who-to-call", "confidence-weighing")


AFTER = 'id: confidence-weighing\nquestion: "Ik weet hoe ik mezelf elke ochtend goed weeg."'


@pytest.mark.parametrize(
    ("after", "message"),
    [
        (
            AFTER.replace("confidence-weighing", "confidence-scales"),
            "'pre-confidence-weighing' needs a likert 'confidence-weighing' later in the module",
        ),
        (
            'id: confidence-weighing\nquestion: "Ik weet wie ik bel."',
            "'pre-confidence-weighing' must ask the same question as 'confidence-weighing'",
        ),
    ],
)
def test_a_before_question_the_metrics_cannot_pair_is_refused(write_module, nl_text, line_of, after, message):
    assert AFTER in nl_text
    text = nl_text.replace(AFTER, after)
    text = text.replace("## Weeg elke ochtend\n", f"## Voordat je begint\n\n{BEFORE}\n## Weeg elke ochtend\n")
    problem = only_problem(write_nl(write_module, text))
    assert problem.line == line_of(text, "```likert")
    assert problem.message.startswith(message)


def test_a_before_question_after_its_confidence_item_is_refused(write_module, nl_text, line_of):
    text = nl_text + "\n" + BEFORE
    problem = only_problem(write_nl(write_module, text))
    assert problem.line == line_of(text, "```likert", occurrence=2)
    assert problem.message == "'pre-confidence-weighing' must come before 'confidence-weighing'"

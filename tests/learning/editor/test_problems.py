"""Inline problems: what `flask content check` finds in a text being typed, with lines and a teacher's wording."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask_babel import force_locale

from app import ROOT
from learning.content.services import check_content
from learning.editor.preview import build_preview, step_at_line
from learning.editor.problems import check_text, teacher_message

BUNDLED = ROOT / "modules_content"
SLUG = "elke-dag-wegen-hartfalen"  # a patient module: the B1 gate applies to its Dutch text


def text(language: str, slug: str = SLUG) -> str:
    return (BUNDLED / slug / f"{language}.md").read_text(encoding="utf-8")


def line_of(source: str, needle: str) -> int:
    return next(n for n, line in enumerate(source.splitlines(), start=1) if needle in line)


def test_a_bundled_module_has_no_problems_in_either_language(rq):
    for language, other in (("nl", "en"), ("en", "nl")):
        checked = check_text(SLUG, language, text(language), {other: text(other)}, BUNDLED / SLUG)
        assert checked.problems == (), [str(p) for p in checked.problems]
        assert len(checked.document.steps) >= 5


def test_a_picture_without_alt_text_is_marked_on_its_line_in_dutch(rq):
    source = text("nl").replace("](weegschaal.svg)", "](weegschaal.svg)\n\n![](ochtend.svg)", 1)
    with force_locale("nl"):
        checked = check_text(SLUG, "nl", source, folder=BUNDLED / SLUG)
    [problem] = checked.problems
    assert problem.line == line_of(source, "![](ochtend.svg)")
    assert "ochtend.svg" in problem.message
    assert "beschrijving" in problem.message.lower()  # the Dutch wording, not the loader's English


def test_a_half_typed_block_still_previews_the_steps_before_it(rq):
    source = text("nl") + "\n## Nieuw\n\n```quiz\nid: half\n"
    checked = check_text(SLUG, "nl", source, folder=BUNDLED / SLUG)
    messages = [p.message for p in checked.problems]
    assert any("question" in m for m in messages), messages
    assert checked.document.steps[-1].title == "Nieuw"
    assert min(p.line for p in checked.problems if p.line) >= line_of(source, "## Nieuw")


def test_ids_that_differ_from_the_other_language_are_reported_on_that_file(rq):
    english = text("en").replace("id: when-to-weigh", "id: weigh-when", 1)
    checked = check_text(SLUG, "nl", text("nl"), {"en": english}, BUNDLED / SLUG)
    [problem] = checked.problems
    assert problem.file == "en.md"
    assert problem.line is None
    assert "ids" in problem.message


def test_a_long_sentence_in_a_patient_module_fails_the_b1_gate_at_its_line(rq):
    sentence = " ".join(["Dit is een heel erg lange zin"] * 6) + "."
    source = text("nl").replace("## ", f"## Extra\n\n{sentence}\n\n## ", 1)
    checked = check_text(SLUG, "nl", source, folder=BUNDLED / SLUG)
    lines = [p.line for p in checked.problems]
    assert line_of(source, sentence[:40]) in lines, [str(p) for p in checked.problems]


def test_the_same_problems_as_the_content_check(rq, tmp_path: Path):
    """The editor and `flask content check` must agree: a mistake in a real folder is found by both, same line."""
    folder = tmp_path / SLUG
    folder.mkdir()
    for f in (BUNDLED / SLUG).iterdir():
        (folder / f.name).write_bytes(f.read_bytes())
    broken = text("nl").replace("version: ", "version: x", 1)
    (folder / "nl.md").write_text(broken, encoding="utf-8")
    from_check = {(p.line, p.message) for p in check_content(folder) if p.path.endswith("nl.md")}
    checked = check_text(SLUG, "nl", broken, {"en": text("en")}, folder)
    assert from_check
    assert {p.line for p in checked.problems if p.file == "nl.md"} == {line for line, _ in from_check}


@pytest.mark.parametrize(
    ("message", "dutch"),
    [
        ("image 'a.svg' has no alt text: describe what the picture shows", "a.svg"),
        ("block id 'weigh' is used twice; ids must be unique within a module", "'weigh'"),
        ("front matter 'title' is required and must be text", "'title'"),
    ],
)
def test_known_messages_get_a_teachers_wording_with_the_values_kept(rq, message, dutch):
    with force_locale("nl"):
        worded = teacher_message(message)
    assert worded != message
    assert dutch in worded


def test_other_files_than_the_dutch_text_name_only_the_files_that_differ(rq):
    message = "uses pictures a.svg, b.svg, film.webm but nl.md uses a.svg, film.webm, nieuw.png"
    with force_locale("nl"):
        worded = teacher_message(message)
    assert worded == (
        "De Nederlandse tekst gebruikt nieuw.png; deze tekst niet. Deze tekst gebruikt b.svg; de Nederlandse tekst"
        " niet. Beide moeten dezelfde plaatjes en bestanden gebruiken."
    )


def test_an_unknown_message_is_shown_as_the_loader_wrote_it(rq):
    assert teacher_message("something new the loader says") == "something new the loader says"


def test_the_step_at_the_cursor_ignores_headings_inside_blocks():
    source = "---\n---\n## One\n```quiz\n## not a step\n```\n## Two\ntext\n"
    assert step_at_line(source, 1) is None
    assert step_at_line(source, 5) == 1
    assert step_at_line(source, 8) == 2


def test_the_preview_shows_only_the_step_at_the_cursor_when_asked(rq):
    source = text("nl")
    line = line_of(source, "## ") + 1
    preview = build_preview(slug=SLUG, language="nl", source=source, cursor_line=line, folder=BUNDLED / SLUG)
    assert [s.number for s in preview.steps] == [1]
    everything = build_preview(slug=SLUG, language="nl", source=source, folder=BUNDLED / SLUG)
    assert len(everything.steps) == len(everything.checked.document.steps) > 1


def test_the_remembered_yaml_is_a_fresh_copy_and_errors_keep_their_wording():
    """The preview's YAML cache must not let one parse change the next, nor change what a teacher is told."""
    import yaml

    from learning.content.items import load_yaml, yaml_problem

    first = load_yaml("choices:\n  - text: a\n")
    first["choices"].append("changed")
    assert load_yaml("choices:\n  - text: a\n") == {"choices": [{"text": "a"}]}
    broken = 'question: "open\nchoices: [\n'
    with pytest.raises(yaml.YAMLError) as ours:
        load_yaml(broken)
    with pytest.raises(yaml.YAMLError) as pyyaml:
        yaml.safe_load(broken)
    assert yaml_problem(ours.value) == yaml_problem(pyyaml.value)


BROKEN_BLOCKS = [
    '```quiz\nid: q1\nquestion: "V"\nchoices:\n  - text: "a"\n    feedback: "x"\n  - text: "b"\n    feedback: "y"\n```',
    '```true-false\nid: tf1\nquestion: "S"\nfeedback: {right: "r", wrong: "w"}\n```',
    '```sequencing\nid: s1\nquestion: "Q"\nsteps: ["een"]\nfeedback: {right: "r", wrong: "w"}\n```',
    '```matching\nid: m1\nquestion: "Q"\nfeedback: {right: "r", wrong: "w"}\n```',
    '```fill-in\nid: f1\nquestion: "Q"\naccepted: ["72", "72"]\nfeedback: {right: "Nee. r", wrong: "w"}\n```',
    "```video\nid: v1\ncaptions: {nl: geen.vtt, en: wegen.en.vtt}\nsources: [weg.webm]\n```",
    "```quiz\nid: q2\nchoices: [\n```",
    "```tabel\nx\n```",
]


@pytest.mark.parametrize("block", BROKEN_BLOCKS)
def test_block_mistakes_are_told_in_dutch(rq, block):
    source = text("nl").replace("## ", f"## Fout\n\n{block}\n\n## ", 1)
    with force_locale("en"):
        english = check_text(SLUG, "nl", source, folder=BUNDLED / SLUG).problems
    with force_locale("nl"):
        dutch = check_text(SLUG, "nl", source, folder=BUNDLED / SLUG).problems
    assert english, block
    assert [p.line for p in dutch] == [p.line for p in english]
    untranslated = [p.message for p, e in zip(dutch, english, strict=True) if p.message == e.message]
    assert not untranslated, untranslated

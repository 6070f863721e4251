"""The Dutch B1 readability gate: syllables, sentences, compounds, the calibration corpus and `flask content …`."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import ROOT
from learning.content import readability
from learning.content.dutch_words import is_rare, split_compound, syllables
from learning.content.readability import measure_module, measure_text, passes

from .test_cli import problem_lines

CORPUS = ROOT / "tests" / "readability_corpus"

# Spoken syllable counts (Van Dale hyphenation), chosen to hit digraphs, trigraphs, trema and loans.
SYLLABLES = {
    "bloeddruk": 2,
    "ideaal": 3,
    "apen": 2,
    "radio": 3,
    "museum": 3,
    "ziekenhuis": 3,
    "beïnvloeden": 4,
    "nieuw": 1,
    "eeuw": 1,
    "zeeën": 2,
    "sociaal": 3,
    "mooie": 2,
    "draaien": 2,
    "actuele": 4,
    "verpleegkundige": 5,
    "huisartsenpost": 4,
    "medicijnen": 4,
    "weegschaal": 2,
    "ontbijt": 2,
    "benauwd": 2,
    "e-mail": 2,
    "website": 2,
    "hartfalen": 3,
    "saturatie": 4,
    "112": 3,
}


@pytest.mark.parametrize(("word", "count"), SYLLABLES.items())
def test_syllables_of_dutch_words(word, count):
    assert syllables(word) == count


def test_sentences_split_on_end_marks_but_not_abbreviations():
    figures = measure_text("Weeg jezelf. Ben je zwaarder? Bel dan bijv. het zorgteam! Klaar.")
    assert [s.text for s in figures.sentences] == [
        "Weeg jezelf.",
        "Ben je zwaarder?",
        "Bel dan bijv. het zorgteam!",
        "Klaar.",
    ]
    assert [len(s.words) for s in figures.sentences] == [2, 3, 5, 1]


def test_headings_list_items_and_pictures_are_sentences_and_lines_are_kept():
    text = (
        "## Wie bel je\n\nBel de helpdesk\nals de app stopt.\n\n- Groen: goed\n- Rood: bel\n\n"
        "![Een rode telefoon](x.svg)\n"
    )
    sentences = measure_text(text, first_line=10).sentences
    assert [(s.line, s.text) for s in sentences] == [
        (10, "Wie bel je"),
        (12, "Bel de helpdesk als de app stopt."),
        (15, "Groen: goed"),
        (16, "Rood: bel"),
        (18, "Een rode telefoon"),
    ]


def test_quiz_texts_are_measured_but_keys_code_and_video_blocks_are_not():
    text = (
        '```quiz\nid: a-b\nquestion: "Wie bel je?"\nchoices:\n  - text: "De helpdesk"\n    correct: true\n'
        '    feedback: "Goed. Die helpt."\n```\n\n```video\nsrc: wegen.mp4\ntitle: "Lang verhaal hier"\n```\n'
        "\nTekst met `code erin` en **vet**.\n"
    )
    sentences = measure_text(text).sentences
    assert [(s.line, s.text) for s in sentences] == [
        (3, "Wie bel je?"),
        (5, "De helpdesk"),
        (7, "Goed."),
        (7, "Die helpt."),
        (15, "Tekst met en vet."),
    ]


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("bloeddrukmeter", ["bloeddruk", "meter"]),
        ("thuismeting", ["thuis", "meting"]),
        ("waarschuwingssignalen", ["waarschuwing", "signalen"]),
        ("huisartsenpost", ["huisartsen", "post"]),
        ("hypertensie", None),  # not a compound: short syllable-sized "words" must not split it
        ("saturatiemeter", None),  # 'saturatie' is too rare to count as an everyday part
    ],
)
def test_compounds_split_into_common_words(word, parts):
    assert split_compound(word) == parts


def test_rare_words_are_rare_after_splitting_and_everyday_words_are_not():
    assert not is_rare("bloeddrukmeter", readability.RARE_ZIPF)
    assert not is_rare("ochtend", readability.RARE_ZIPF)
    assert is_rare("hypertensie", readability.RARE_ZIPF)
    assert is_rare("dyspneu", readability.RARE_ZIPF)


def _corpus() -> list[tuple[str, str, readability.Figures]]:
    texts = [
        (p.name.split(".")[0], p.name.split(".")[1], measure_text(p.read_text())) for p in sorted(CORPUS.glob("*.md"))
    ]
    assert len(texts) >= 20
    assert {level for _, level, _ in texts} == {"b1", "c1"}
    return texts


def test_calibration_corpus_every_b1_text_passes_and_every_formal_rewrite_fails():
    texts = _corpus()
    assert {name for name, level, _ in texts if level == "b1"} == {name for name, level, _ in texts if level == "c1"}
    verdicts = {(name, level): passes(figures) for name, level, figures in texts}
    assert [key for key, ok in verdicts.items() if ok != (key[1] == "b1")] == []


@pytest.mark.parametrize(
    ("figure", "limit", "b1_side"),
    [
        ("asl", readability.MAX_ASL, "below"),
        ("flesch_douma", readability.MIN_FLESCH_DOUMA, "above"),
        ("brouwer", readability.MIN_BROUWER, "above"),
    ],
)
def test_calibration_each_formula_alone_separates_the_corpus(figure, limit, b1_side):
    """So that a broken formula cannot hide behind the others in the combined verdict."""
    for name, level, figures in _corpus():
        value = getattr(figures, figure)
        on_b1_side = value <= limit if b1_side == "below" else value >= limit
        assert on_b1_side == (level == "b1"), f"{name} {level}: {figure} {value:.1f} vs {limit}"


def _module(nl_text: str, paragraph: str, audience: str = "[patient, caregiver]", glossary: str = "") -> str:
    """The fixture module with one more paragraph in its first step (and another audience or a glossary)."""
    anchor = "Ook als je je goed voelt."
    assert anchor in nl_text
    text = nl_text.replace(anchor, f"{anchor}\n\n{paragraph}")
    return text.replace("audience: [patient, caregiver]", f"audience: {audience}{glossary}")


LONG = (
    "Teneinde een betrouwbare registratie van uw lichaamsgewicht te waarborgen dient de meting dagelijks in de "
    "ochtend voorafgaand aan de inname van het ontbijt te worden verricht."
)


def test_check_fails_a_patient_module_with_a_long_sentence_and_says_split(runner, write_module, nl_text, line_of):
    nl = _module(nl_text, LONG)
    folder = write_module(nl=nl)
    result = runner.invoke(args=["content", "check", str(folder.parent)])
    assert result.exit_code != 0
    problems = problem_lines(result.stderr)
    split = [p for p in problems if "split this sentence" in p[2]]
    assert split, problems
    assert split[0][:2] == (str(folder / "nl.md"), line_of(nl, "Teneinde"))
    assert "Teneinde een betrouwbare" in split[0][2]


def test_check_fails_one_hard_step_in_an_otherwise_easy_module(write_module, nl_text, line_of):
    formal = (  # short sentences, but long formal words: only the formulas catch it
        "Regelmatige lichamelijke activiteit is essentieel voor het behoud van gewrichtsmobiliteit. Geleidelijke "
        "opbouw van de belasting verdient nadrukkelijk aanbeveling. Lichte pijnklachten gedurende inspanning zijn "
        "doorgaans acceptabel. Toegenomen klachten rechtvaardigen onmiddellijke reductie van de intensiteit. "
        "Laagdrempelige activiteiten vormen een geschikt uitgangspunt."
    )
    nl = _module(nl_text, formal)
    folder = write_module(nl=nl)
    problems = readability.readability_problems(folder / "nl.md")
    step = [p for p in problems if p.message.startswith("step 'Weeg elke ochtend' is too hard to read: Flesch-Douma")]
    assert [p.line for p in step] == [line_of(nl, "## Weeg elke ochtend")]
    assert not [p for p in problems if "split this sentence" in p.message], "no sentence is over the limit"


def test_check_names_rare_words_and_a_glossary_lets_them_pass(runner, write_module, nl_text, line_of):
    body = "Meet je saturatie. Bij dyspneu, orthopneu, cyanose, perifeer oedeem of hypertensie bel je. Zit rustig."
    nl = _module(nl_text, body)
    folder = write_module(nl=nl)
    result = runner.invoke(args=["content", "check", str(folder.parent)])
    assert result.exit_code != 0
    rare = {(line, message) for _, line, message in problem_lines(result.stderr) if "explain or replace" in message}
    assert (
        line_of(nl, "dyspneu"),
        "rare word 'dyspneu': explain or replace 'dyspneu' (an explained term can go in the front matter 'glossary')",
    ) in rare

    declared = _module(
        nl_text, body, glossary="\nglossary: [saturatie, dyspneu, orthopneu, cyanose, perifeer, oedeem, hypertensie]"
    )
    write_module(nl=declared)
    result = runner.invoke(args=["content", "check", str(folder.parent)])
    assert result.exit_code == 0, result.output


def test_professional_modules_are_measured_not_gated(runner, write_module, nl_text, en_text):
    nl = _module(nl_text, LONG, audience="[professional]")
    en = en_text.replace("audience: [patient, caregiver]", "audience: [professional]")
    folder = write_module(nl=nl, en=en)
    checked = runner.invoke(args=["content", "check", str(folder.parent)])
    assert checked.exit_code == 0, checked.output
    report = runner.invoke(args=["content", "readability", str(folder)])
    assert report.exit_code == 0, report.output
    assert "not gated" in report.stdout
    assert "does not pass B1" in report.stdout


def test_real_modules_pass_and_the_report_shows_every_step():
    for path in sorted((ROOT / "modules_content").glob("*/nl.md")):
        module = measure_module(path)
        assert module.steps, path
        if module.gated:
            assert readability.readability_problems(path) == [], path
    report = readability.format_report(ROOT / "modules_content" / "naaste-helpen-thuismeten" / "nl.md")
    assert "Wie bel je waarvoor?" in report
    assert "(whole module, steps)" in report
    assert "(front matter: reported only)" in report
    assert "-> passes B1" in report


def test_front_matter_is_measured_for_the_report_with_its_lines(write_module, nl_text, line_of):
    folder = write_module(nl=nl_text)
    front = measure_module(folder / "nl.md").front
    assert [(s.line, s.text) for s in front.sentences] == [
        (line_of(nl_text, "title:"), "Weeg je elke dag"),
        (line_of(nl_text, "summary:"), "Hoe en wanneer je jezelf weegt."),
        (line_of(nl_text, "  - Je kunt jezelf"), "Je kunt jezelf elke ochtend goed wegen."),
    ]


def test_readability_command_refuses_a_folder_without_modules(runner, tmp_path: Path):
    result = runner.invoke(args=["content", "readability", str(tmp_path)])
    assert result.exit_code != 0
    assert "no module with an nl.md" in result.output

"""Soft hyphens in long words: where they go, and where they must never go (code, addresses, attributes)."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from learning.content.hyphenation import (
    MIN_LETTERS,
    SOFT_HYPHEN,
    hyphenate_filter,
    hyphenate_html,
    hyphenate_text,
    hyphenate_word,
    strip_soft_hyphens,
)
from learning.content.loader import parse_module_file
from learning.speech.services import spoken_text

SHY = SOFT_HYPHEN


def pieces(text: str) -> list[str]:
    return text.split(SHY)


@pytest.mark.parametrize(
    ("word", "language", "expected"),
    [
        ("thuismonitoringsprogramma", "nl", ["thuis", "mo", "ni", "to", "rings", "pro", "gram", "ma"]),
        ("Hartfalenverpleegkundige", "nl", ["Hart", "fa", "len", "ver", "pleeg", "kun", "di", "ge"]),
        ("Gesundheitskompetenz", "de", ["Ge", "sund", "heits", "kom", "pe", "tenz"]),
        ("hypertension", "en", ["hy", "per", "ten", "sion"]),
    ],
)
def test_long_word_gets_a_soft_hyphen_at_each_syllable_break(word, language, expected):
    assert pieces(hyphenate_word(word, language)) == expected


def test_language_region_and_case_pick_the_same_patterns():
    assert hyphenate_word("thuismonitoring", "nl-NL") == hyphenate_word("thuismonitoring", "nl")


def test_a_language_without_patterns_is_left_alone():
    assert hyphenate_word("thuismonitoringsprogramma", "fr") == "thuismonitoringsprogramma"


def test_short_words_get_none():
    text = "Weeg je elke dag, ook als je je goed voelt."
    assert max(len(word.strip(",.")) for word in text.split()) < MIN_LETTERS
    assert hyphenate_text(text, "nl") == text


def test_only_the_long_words_of_a_sentence_get_them():
    text = hyphenate_text("Het thuismonitoringsprogramma helpt je.", "nl")
    assert text.startswith("Het thuis" + SHY)
    assert text.endswith(" helpt je.")
    assert strip_soft_hyphens(text) == "Het thuismonitoringsprogramma helpt je."


@pytest.mark.parametrize(
    "address",
    [
        "https://www.thuisarts.nl/thuismonitoringsprogramma",
        "www.thuismonitoringsprogramma.nl",
        "thuismonitoringsprogramma@ziekenhuis.nl",
        "thuismonitoringsprogramma.pdf",
        "/modules/thuismonitoringsprogramma/step/1",
    ],
)
def test_addresses_and_file_names_get_none(address):
    assert hyphenate_text(f"Zie {address} voor meer.", "nl") == f"Zie {address} voor meer."


def test_words_joined_by_a_dash_or_slash_are_hyphenated_each():
    text = hyphenate_text("hartfalenverpleegkundige/mantelzorgondersteuning", "nl")
    left, right = text.split("/")
    assert SHY in left
    assert SHY in right


def test_html_text_gets_them_but_code_links_and_attribute_values_do_not():
    html = (
        '<p title="thuismonitoringsprogramma">Het thuismonitoringsprogramma '
        '<img src="/m/thuismonitoringsprogramma.svg" alt="Een thuismonitoringsprogramma &gt; meer"> '
        "<code>thuismonitoringsprogramma</code> <pre><code>bloeddrukmeetprogramma</code></pre> "
        '<a href="https://thuisarts.nl/thuismonitoringsprogramma">https://thuisarts.nl/thuismonitoringsprogramma</a> '
        "<em>bloeddrukmeetprogramma</em></p>"
    )
    out = hyphenate_html(html, "nl")
    assert f"Het {hyphenate_word('thuismonitoringsprogramma', 'nl')} <img" in out
    assert f"<em>{hyphenate_word('bloeddrukmeetprogramma', 'nl')}</em>" in out
    # everything but those two words is byte for byte what came in
    assert strip_soft_hyphens(out) == html
    untouched = out.replace(f"Het {hyphenate_word('thuismonitoringsprogramma', 'nl')} <img", "")
    assert "<code>thuismonitoringsprogramma</code>" in untouched
    assert "<pre><code>bloeddrukmeetprogramma</code></pre>" in untouched
    assert SHY not in untouched.split("<em>")[0]


def test_a_greater_than_sign_inside_an_attribute_does_not_end_the_tag():
    html = '<img alt="a > thuismonitoringsprogramma"><p>x</p>'
    assert hyphenate_html(html, "nl") == html


def test_filter_escapes_plain_text_and_keeps_markup_markup():
    assert hyphenate_filter(None, "nl") == ""
    plain = hyphenate_filter("<b>gezondheidsvaardigheden</b>", "nl")
    assert not isinstance(plain, Markup)
    assert plain.startswith("<b>ge" + SHY)  # still text: the template's autoescape makes it &lt;b&gt;
    safe = hyphenate_filter(Markup("<b title='gezondheidsvaardigheden'>gezondheidsvaardigheden</b>"), "nl")
    assert isinstance(safe, Markup)
    assert safe.startswith("<b title='gezondheidsvaardigheden'>ge" + SHY)


MODULE = """\
---
title: Thuismeten
summary: "Meten thuis."
audience: [patient]
minutes: 5
version: 1.0.0
review: pending
objectives:
  - Je kunt thuis meten.
sources:
  - title: "Thuisarts"
    url: https://www.thuisarts.nl/thuismonitoringsprogramma
---

## Het thuismonitoringsprogramma

Het thuismonitoringsprogramma meet je bloeddruk. Kijk op https://www.thuisarts.nl/thuismonitoringsprogramma of
typ `thuismonitoringsprogramma` in.

```quiz
id: q
question: "Wat doet het thuismonitoringsprogramma?"
choices:
  - text: "Het meet je bloeddruk."
    correct: true
    feedback: "Goed."
  - text: "Het kookt."
    feedback: "Nee."
```
"""


def test_loaded_step_html_is_hyphenated_but_its_spoken_text_is_not(tmp_path):
    path = tmp_path / "thuismeten" / "nl.md"
    path.parent.mkdir()
    path.write_text(MODULE, encoding="utf-8")
    step = parse_module_file(path).steps[0]
    assert f"<p>Het {hyphenate_word('thuismonitoringsprogramma', 'nl')} meet" in step.html
    assert "<code>thuismonitoringsprogramma</code>" in step.html
    assert "https://www.thuisarts.nl/thuismonitoringsprogramma" in step.html
    speech = spoken_text(step)
    assert SHY not in speech
    assert "Het thuismonitoringsprogramma meet je bloeddruk." in speech


def test_a_citations_numbers_may_break_after_semicolon_and_colon_and_speech_never_sees_it():
    text = hyphenate_text("Eur Heart J. 2018;39(33):3021-3104.", "en")
    assert "2018;\u200b39(33):\u200b3021-3104." in text
    assert strip_soft_hyphens(text) == "Eur Heart J. 2018;39(33):3021-3104."

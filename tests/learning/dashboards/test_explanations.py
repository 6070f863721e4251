"""Words before formulas: every metric's plain sentence and worked example, and every abbreviation explained."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from babel.numbers import format_decimal
from dashboard_helpers import Region
from flask import Flask
from flask.testing import FlaskClient

from learning.accounts.models import User
from learning.dashboards import explanations, glossary
from learning.dashboards.numbers import format_value
from learning.db import db
from learning.metrics.definitions import DEFINITIONS

Login = Callable[[Any], FlaskClient]
LANGUAGES = ("nl", "en", "de")


@pytest.mark.parametrize("locale", LANGUAGES)
def test_every_metric_has_a_sentence_and_an_example_whose_figure_follows_from_its_numbers(locale: str) -> None:
    for spec in DEFINITIONS:
        sentence = explanations.sentence(spec.code, locale)
        assert sentence.endswith((".", "?", ")")), spec.code
        assert "|" not in sentence, f"{spec.code}: a formula, not words"
        text = explanations.example(spec.code, locale)
        explanation = explanations.EXPLANATIONS[spec.code]
        if explanation.value is None:
            assert format_decimal(explanation.num, locale=locale) in text, spec.code
            expected = explanation.num / explanation.den * spec.per
        else:
            expected = explanation.value
        assert format_value(expected, spec.unit, locale) in text, spec.code
        assert format_decimal(explanation.den, locale=locale) in text, spec.code


def test_the_example_of_the_issue_reads_as_asked() -> None:
    assert explanations.example("TRN_COVERAGE", "nl") == (
        "Van de 12 verpleegkundigen van dit team hebben er 9 alle verplichte modules gedaan: 75%."
    )


@pytest.fixture
def client_in(login: Login, manager_of: Callable[[int], Any], region: Region, app: Flask) -> Callable[[str], Any]:
    def make(locale: str) -> FlaskClient:
        manager = manager_of(region.hospital)
        with app.app_context():
            user = db.session.get(User, manager.id)
            assert user is not None
            user.locale = locale
            db.session.commit()
        return login(manager)

    return make


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)  # also the no-break space of "75 %"


def _main_text(page: str) -> str:
    main = page[page.index("<main") : page.index("</main>")]
    return _flat(html.unescape(re.sub(r"<[^>]+>", " ", main)))


@pytest.mark.parametrize("locale", LANGUAGES)
def test_definition_page_starts_with_the_sentence_and_example_then_the_formula(
    client_in: Callable[[str], FlaskClient], region: Region, locale: str
) -> None:
    client = client_in(locale)
    for spec in DEFINITIONS:
        text = _main_text(client.get(f"/dashboards/metrics/{spec.code}").get_data(as_text=True))
        formula = spec.formula_nl if locale == "nl" else spec.formula_en
        sentence = _flat(explanations.sentence(spec.code, locale))
        example = _flat(explanations.example(spec.code, locale))
        assert text.index(sentence) < text.index(example) < text.index(formula), spec.code
        for framework, meaning in glossary.framework_terms(spec.frameworks, locale):
            assert f"{framework} : {meaning}" in text, (spec.code, framework)


def _explained_on_first_use(text: str, locale: str) -> list[str]:
    """Return the abbreviations the text uses without their meaning close to the first use."""
    missing = []
    for abbreviation in glossary.TERMS:
        first = re.search(rf"(?<![\w-]){re.escape(abbreviation)}(?![\w-])", text)
        if first is None:
            continue
        meaning = _flat(glossary.term(abbreviation, locale))
        at = text.find(meaning)
        if at < 0 or at - first.start() > 400:  # in the same or the next sentence, not somewhere far below
            missing.append(abbreviation)
    return missing


@pytest.mark.parametrize("locale", LANGUAGES)
def test_dashboard_pages_explain_every_abbreviation_where_it_first_appears(
    client_in: Callable[[str], FlaskClient], region: Region, stored_cells: None, locale: str
) -> None:
    client = client_in(locale)
    for url in (f"/dashboards/environments/{region.environment}", "/dashboards/region", "/dashboards/metrics"):
        text = _main_text(client.get(url).get_data(as_text=True))
        assert _explained_on_first_use(text, locale) == [], url
    environment = _main_text(client.get(f"/dashboards/environments/{region.environment}").get_data(as_text=True))
    assert glossary.condition("HF", locale) in environment  # "hartfalen (HF)", not a bare code


def test_long_organisation_names_in_the_programme_list_break_only_at_a_hyphen(
    client_in: Callable[[str], FlaskClient], region: Region, app: Flask
) -> None:
    """Seen at 360 px: "Huisartsenzorggroep" broke as "Huisartsenzorggroe|p" in the environment's facts; the names
    get soft hyphens like every other long word on the page (docs/hyphenation.md)."""
    from learning.accounts.models import Organisation

    with app.app_context():
        hospital = db.session.get(Organisation, region.hospital)
        assert hospital is not None
        hospital.name = "Huisartsenzorggroep Twente"
        db.session.commit()
    page = client_in("nl").get(f"/dashboards/environments/{region.environment}").get_data(as_text=True)
    facts = page[page.index('<dl class="facts">') : page.index("</dl>", page.index('<dl class="facts">'))]
    assert "Huisartsenzorggroep" not in facts  # never whole: a narrow screen would have to break it anywhere
    assert "\u00ad" in facts.replace("&shy;", "\u00ad")

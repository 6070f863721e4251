"""The real modules in modules_content/ against the catalogue rules (modules_content/README.md)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from app import ROOT
from learning.content.document import Likert, ModuleDocument, Quiz
from learning.content.loader import iter_module_folders, load_module_folder
from learning.content.survey import CONFIDENCE, PRE, RELEVANCE

REAL = ROOT / "modules_content"
# slug: (audience, minutes, NL title, EN title), from the module catalogue table in content.md
# The regional catalogue of 13 microlearnings: slug -> (audiences, minutes, Dutch title, English title).
CATALOGUE = {
    "digitaal-vaardig-waar-sta-ik": (
        ("professional",),
        5,
        "Digitaal vaardig in de zorg: waar sta ik?",
        "Digital skills in care: where do I stand?",
    ),
    "veilig-werken-patientgegevens": (
        ("professional",),
        8,
        "Veilig werken met patiëntgegevens",
        "Working securely with patient data",
    ),
    "rpm-meting-tot-melding": (
        ("professional",),
        10,
        "Thuismonitoring: van meting tot melding",
        "RPM: from measurement to alert",
    ),
    "patienten-starten-thuismeten": (
        ("professional",),
        8,
        "Patiënten starten met thuismeten",
        "Onboarding patients to home monitoring",
    ),
    "beeldbellen-met-patienten": (
        ("professional",),
        7,
        "Beeldbellen met patiënten",
        "Video consultations with patients",
    ),
    "bloeddruk-thuis-meten": (
        ("patient",),
        7,
        "Bloeddruk goed thuis meten",
        "Measuring blood pressure correctly at home",
    ),
    "elke-dag-wegen-hartfalen": (("patient",), 6, "Elke dag wegen bij hartfalen", "Daily weighing for heart failure"),
    "bloedsuiker-meten-hypo": (
        ("patient",),
        8,
        "Bloedsuiker meten en een hypo herkennen",
        "Checking blood glucose and recognising a hypo",
    ),
    "saturatiemeter-copd": (
        ("patient",),
        6,
        "Zuurstof meten met een saturatiemeter (COPD)",
        "Using a pulse oximeter (COPD)",
    ),
    "thuismeet-app-starten": (
        ("patient", "caregiver"),
        8,
        "Aan de slag met de thuismeet-app",
        "Getting started with the home-monitoring app",
    ),
    "bewegen-met-artrose": (
        ("patient",),
        7,
        "In beweging blijven met artrose en een oefenapp",
        "Staying active with osteoarthritis using an exercise app",
    ),
    "naaste-helpen-thuismeten": (
        ("caregiver",),
        7,
        "Als naaste helpen bij thuismeten",
        "Helping a loved one with home monitoring",
    ),
    "zorgtechnologie-dementie-thuis": (
        ("caregiver",),
        8,
        "Zorgtechnologie bij dementie thuis",
        "Care technology for dementia at home",
    ),
}
PRESENT = [folder.name for folder in iter_module_folders(REAL)]
SVG_NS = "{http://www.w3.org/2000/svg}"


def test_the_folder_holds_the_whole_catalogue_and_nothing_else():
    assert sorted(PRESENT) == sorted(CATALOGUE)


@pytest.fixture(params=PRESENT)
def module(request) -> tuple[str, dict[str, ModuleDocument]]:
    return request.param, load_module_folder(REAL / request.param)


def test_has_dutch_and_english(module):
    slug, documents = module
    assert set(documents) == {"nl", "en"}
    assert (REAL / slug / "nl.md").is_file()
    assert (REAL / slug / "en.md").is_file()


def test_matches_its_catalogue_entry(module):
    slug, documents = module
    audiences, minutes, nl_title, en_title = CATALOGUE[slug]
    for document in documents.values():
        assert document.audiences == audiences
        assert document.minutes == minutes
        assert 5 <= document.minutes <= 10, "microlearning: 5-10 minutes"
    assert documents["nl"].title == nl_title
    assert documents["en"].title == en_title


def test_ends_with_three_to_five_quizzes_then_the_confidence_item(module):
    _, documents = module
    for document in documents.values():
        steps = list(document.steps)
        if steps[0].items and all(item.id.startswith(PRE + CONFIDENCE) for item in steps[0].items):
            steps = steps[1:]  # the opening step with the question before the module (README §6)
        items = [item for step in steps for item in step.items]
        quizzes = [item for item in items if isinstance(item, Quiz)]
        likerts = [item for item in items if isinstance(item, Likert)]
        assert 3 <= len(quizzes) <= 5
        assert [item.id.split("-")[0] + "-" for item in likerts] in ([CONFIDENCE], [CONFIDENCE, RELEVANCE])
        assert items[-len(likerts) :] == likerts, "the likert items come after the quiz questions"
        assert steps[-1].items[-len(likerts) :] == tuple(likerts), "... in the last step"
        # the questions are at the end: once a step asks something, every later step does too
        first = next(i for i, step in enumerate(steps) if step.items)
        assert all(step.items for step in steps[first:])
        assert first > 0, "teaching comes before the questions"
        assert 5 <= len(steps) <= 7


def test_survey_items_are_named_as_the_metrics_read_them(module):
    _, documents = module
    for document in documents.values():
        likerts = {item.id: item for step in document.steps for item in step.items if isinstance(item, Likert)}
        assert all(item_id.startswith((CONFIDENCE, PRE + CONFIDENCE, RELEVANCE)) for item_id in likerts)
        for item_id, item in likerts.items():
            if item_id.startswith(PRE):
                assert document.steps[0].items == (item,), "the question before the module opens it, alone"
                assert likerts[item_id.removeprefix(PRE)].question == item.question
                assert document.item_ids.index(item_id) < document.item_ids.index(item_id.removeprefix(PRE))


def test_professional_modules_ask_confidence_before_and_after_and_relevance():
    for slug in PRESENT:
        if "professional" not in CATALOGUE[slug][0]:
            continue
        ids = load_module_folder(REAL / slug)["nl"].item_ids
        (after,) = [item_id for item_id in ids if item_id.startswith(CONFIDENCE)]
        assert ids[0] == PRE + after, slug
        assert [item_id for item_id in ids if item_id.startswith(RELEVANCE)], slug


def test_survey_ids_are_unique_across_modules():
    # the metrics count one answer per learner and item id, whatever the module
    seen: dict[str, str] = {}
    for slug in PRESENT:
        for item_id in load_module_folder(REAL / slug)["nl"].item_ids:
            if item_id.startswith((CONFIDENCE, PRE + CONFIDENCE, RELEVANCE)):
                assert item_id not in seen, f"{item_id} is in {seen.get(item_id)} and {slug}"
                seen[item_id] = slug


def test_quizzes_are_well_formed(module):
    _, documents = module
    for document in documents.values():
        assert 0 < document.mastery_score <= 1
        for item in document.quizzes:
            if not isinstance(item, Quiz):
                assert item.feedback.right.strip(), item.id
                assert item.feedback.wrong.strip(), item.id
                continue
            quiz = item
            assert 2 <= len(quiz.choices) <= 5
            assert quiz.correct_indexes, f"{quiz.id} has a right answer"
            assert all(choice.feedback.strip() for choice in quiz.choices), f"{quiz.id}: feedback on every choice"
            if len(quiz.correct_indexes) > 1:
                assert re.search(r"Kies alles wat klopt|Choose all", quiz.question), quiz.question


def test_has_sources(module):
    _, documents = module
    for document in documents.values():
        assert document.sources
        for source in document.sources:
            assert len(source.title.split()) >= 3, source.title
            assert source.url == "" or source.url.startswith("https://"), source.url
        assert any(source.url for source in document.sources)


def test_front_matter_review_and_objectives(module):
    slug, documents = module
    for language, document in documents.items():
        text = (REAL / slug / f"{language}.md").read_text(encoding="utf-8")
        meta = yaml.safe_load(text.split("---\n")[1])
        assert document.review in {"pending", "reviewed"}
        if document.review == "reviewed":
            assert str(meta.get("reviewed_by") or "").strip(), "a reviewed module names its reviewer"
        starts = ("Je kunt", "Je weet") if language == "nl" else ("You can", "You know")
        assert all(objective.startswith(starts) for objective in document.objectives), document.objectives


def test_pictures_follow_the_svg_rules(module):
    slug, documents = module
    media = set(documents["nl"].media)
    assert media == set(documents["en"].media)
    assert {Path(name).suffix for name in media} <= {".svg", ".webm", ".mp4", ".vtt"}
    for name in (name for name in media if name.endswith(".svg")):
        path = REAL / slug / name
        svg = ET.parse(path).getroot()  # noqa: S314 - our own repository files
        assert svg.tag == f"{SVG_NS}svg"
        assert svg.get("viewBox")
        assert svg.get("role") == "img"
        title = svg.find(f"{SVG_NS}title")
        assert title is not None
        assert (title.text or "").strip()
        for element in svg.iter():
            tag = element.tag.removeprefix(SVG_NS)
            assert tag not in {"script", "image", "foreignObject", "use", "a", "style"}, f"{name}: <{tag}>"
            for attribute in element.attrib:
                local = attribute.split("}")[-1]
                assert not local.startswith("on"), f"{name}: event attribute {attribute}"
                assert local != "href", f"{name}: reference {attribute}"

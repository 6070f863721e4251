"""Loading modules_content/ into the database: versions are kept, changes need a bump, the catalogue query."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers import FIXTURE_APPROVER
from sqlalchemy import func, select

from app import ROOT
from learning.content.hyphenation import strip_soft_hyphens
from learning.content.loader import ContentError, load_module_folder
from learning.content.models import Module, ModuleText
from learning.content.services import (
    check_content,
    get_document,
    get_module,
    get_module_text,
    list_modules_for,
    load_content,
)
from learning.db import db

REAL = ROOT / "modules_content"
SLUGS = sorted(folder.name for folder in REAL.iterdir() if (folder / "nl.md").is_file())
FOR_AUDIENCE = {
    audience: [slug for slug in SLUGS if audience in load_module_folder(REAL / slug)["nl"].audiences]
    for audience in ("patient", "caregiver", "professional")
}


@pytest.fixture
def content_root(tmp_path: Path) -> Path:
    """A private copy of the real modules, safe to edit."""
    root = tmp_path / "content"
    shutil.copytree(REAL, root)
    return root


def text_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ModuleText)) or 0


def stored(slug: str) -> dict[tuple[str, str], ModuleText]:
    module = get_module(slug)
    assert module is not None
    return {(t.language, t.version): t for t in module.texts}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def current_version(folder: Path) -> str:
    return load_module_folder(folder)["nl"].version


def next_minor(version: str) -> str:
    major, minor, _patch = version.split(".")
    return f"{major}.{int(minor) + 1}.0"


def bump(folder: Path, version: str) -> None:
    """Give both languages of the module this version (from whatever version the files have now)."""
    old = current_version(folder)
    for language in ("nl", "en"):
        edit(folder / f"{language}.md", f"version: {old}", f"version: {version}")


def test_load_stores_every_real_module(ctx):
    report = load_content(REAL, FIXTURE_APPROVER)

    assert sorted(report.added) == SLUGS
    assert (report.updated, report.unchanged) == ([], [])
    assert [m.slug for m in db.session.scalars(select(Module).order_by(Module.slug))] == SLUGS
    assert text_count() == 2 * len(SLUGS)
    for slug in SLUGS:
        documents = load_module_folder(REAL / slug)
        module = get_module(slug)
        assert module is not None
        nl = documents["nl"]
        assert module.current_version == nl.version
        assert module.audience_list == list(nl.audiences)
        assert (module.minutes, module.mastery_score) == (nl.minutes, nl.mastery_score)
        texts = stored(slug)
        assert set(texts) == {("nl", nl.version), ("en", nl.version)}
        for language, document in documents.items():
            text = texts[(language, nl.version)]
            assert text.source == (REAL / slug / f"{language}.md").read_text(encoding="utf-8")
            assert (text.title, text.summary) == (document.title, document.summary)
            # what the player shows is the stored text, parsed again
            assert get_document(text) == document


def test_loading_twice_changes_nothing(ctx):
    load_content(REAL, FIXTURE_APPROVER)
    before = {(t.id, t.content_hash, t.loaded_at) for t in db.session.scalars(select(ModuleText))}

    report = load_content(REAL, FIXTURE_APPROVER)

    assert sorted(report.unchanged) == SLUGS
    assert (report.added, report.updated) == ([], [])
    assert {(t.id, t.content_hash, t.loaded_at) for t in db.session.scalars(select(ModuleText))} == before


def test_changed_text_without_version_bump_is_refused(ctx, content_root):
    slug = "naaste-helpen-thuismeten"
    load_content(content_root, FIXTURE_APPROVER)
    original = (content_root / slug / "nl.md").read_text(encoding="utf-8")
    edit(content_root / slug / "nl.md", "\n```likert", "\nEen extra zin.\n\n```likert")  # still a valid module
    assert check_content(content_root) == []

    with pytest.raises(ContentError) as caught:
        load_content(content_root, FIXTURE_APPROVER)

    (problem,) = caught.value.problems
    assert problem.path.endswith(f"{slug}/nl.md")
    assert "bump" in problem.message
    assert current_version(content_root / slug) in problem.message
    db.session.rollback()
    assert stored(slug)[("nl", current_version(content_root / slug))].source == original
    assert text_count() == 2 * len(SLUGS)


def test_whitespace_change_also_needs_a_bump(ctx, content_root):
    # the stored source is what attempts refer to: any byte that changes it is a new version
    load_content(content_root, FIXTURE_APPROVER)
    path = content_root / "rpm-meting-tot-melding" / "en.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(ContentError, match="bump"):
        load_content(content_root, FIXTURE_APPROVER)


def test_bumped_version_is_stored_and_made_current_old_text_stays(ctx, content_root):
    slug = "elke-dag-wegen-hartfalen"
    folder = content_root / slug
    load_content(content_root, FIXTURE_APPROVER)
    old_sources = {lang: (folder / f"{lang}.md").read_text(encoding="utf-8") for lang in ("nl", "en")}
    old_document = load_module_folder(folder)["nl"]
    old, new = old_document.version, next_minor(old_document.version)
    bump(folder, new)
    edit(folder / "nl.md", "Weeg jezelf elke ochtend.", "Weeg jezelf iedere ochtend.")

    report = load_content(content_root, FIXTURE_APPROVER)

    assert report.updated == [slug]
    assert sorted(report.unchanged) == [s for s in SLUGS if s != slug]
    assert report.added == []
    module = get_module(slug)
    assert module is not None
    assert module.current_version == new
    texts = stored(slug)
    assert set(texts) == {("nl", old), ("en", old), ("nl", new), ("en", new)}
    # an attempt that started on the old version still finds exactly what it showed
    old_nl = get_module_text(module, old, "nl")
    assert old_nl is not None
    assert old_nl.source == old_sources["nl"]
    assert get_document(old_nl) == old_document
    assert texts[("en", old)].source == old_sources["en"]
    new_nl = get_module_text(module, new, "nl")
    assert new_nl is not None
    assert "Weeg jezelf iedere ochtend." in new_nl.source
    assert "iedere ochtend" in strip_soft_hyphens(get_document(new_nl).steps[0].html)
    # the catalogue shows the new version
    listed = {module.slug: text.version for module, text in list_modules_for("patient", "nl")}
    assert listed[slug] == new


def test_failed_load_leaves_nothing_behind_in_the_session(ctx, content_root):
    # regression: a module stored before the refused one stayed pending in the session, and the next commit
    # in the same context (any request or command) would have published half a load
    load_content(content_root, FIXTURE_APPROVER)
    old = current_version(content_root / "elke-dag-wegen-hartfalen")
    texts_before = text_count()
    bump(content_root / "elke-dag-wegen-hartfalen", next_minor(old))
    edit(content_root / "rpm-meting-tot-melding" / "nl.md", "\n```likert", "\nEen extra zin.\n\n```likert")

    with pytest.raises(ContentError, match="bump"):
        load_content(content_root, FIXTURE_APPROVER)

    module = get_module("elke-dag-wegen-hartfalen")
    assert module is not None
    assert module.current_version == old
    assert text_count() == texts_before
    db.session.commit()
    db.session.remove()
    assert text_count() == texts_before
    assert {v for (_, v) in stored("elke-dag-wegen-hartfalen")} == {old}


def test_broken_tree_stores_nothing(ctx, content_root, write_module, nl_text):
    write_module("kapotte-module", nl=nl_text.replace("::: tip", "::: foo"), en=None, root=content_root)

    with pytest.raises(ContentError) as caught:
        load_content(content_root, FIXTURE_APPROVER)

    assert {Path(p.path).parent.name for p in caught.value.problems} == {"kapotte-module"}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Module)) == 0
    assert text_count() == 0


def test_check_content_lists_problems_of_every_module(tmp_path, write_module, nl_text, en_text):
    root = tmp_path / "modules"
    write_module("goed", root=root)
    write_module("fout-een", nl=nl_text.replace("minutes: 5", "minutes: 0"), root=root)
    write_module("fout-twee", en=en_text.replace("version: 1.0.0", "version: 9.9.9"), root=root)
    problems = check_content(root)
    assert sorted((Path(p.path).parent.name, Path(p.path).name) for p in problems) == [
        ("fout-een", "nl.md"),
        ("fout-twee", "en.md"),
    ]
    assert check_content(REAL) == []


def test_check_content_on_a_missing_folder_is_a_problem_not_a_crash(tmp_path):
    # regression: FileNotFoundError escaped (a traceback for a mistyped `flask content check PATH`)
    missing = tmp_path / "bestaat-niet"
    (problem,) = check_content(missing)
    assert problem.path == str(missing)
    assert "not found" in problem.message


# --- the catalogue query --------------------------------------------------------------------------------------


def test_list_modules_filters_by_audience(ctx):
    load_content(REAL, FIXTURE_APPROVER)

    def slugs(audience):
        return [module.slug for module, _ in list_modules_for(audience, "nl")]

    for audience, expected in FOR_AUDIENCE.items():
        assert expected
        assert slugs(audience) == expected
    assert slugs(None) == SLUGS
    assert slugs("nobody") == []


def test_list_modules_gives_the_asked_language(ctx):
    load_content(REAL, FIXTURE_APPROVER)
    for language in ("nl", "en"):
        listed = list_modules_for(None, language)
        assert [text.language for _, text in listed] == [language] * len(SLUGS)
        for module, text in listed:
            assert text.title == load_module_folder(REAL / module.slug)[language].title
            assert text.version == module.current_version


def test_module_for_several_audiences_is_listed_for_each(ctx, tmp_path, write_module):
    root = tmp_path / "modules"
    write_module("weeg-test", root=root)  # audience: [patient, caregiver]
    load_content(root, FIXTURE_APPROVER)
    assert [m.slug for m, _ in list_modules_for("patient", "nl")] == ["weeg-test"]
    assert [m.slug for m, _ in list_modules_for("caregiver", "nl")] == ["weeg-test"]
    assert list_modules_for("professional", "nl") == []


def test_list_modules_falls_back_to_dutch(ctx, tmp_path, write_module, nl_text):
    root = tmp_path / "modules"
    write_module("alleen-nederlands", en=None, root=root)
    write_module("tweetalig", root=root)
    load_content(root, FIXTURE_APPROVER)

    listed = {module.slug: text for module, text in list_modules_for(None, "en")}
    assert listed["alleen-nederlands"].language == "nl"
    assert listed["alleen-nederlands"].title == "Weeg je elke dag"
    assert listed["tweetalig"].language == "en"
    # a language no module has: Dutch everywhere; German readers get English where it exists (learning/i18n.py)
    assert {text.language for _, text in list_modules_for(None, "fr")} == {"nl"}
    german = {module.slug: text.language for module, text in list_modules_for(None, "de")}
    assert german == {"alleen-nederlands": "nl", "tweetalig": "en"}


def test_a_language_added_to_a_published_version_is_found_by_a_running_app(ctx, content_root):
    """Texts are kept per worker between requests (published_texts): a later `content load` must still be seen."""
    slug = "elke-dag-wegen-hartfalen"
    english = content_root / slug / "en.md"
    saved = english.read_text(encoding="utf-8")
    english.unlink()
    load_content(content_root, FIXTURE_APPROVER)
    module = get_module(slug)
    assert module is not None
    before = get_module_text(module, module.current_version, "en")
    assert before is not None
    assert before.language == "nl"  # no English yet: the closest language

    english.write_text(saved, encoding="utf-8")
    load_content(content_root, FIXTURE_APPROVER)

    module = get_module(slug)
    assert module is not None
    after = get_module_text(module, module.current_version, "en")
    assert after is not None
    assert after.language == "en"
    assert get_document(after).language == "en"

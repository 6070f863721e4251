"""docs/metrics.md is the project's reference for every metric: it must say what the registry computes."""

from __future__ import annotations

from app import ROOT
from learning.metrics.definitions import DEFINITIONS


def test_every_metric_of_the_registry_is_documented_with_its_definition():
    doc = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip().strip("`"): line for line in doc.splitlines() if line.startswith("| `")}
    assert set(rows) == {spec.code for spec in DEFINITIONS}
    for spec in DEFINITIONS:
        assert spec.formula_en.replace("|", "\\|") in rows[spec.code], spec.code
        assert spec.name_en in rows[spec.code], spec.code


def test_every_metric_is_documented_in_words_before_its_formula():
    from learning.dashboards.explanations import example, sentence

    doc = (ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip().strip("`"): line for line in doc.splitlines() if line.startswith("| `")}
    for spec in DEFINITIONS:
        row = rows[spec.code]
        words = row.index(sentence(spec.code, "en").replace("|", "\\|"))
        assert (
            words
            < row.index(example(spec.code, "en").replace("|", "\\|"))
            < row.index(spec.formula_en.replace("|", "\\|"))
        )


TEXT_SUFFIXES = {".py", ".md", ".html", ".txt", ".toml", ".cfg", ".ini", ".po", ".js", ".css", ".yml", ".yaml", ".sh"}
OUTSIDE_DOCS = ("../" + "shared", "shared/" + "domain", "metrics.md " + "§")  # split: this file must not match itself


def test_nothing_in_the_repository_points_to_documents_outside_it():
    """The project documents itself: a reference to a folder beside the repository, or to the numbered sections of a
    document nobody outside has, is a broken link for every reader."""
    import subprocess

    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    offenders = []
    for name in tracked:
        path = ROOT / name
        if path.suffix not in TEXT_SUFFIXES or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{name}: {needle}" for needle in OUTSIDE_DOCS if needle in text]
    assert offenders == []

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

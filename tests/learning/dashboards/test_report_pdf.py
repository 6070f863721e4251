"""The steering group's PDF: every section of the page, the suppression note once, and tagged for PDF/UA
(structure tree, document language, title, alt text on every chart). Text read back with poppler's `pdftotext`,
the tags with pypdf."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from dashboard_helpers import DISTRICT, HIDDEN_FIGURES, WARD, Region
from flask.testing import FlaskClient
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

NOTE = "Groepen van minder dan 5 medewerkers of 10 patiënten zijn verborgen"


def pdftotext(data: bytes) -> str:
    """The PDF's text as poppler reads it (as a screen reader or a search would), whitespace made single."""
    assert data.startswith(b"%PDF")
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext (poppler-utils) is missing: scripts/system-packages.sh installs it"
    text = subprocess.run([tool, "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True).stdout
    return " ".join(text.decode().split())


def structure(node: Any) -> Iterator[DictionaryObject]:
    """Walk the structure tree depth first."""
    node = node.get_object()
    if isinstance(node, DictionaryObject):
        if "/S" in node:
            yield node
        kids = node.get("/K")
        if kids is not None:
            for kid in kids if isinstance(kids, ArrayObject) else [kids]:
                yield from structure(kid)


@pytest.fixture
def environment_pdf(login: Callable[[Any], FlaskClient], manager_of: Callable[[int], Any], cells: Region) -> bytes:
    response = login(manager_of(cells.hospital)).get(f"/dashboards/environments/{cells.environment}/report.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return response.data


def test_pdf_holds_every_section_the_note_once_and_no_hidden_figure_in_its_summary(environment_pdf: bytes) -> None:
    text = pdftotext(environment_pdf)
    for section in ("Wat vraagt aandacht", "Opleiding en gebruik per team", "In de tijd", "RE-AIM",
                    "Niveau 1", "Niveau 2", "Niveau 3", "Niveau 4", "NASSS", "CFIR"):  # fmt: skip
        assert section in text, section
    assert text.count(NOTE) == 1
    assert WARD in text
    assert "70%" in text
    summary = text[: text.index("Hoe lees je")]
    assert DISTRICT not in summary
    for hidden in HIDDEN_FIGURES:
        assert hidden not in summary, hidden


def test_pdf_is_tagged_in_dutch_with_a_title_and_alt_text_on_every_chart(environment_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(environment_pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata is not None
    assert reader.metadata.title.startswith("Env")
    tags = list(structure(root["/StructTreeRoot"]))
    kinds = {str(tag["/S"]) for tag in tags}
    assert {"/H1", "/H2", "/Table", "/TH", "/TD", "/Figure"} <= kinds
    figures = [tag for tag in tags if tag["/S"] == "/Figure"]
    assert len(figures) == 2  # readiness and the trend
    assert all(str(figure.get("/Alt", "")).strip() for figure in figures)
    assert any("Opleiding en gebruik per team" in str(figure["/Alt"]) for figure in figures)

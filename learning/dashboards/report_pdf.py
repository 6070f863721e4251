"""The steering group's PDF: the dashboard page's sections as tagged HTML, printed by WeasyPrint as PDF/UA-1.

Why WeasyPrint: a report must be readable with a screen reader and searchable, so the PDF needs a structure tree
(headings, tables with header cells, figures with alt text), a document language and a title (PDF/UA, ISO 14289).
matplotlib's PDF backend, used before, writes untagged pages of drawn text. WeasyPrint (BSD, maintained by
CourtBouillon) lays out ordinary HTML and CSS and, with `pdf_variant="pdf/ua-1"`, tags it from the HTML's own
semantics and `lang`. So the report is built from the same Jinja macros as the page and cannot drift from it.
It needs Pango (Debian `libpango-1.0-0`, `libpangoft2-1.0-0`; scripts/system-packages.sh).

Charts go in as PNG pictures drawn by `images.chart_png` (the same drawing as the PNG download), each with alt text
that says what it shows and that its figures follow as a table. WeasyPrint and matplotlib load only for an export.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from learning.dashboards.charts import Chart


@dataclass(frozen=True)
class Picture:
    """A chart as an image for the report: a data URI and its alt text."""

    src: str
    alt: str


def chart_alt(chart: Chart) -> str:
    """Return the chart's alt text: what it shows, and where its figures are (a picture is never the only source)."""
    return _("%(title)s. %(description)s The figures are in the table below the chart.", title=chart.title,
             description=chart.description)  # fmt: skip


def pictures(charts: Sequence[Chart], locale: str) -> dict[str, Picture]:
    """Draw each chart with a category to show as a PNG data URI, keyed by the chart's key."""
    from learning.dashboards.images import chart_png  # matplotlib loads only for exports

    drawn = {}
    for chart in charts:
        data = base64.b64encode(chart_png(chart, locale)).decode("ascii") if chart.categories else ""
        drawn[chart.key] = Picture(f"data:image/png;base64,{data}", chart_alt(chart))
    return drawn


def pdf_from_html(html: str, base_url: str) -> bytes:
    """Print the report's HTML as a tagged PDF (PDF/UA-1: structure tree, /Lang, title shown, alt text).

    `base_url` makes the report's links (metric definitions, environment pages) absolute, so they work from a file.
    """
    from weasyprint import HTML  # loads Pango; only for exports

    data = HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1")
    if data is None:  # write_pdf returns bytes when no target is given; said here for the type checker
        raise RuntimeError("WeasyPrint wrote no PDF")
    return data

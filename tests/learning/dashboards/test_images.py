"""PNG exports of dashboard charts: real files, decoded and read back with Pillow."""

from __future__ import annotations

import io
import itertools
import math
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image

from learning.dashboards.charts import STYLES, Chart, Point, Series, axis_ticks
from learning.dashboards.images import chart_figure, chart_png, draw_chart

HIDDEN, EMPTY = Point(None, "suppressed"), Point(None, "empty")
MONTHS = ("Aug 2026", "Sep 2026", "Oct 2026")
TREND = Chart("trend-trn-coverage", "Trained staff over time", "Share of trained staff per month.", "line", "ratio",
              MONTHS, (Series("Trained staff", (Point(0.8125), HIDDEN, Point(0.9))),
                       Series("Region", (Point(0.5), Point(0.55), EMPTY))))  # fmt: skip
WAIT = Chart("alert-wait", "Median time to handle an alert", "Minutes per team.", "bar", "minutes",
             ("Hartfalen Twente", "COPD Almelo"), (Series("Median", (Point(42.5), EMPTY)),), "Median wait")  # fmt: skip
ALL_HIDDEN = Chart("hidden", "Small teams", "Every cell is too small to show.", "bar", "ratio", ("Team A", "Team B"),
                   (Series("Trained staff", (HIDDEN, HIDDEN)),))  # fmt: skip
NOTE = "Cells of fewer than 5 staff or 10 patients are hidden."


def png_image(chart: Chart, locale: str = "en") -> Image.Image:
    data = chart_png(chart, locale)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


def has_colour(image: Image.Image, colour: str) -> bool:
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return any(count and pixel == rgb for count, pixel in image.getcolors(maxcolors=1 << 20) or [])


@pytest.mark.parametrize("chart", [TREND, WAIT], ids=["line", "bar"])
def test_png_decodes_to_a_slide_sized_picture(chart):
    image = png_image(chart)
    assert 900 <= image.width <= 1600
    assert 200 <= image.height <= 1200


def test_png_draws_each_series_in_its_colour():
    image = png_image(TREND)
    assert has_colour(image, STYLES[0].colour)
    assert has_colour(image, STYLES[1].colour)


def test_png_of_an_all_hidden_chart_draws_no_bar():
    image = png_image(ALL_HIDDEN)
    assert not has_colour(image, STYLES[0].colour)


def drawn(chart: Chart) -> Axes:
    ax = Figure().add_subplot()
    draw_chart(ax, chart, "en", axis_ticks(chart))
    return ax


def test_line_breaks_at_gaps_in_the_picture_too():
    trained, region = drawn(TREND).get_lines()[:2]
    assert trained.get_ydata()[0] == 0.8125
    assert math.isnan(trained.get_ydata()[1])  # hidden: matplotlib leaves a gap and draws no marker there
    assert math.isnan(region.get_ydata()[2])  # no data


def test_picture_draws_a_bar_for_shown_values_only():
    ax = drawn(WAIT)
    assert [p.get_width() for p in ax.patches] == [42.5]
    assert "no data" in [t.get_text() for t in ax.texts]


def test_png_of_many_teams_grows_downwards():
    teams = tuple(f"Team {i}" for i in range(40))
    series = tuple(Series(f"S{j}", tuple(Point(((i + j) % 10) / 10) for i in range(40))) for j in range(4))
    image = png_image(Chart("many", "Many teams", "d", "bar", "ratio", teams, series))
    assert image.height > 3 * image.width


def test_png_is_the_same_from_parallel_threads():
    with ThreadPoolExecutor(max_workers=3) as pool:
        pictures = list(pool.map(lambda _: chart_png(TREND, "en"), range(3)))
    assert pictures[0] == pictures[1] == pictures[2] == chart_png(TREND, "en")


def test_importing_the_chart_modules_does_not_load_matplotlib():
    code = "import sys, learning.dashboards.images, learning.dashboards.charts; print('matplotlib' in sys.modules)"
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


LONG_NAMES = (
    "Wijkverpleging Noordoost-Twente, team Hengelo-Borne-Haaksbergen (Stichting Thuiszorg en Wijkverpleging Twente)",
    "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW (Ziekenhuisgroep Twente)",  # one word wider than the left margin
    "Hartfalenpoli (ZGT)",
)


@pytest.mark.parametrize("series_count", [1, 5])
def test_png_keeps_every_text_inside_the_picture_and_every_team_name_whole(series_count):
    series = tuple(Series(f"Figure {j}", (Point(1.0), HIDDEN, Point(0.4))) for j in range(series_count))
    chart = Chart("readiness", "Readiness and adoption per team, a long title that needs two lines on a slide " * 2,
                  "d", "bar", "ratio", LONG_NAMES, series)  # fmt: skip
    fig = chart_figure(chart, "en")
    fig.canvas.draw()  # type: ignore[attr-defined]
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    width, height = fig.bbox.width, fig.bbox.height
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert len(texts) > len(LONG_NAMES)
    for text in texts:
        box = text.get_window_extent(renderer)
        inside = box.x0 >= -0.5 and box.y0 >= -0.5 and box.x1 <= width + 0.5 and box.y1 <= height + 0.5
        assert inside, f"{text.get_text()!r} at {box} is cut off a {width}x{height} picture"
    names = ["".join(label.get_text().split()) for label in fig.axes[0].get_yticklabels()]
    assert names == ["".join(name.split()) for name in LONG_NAMES]  # wrapped, never shortened
    lines = [label.get_window_extent(renderer) for label in fig.axes[0].get_yticklabels()]
    assert all(a.y0 >= b.y1 for a, b in itertools.pairwise(lines))  # names do not overlap
    image = png_image(chart).convert("L")  # and in the file itself: no ink on the picture's edges
    edges = [image.getpixel((x, y)) for y in range(image.height) for x in (0, image.width - 1)]
    assert min(edges) > 200

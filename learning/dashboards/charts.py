"""Charts of dashboard metrics as accessible SVG, with the data table that carries the same numbers.

Pure on purpose (no Flask, no database): the page, the PNG/PDF export and the tests build a `Chart` and get the
same drawing and the same formatted cells. The SVG is built as plain strings because a page draws about ten charts
within its time budget; it uses presentation attributes only, since the site's Content-Security-Policy blocks inline
styles. A suppressed or missing value is never drawn or guessed: a line breaks at it and a bar becomes a label.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup, escape

from learning.dashboards.numbers import Status, band_bound, format_band, format_value, words

__all__ = ["Chart", "Point", "Series", "Status", "format_point", "format_value", "render_svg", "table", "words"]


@dataclass(frozen=True)
class Point:
    """One cell of a chart; a missing value keeps its reason, because "hidden" and "no data" read differently."""

    value: float | None  # None unless status == "ok"
    status: Status = "ok"
    band: tuple[int, float] | None = None  # banded: (k, n), the count is below k of a group of n

    def __post_init__(self) -> None:
        if self.status != "ok" and self.value is not None:
            raise ValueError("a suppressed, banded or empty point carries no value")  # it would leak into a chart
        if (self.status == "banded") != (self.band is not None):
            raise ValueError("a banded point, and only a banded point, carries its band")

    @property
    def bound(self) -> float | None:
        """The share a banded point lies below (what a chart draws its outline up to), else None."""
        return band_bound(*self.band) if self.band is not None else None


def format_point(point: Point, unit: str, locale: str, *, short: bool = False) -> str:
    """Return a point as every view, table and export shows it (a band as "< 12% (minder dan 10 van 85)")."""
    if point.band is not None:
        return format_band(*point.band, locale, short=short)
    return format_value(point.value, unit, locale, point.status)


@dataclass(frozen=True)
class Series:
    """One line or one bar colour: a legend label and a point per category."""

    name: str
    points: tuple[Point, ...]


@dataclass(frozen=True)
class Chart:
    """Everything a chart shows, so the SVG, the table, the PNG and the PDF cannot disagree."""

    key: str  # stable slug: the SVG's id prefix and the export's file name
    title: str
    description: str
    kind: Literal["line", "bar"]
    unit: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    value_label: str = ""

    def __post_init__(self) -> None:
        if any(len(s.points) != len(self.categories) for s in self.series):
            raise ValueError(f"chart {self.key!r}: every series needs one point per category")


@dataclass(frozen=True)
class SeriesStyle:
    """How a series is drawn, the same in SVG and matplotlib."""

    colour: str  # at least 4.5:1 against white, above the 3:1 that WCAG 1.4.11 asks of graphics
    marker: Literal["circle", "square", "triangle", "diamond", "triangle_down", "ring"]
    dash: tuple[float, ...]  # empty: solid


# Shape and dash differ as well as colour, so series stay apart in greyscale and for colour-blind readers.
STYLES = (
    SeriesStyle("#1f5aa6", "circle", ()),
    SeriesStyle("#b3470f", "square", (10, 5)),
    SeriesStyle("#1e7b3c", "triangle", (3, 4)),
    SeriesStyle("#7a3e9d", "diamond", (12, 4, 3, 4)),
    SeriesStyle("#00707a", "triangle_down", (6, 3)),
    SeriesStyle("#5c5c5c", "ring", (2, 3)),
)

_MIN_STEP = {"ratio": 0.01, "minutes": 1, "days": 1, "count": 1, "per_100_patient_days": 0.1, "likert_points": 0.1}

WIDTH = 640
_FONT = 28  # viewBox units: >= 14 px when the 640-unit chart is shown on a 360 px phone (about 328 px wide)
_CHAR_W = 0.6 * _FONT  # a generous average glyph width, to lay text out without measuring it
_INK, _MUTED, _AXIS, _GRID = "#1a1a1a", "#595959", "#595959", "#d9d9d9"


def table(chart: Chart, locale: str) -> tuple[list[str], list[list[str]]]:
    """Return the chart's data table (headers, rows of cells): the HTML table, CSV and PDF show these cells."""
    one_named = len(chart.series) == 1 and chart.value_label
    names = [chart.value_label] if one_named else [s.name for s in chart.series]
    rows = [
        [category, *(format_point(s.points[i], chart.unit, locale) for s in chart.series)]
        for i, category in enumerate(chart.categories)
    ]
    return [words(locale)[chart.kind], *names], rows


def is_shown(point: Point) -> bool:
    """Return whether a point may be drawn: suppressed and empty points never are, not even to size the axis."""
    return point.status == "ok" and point.value is not None and math.isfinite(point.value)


def _shown_values(chart: Chart) -> list[float]:
    """Return the values the chart draws, which alone decide its axis."""
    drawn = [p.value for s in chart.series for p in s.points if is_shown(p) and p.value is not None]
    return drawn + [p.bound for s in chart.series for p in s.points if p.bound is not None]  # a band's outline


def _steps(min_step: float) -> Iterator[float]:
    exponent = math.floor(math.log10(min_step))
    while True:
        for mantissa in (1, 2, 2.5, 5):
            step = mantissa * 10.0**exponent
            multiple = step / min_step
            if step >= min_step * 0.999 and abs(multiple - round(multiple)) < 1e-9:
                yield step
        exponent += 1


def nice_ticks(lo: float, hi: float, min_step: float) -> tuple[float, ...]:
    """Return 3 to 5 round axis values covering lo..hi, in steps the unit's format can show unrounded."""
    for step in _steps(min_step):
        first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
        if last - first <= 4:
            last = max(last, first + 2)
            return tuple(round(k * step, 10) for k in range(first, last + 1))
    raise AssertionError("unreachable: steps grow without bound")  # pragma: no cover


def axis_ticks(chart: Chart) -> tuple[float, ...]:
    """Return the value axis: 0-100 % for shares, else from zero to a round number above the largest value."""
    values = _shown_values(chart)
    if chart.unit == "ratio" and all(0 <= v <= 1 for v in values):
        return (0.0, 0.25, 0.5, 0.75, 1.0)
    lo, hi = min([0.0, *values]), max([0.0, *values])
    return nice_ticks(lo, hi, _MIN_STEP.get(chart.unit, 1))


def _e(text: str) -> str:
    return str(escape(text))


def _text_w(text: str) -> float:
    return len(text) * _CHAR_W


def _fit(text: str, width: float) -> str:
    limit = max(4, int(width / _CHAR_W))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _wrap(text: str, width: float, max_lines: int = 2) -> list[str]:
    """Break a long team name over two lines for a phone, cutting only what still does not fit."""
    limit, lines, line = max(4, int(width / _CHAR_W)), [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > limit:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
    return [_fit(part, width) for part in lines]


def _marker(style: SeriesStyle, x: float, y: float, size: float = 7, tip: str = "", cls: str = "marker") -> str:
    """Return one data point's marker (or a legend key: cls="key"), with a tooltip for pointer users."""
    title = f"<title>{_e(tip)}</title>" if tip else ""
    common = f'class="{cls}" fill="{style.colour}"'
    s = size
    if style.marker == "circle":
        return f'<circle {common} cx="{x:.1f}" cy="{y:.1f}" r="{s * 0.85:.1f}">{title}</circle>'
    if style.marker == "ring":
        ring = f'class="{cls}" fill="#ffffff" stroke="{style.colour}" stroke-width="3"'
        return f'<circle {ring} cx="{x:.1f}" cy="{y:.1f}" r="{s * 0.75:.1f}">{title}</circle>'
    if style.marker == "square":
        return f'<rect {common} x="{x - s * 0.8:.1f}" y="{y - s * 0.8:.1f}" width="{s * 1.6:.1f}" height="{s * 1.6:.1f}">{title}</rect>'  # noqa: E501
    shapes = {
        "triangle": ((0, -1.1), (1, 0.75), (-1, 0.75)),
        "triangle_down": ((0, 1.1), (1, -0.75), (-1, -0.75)),
        "diamond": ((0, -1.15), (1.15, 0), (0, 1.15), (-1.15, 0)),
    }
    d = "M" + " L".join(f"{x + dx * s:.1f},{y + dy * s:.1f}" for dx, dy in shapes[style.marker]) + " Z"
    return f'<path {common} d="{d}">{title}</path>'


def _dash(style: SeriesStyle) -> str:
    return f' stroke-dasharray="{" ".join(f"{d:g}" for d in style.dash)}"' if style.dash else ""


def _svg(chart: Chart, height: float, body: list[str]) -> Markup:
    key = _e(chart.key)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{key}-title {key}-desc" '
        f'viewBox="0 0 {WIDTH} {math.ceil(height)}" width="100%" class="chart chart-{chart.kind}" '
        f'font-family="system-ui, sans-serif" font-size="{_FONT}" fill="{_INK}">'
        f'<title id="{key}-title">{_e(chart.title)}</title><desc id="{key}-desc">{_e(chart.description)}</desc>'
    )
    # Every text and attribute value from outside went through _e(); the rest is built here from numbers.
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704


def _swatch(chart: Chart, style: SeriesStyle, x: float, y: float) -> str:
    if chart.kind == "bar":  # a bar's key is its colour and the marker beside each bar, not a dashed line
        swatch = f'<rect x="{x + 24:.1f}" y="{y - 9:.1f}" width="20" height="18" fill="{style.colour}"/>'
        return swatch + _marker(style, x + 8, y, size=6, cls="key")
    line = f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 44:.1f}" y2="{y:.1f}" stroke="{style.colour}" stroke-width="3"'
    return f"{line}{_dash(style)}/>{_marker(style, x + 22, y, cls='key')}"


def _legend(chart: Chart, top: float, left: float = 8) -> tuple[list[str], float]:
    """Return one legend row per series (names stay whole on a phone) and the height used."""
    if len(chart.series) < 2:
        return [], 0.0
    parts, row = ['<g class="legend">'], 34
    for i, s in enumerate(chart.series):
        style, y = STYLES[i % len(STYLES)], top + i * row + row / 2
        name = _e(_fit(s.name, WIDTH - left - 60))
        parts.append(f'{_swatch(chart, style, left, y)}<text x="{left + 56:.1f}" y="{y:.1f}" dy="0.35em">{name}</text>')
    parts.append("</g>")
    return parts, len(chart.series) * row + 8


def render_svg(chart: Chart, locale: str) -> Markup:
    """Return the chart as an inline SVG that scales to its container and names itself to screen readers.

    :raises ValueError: for an unknown chart kind, unit or language.
    """
    if chart.kind == "line":
        return _line_svg(chart, locale)
    if chart.kind == "bar":
        return _bar_svg(chart, locale)
    raise ValueError(f"unknown chart kind {chart.kind!r}")


def label_every(categories: Sequence[str], room: float, text_width: Callable[[str], float]) -> int:
    """Return n to label every n-th category so the labels do not overlap in `room` per category."""
    widest = max((text_width(c) for c in categories), default=0.0)
    return max(1, math.ceil((widest + 16) / room)) if room > 0 else 1


def _line_svg(chart: Chart, locale: str) -> Markup:
    ticks = axis_ticks(chart)
    tick_labels = [format_value(t, chart.unit, locale) for t in ticks]
    n, pad, top, plot_h = len(chart.categories), 14.0, 24.0, 260.0
    half_label = max((_text_w(c) for c in chart.categories), default=0.0) / 2
    left = max(max(_text_w(t) for t in tick_labels) + 16, half_label - pad + 4)
    right = max(12.0, half_label - pad + 4)
    span = WIDTH - left - right - 2 * pad
    xs = [left + pad + (i * span / (n - 1) if n > 1 else span / 2) for i in range(n)]
    lo, hi = ticks[0], ticks[-1]

    def y_of(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (hi - lo))

    body = ['<g class="axis">']
    for tick, label in zip(ticks, tick_labels, strict=True):
        y, colour = y_of(tick), _AXIS if tick == 0 else _GRID
        body.append(f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{WIDTH - right:.1f}" y2="{y:.1f}" stroke="{colour}"/>')
        body.append(f'<text x="{left - 8:.1f}" y="{y:.1f}" dy="0.35em" text-anchor="end">{_e(label)}</text>')
    every = label_every(chart.categories, span / (n - 1) if n > 1 else span, _text_w)
    x_label_y = top + plot_h + 32
    for i, category in enumerate(chart.categories):
        if i % every == 0:
            body.append(f'<text x="{xs[i]:.1f}" y="{x_label_y:.1f}" text-anchor="middle">{_e(category)}</text>')
    body.append("</g>")
    for i, s in enumerate(chart.series):
        body.extend(_line_series(chart, s, STYLES[i % len(STYLES)], xs, y_of, locale))
    legend, legend_h = _legend(chart, x_label_y + 16)
    return _svg(chart, x_label_y + 16 + legend_h, body + legend)


def _runs(points: Sequence[Point]) -> list[list[int]]:
    """Return the indexes of consecutive shown points: a line joins a run and breaks at every gap."""
    result: list[list[int]] = []
    previous_shown = False
    for i, p in enumerate(points):
        shown = is_shown(p)
        if shown and previous_shown:
            result[-1].append(i)
        elif shown:
            result.append([i])
        previous_shown = shown
    return result


def _line_series(
    chart: Chart, series: Series, style: SeriesStyle, xs: list[float], y_of: Callable[[float], float], locale: str
) -> list[str]:
    segments = _runs(series.points)
    d = " ".join(
        "M" + " L".join(f"{xs[i]:.1f},{y_of(series.points[i].value or 0):.1f}" for i in run)
        for run in segments
        if len(run) > 1
    )
    parts = [f'<g class="series" fill="{style.colour}">']
    if d:
        stroke = f'stroke="{style.colour}" stroke-width="3" stroke-linejoin="round"{_dash(style)}'
        parts.append(f'<path d="{d}" fill="none" {stroke}/>')
    prefix = f"{series.name}, " if len(chart.series) > 1 else ""
    for i in (i for run in segments for i in run):
        value = series.points[i].value or 0
        tip = f"{prefix}{chart.categories[i]}: {format_value(value, chart.unit, locale)}"
        parts.append(_marker(style, xs[i], y_of(value), tip=tip))
    parts.append("</g>")
    return parts


_BAR, _BAR_GAP, _GROUP_GAP, _LINE_H = 24.0, 6.0, 16.0, 28.0


def _bar_geometry(chart: Chart, locale: str, cells: list[list[str]]) -> tuple[float, float, float]:
    """Return where the value axis starts and ends, and the marker gutter, leaving room for the end labels."""
    ticks = axis_ticks(chart)
    gutter = 30.0 if len(chart.series) > 1 else 0.0
    labelled = [(value, cell) for s, row in zip(chart.series, cells, strict=True)
                for p, cell in zip(s.points, row, strict=True)
                if (value := p.bound if p.bound is not None else p.value if is_shown(p) else None)
                is not None]  # fmt: skip
    widest = max((_text_w(cell) for _, cell in labelled), default=0.0)
    widest_negative = max((_text_w(cell) + 8 for value, cell in labelled if value < 0), default=0.0)
    first_tick = _text_w(format_value(ticks[0], chart.unit, locale)) / 2 + 2
    x_lo = gutter + max(first_tick, widest_negative)
    x_hi = WIDTH - 8 - max(widest + 8, _text_w(format_value(ticks[-1], chart.unit, locale)) / 2)
    return x_lo, max(x_hi, x_lo + WIDTH / 3), gutter


def _bar_svg(chart: Chart, locale: str) -> Markup:
    cells = [[format_point(p, chart.unit, locale, short=True) for p in s.points] for s in chart.series]
    x_lo, x_hi, gutter = _bar_geometry(chart, locale, cells)
    ticks = axis_ticks(chart)
    lo, hi = ticks[0], ticks[-1]

    def x_of(v: float) -> float:
        return x_lo + (v - lo) / (hi - lo) * (x_hi - x_lo)

    legend, legend_h = _legend(chart, 4)
    axis_y = legend_h + 26
    groups, y = [], axis_y + 16
    for i, category in enumerate(chart.categories):
        lines = _wrap(category, WIDTH - 8)
        groups.append(f'<g class="group"><text x="4" y="{y + 19:.1f}" font-weight="bold">')
        groups.extend(f'<tspan x="4" dy="{_LINE_H if n else 0:.0f}">{_e(t)}</tspan>' for n, t in enumerate(lines))
        groups.append("</text>")
        y += len(lines) * _LINE_H + 4
        for j in range(len(chart.series)):
            groups.append(_bar(chart, j, i, cells[j][i], x_of, y, gutter, locale))
            y += _BAR + _BAR_GAP
        groups.append("</g>")
        y += _GROUP_GAP
    grid = ['<g class="axis">']
    for tick in ticks:
        x, colour = x_of(tick), _AXIS if tick == 0 else _GRID
        label = _e(format_value(tick, chart.unit, locale))
        grid.append(f'<line x1="{x:.1f}" y1="{axis_y + 8:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="{colour}"/>')
        grid.append(f'<text x="{x:.1f}" y="{axis_y:.1f}" text-anchor="middle">{label}</text>')
    grid.append("</g>")
    return _svg(chart, y, legend + grid + groups)


def _bar(chart: Chart, j: int, i: int, cell: str, x_of: Callable[[float], float], y: float, gutter: float,
         locale: str) -> str:  # fmt: skip
    series, style = chart.series[j], STYLES[j % len(STYLES)]
    point, mid = series.points[i], y + _BAR / 2
    key = _marker(style, gutter / 2, mid, size=6, cls="key") if gutter else ""
    zero = x_of(0)
    if is_shown(point) and point.value is not None:
        end = x_of(point.value)
        tip = f"{series.name}, " if len(chart.series) > 1 else ""
        tip += f"{chart.categories[i]}: {cell}"
        anchor, label_x = ("start", end + 6) if point.value >= 0 else ("end", end - 6)
        return (
            f'{key}<rect class="bar" x="{min(zero, end):.1f}" y="{y:.1f}" width="{abs(end - zero):.1f}" '
            f'height="{_BAR:.1f}" fill="{style.colour}"><title>{_e(tip)}</title></rect>'
            f'<text x="{label_x:.1f}" y="{mid:.1f}" dy="0.35em" text-anchor="{anchor}">{_e(cell)}</text>'
        )
    if point.band is not None and point.bound is not None:  # an outline up to the bound, never a filled length
        end = x_of(point.bound)
        tip = f"{series.name}, " if len(chart.series) > 1 else ""
        tip += f"{chart.categories[i]}: {format_point(point, chart.unit, locale)}"
        return (
            f'{key}<rect class="banded-value" x="{zero:.1f}" y="{y + 1:.1f}" width="{max(end - zero, 2):.1f}" '
            f'height="{_BAR - 2:.1f}" fill="none" stroke="{style.colour}" stroke-width="2" stroke-dasharray="6 3">'
            f"<title>{_e(tip)}</title></rect>"
            f'<text x="{end + 6:.1f}" y="{mid:.1f}" dy="0.35em">{_e(cell)}</text>'
        )
    if point.status == "suppressed":
        text = words(locale)["hidden"]
        return (
            f'{key}<rect class="hidden-value" x="{zero + 2:.1f}" y="{y + 1:.1f}" width="{_text_w(text) + 12:.1f}" '
            f'height="{_BAR - 2:.1f}" fill="none" stroke="{_MUTED}" stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<text x="{zero + 8:.1f}" y="{mid:.1f}" dy="0.35em" fill="{_MUTED}">{_e(text)}</text>'
        )
    return f'{key}<text class="no-data" x="{zero + 8:.1f}" y="{mid:.1f}" dy="0.35em" fill="{_MUTED}">{_e(cell)}</text>'

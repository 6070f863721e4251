"""PNG pictures of dashboard charts, for a steering group's slides and the PDF report (report_pdf).

matplotlib is imported inside the functions, so a page request never pays for loading it. Figures are plain
`Figure` objects on their own Agg canvas, never pyplot, so threads of a worker share no figure state. Every text is
set in DejaVu Sans, which ships with matplotlib, so a picture is the same on every machine. The drawings follow the
SVG's rules from `charts`: same axis, same styles per series, a line breaks at a gap, a hidden value is a label.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from learning.dashboards.charts import (
    STYLES,
    Chart,
    Point,
    SeriesStyle,
    axis_ticks,
    format_point,
    format_value,
    is_shown,
    label_every,
    words,
)

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_FONT = "DejaVu Sans"
_INK, _MUTED, _GRID = "#1a1a1a", "#595959", "#d9d9d9"
_MARKERS = {"circle": "o", "ring": "o", "square": "s", "triangle": "^", "diamond": "D", "triangle_down": "v"}
_PNG_WIDTH, _PNG_DPI, _PNG_MAX_PX = 8, 150, 12_000  # inches, dots per inch; a 70-team chart stays small
_NAME_WIDTH, _NAME_LINE = 30, 0.15  # characters per line of a team name; inches per line of 8 pt text


def chart_png(chart: Chart, locale: str) -> bytes:
    """Return the chart as a PNG picture with its title, for a slide."""
    fig = chart_figure(chart, locale)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=fig.dpi, facecolor="white")  # fixed layout: a tight box draws twice
    return out.getvalue()


def chart_figure(chart: Chart, locale: str) -> Figure:
    """Return the chart drawn on its own Agg canvas, every text inside the picture.

    Team names are never cut: they wrap onto as many lines as they need (the bar groups grow to hold them), and the
    axes move right when the widest name needs more room than the usual left margin.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    title = textwrap.wrap(chart.title, 60) or [""]
    below, above = _pads(chart)
    plot, top, bottom = chart_height(chart) - below - above, 0.25 + 0.22 * len(title), 0.15
    height = bottom + below + plot + above + top
    # Drawn at the PNG's own resolution: text widths do not scale exactly with it (hinting), and names are fitted
    fig = Figure(figsize=(_PNG_WIDTH, height), dpi=min(_PNG_DPI, int(_PNG_MAX_PX / height)))
    FigureCanvasAgg(fig)
    left, right = (2.4, 0.6) if chart.kind == "bar" else (0.8, 0.3)  # inches for names, value labels
    rect = (left / _PNG_WIDTH, (bottom + below) / height, (_PNG_WIDTH - left - right) / _PNG_WIDTH, plot / height)
    ax = fig.add_axes(rect)
    draw_chart(ax, chart, locale, axis_ticks(chart))
    fig.text(0.15 / _PNG_WIDTH, 1 - 0.15 / height, "\n".join(title), ha="left", va="top", fontsize=12,
             fontweight="bold", color=_INK)  # fmt: skip
    _set_font(fig)
    if chart.kind == "bar":
        _fit_names(fig, ax)
    return fig


def _fit_names(fig: Figure, ax: Axes) -> None:
    """Move the plot right until the widest (wrapped) team name starts inside the picture, with a small margin."""
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    margin = 0.15 * fig.dpi
    leftmost = min((label.get_window_extent(renderer).x0 for label in ax.get_yticklabels()), default=margin)
    if leftmost >= margin:
        return
    box = ax.get_position()
    shift = (margin - leftmost) / fig.bbox.width
    ax.set_position((box.x0 + shift, box.y0, box.width - shift, box.height))


def chart_height(chart: Chart, categories: int | None = None) -> float:
    """Return the inches a chart drawing needs, legend and axis labels included: bars grow with the teams."""
    if chart.kind == "line":
        plot = 3.2
    else:
        plot = (len(chart.categories) if categories is None else categories) * _group_height(chart)
    return plot + sum(_pads(chart))


def _pads(chart: Chart) -> tuple[float, float]:
    """Return the inches below and above the plot: axis labels, and the legend (under a line, over bars)."""
    legend = math.ceil(len(chart.series) / 2) * 0.2 + 0.15 if len(chart.series) > 1 else 0.0
    return (0.4 + legend, 0.1) if chart.kind == "line" else (0.4, legend + 0.1)


def _group_height(chart: Chart) -> float:
    """Return the inches of one team's bars: enough for its bars and for every line of its wrapped name."""
    lines = max((len(name) for name in _names(chart)), default=1)
    return max(len(chart.series) * 0.19 + 0.2, lines * _NAME_LINE + 0.1)


def _names(chart: Chart) -> list[list[str]]:
    """Return each category's name wrapped whole onto lines: a name is never shortened, so none is cut off."""
    return [textwrap.wrap(c, _NAME_WIDTH) or [""] for c in chart.categories]


def draw_chart(ax: Axes, chart: Chart, locale: str, ticks: Sequence[float]) -> None:
    """Draw the chart on the axes, with the value axis `ticks` (shared by the pages of a split bar chart)."""
    if chart.kind == "line":
        _draw_line(ax, chart, locale)
    else:
        _draw_bars(ax, chart, locale)
    axis = ax.yaxis if chart.kind == "line" else ax.xaxis
    (ax.set_ylim if chart.kind == "line" else ax.set_xlim)(ticks[0], ticks[-1])
    axis.set_ticks(list(ticks), labels=[format_value(t, chart.unit, locale) for t in ticks])
    ax.grid(axis="y" if chart.kind == "line" else "x", color=_GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=8, colors=_INK, length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    (ax.axhline if chart.kind == "line" else ax.axvline)(0, color=_MUTED, linewidth=1)  # the zero line


def _line_kwargs(style: SeriesStyle) -> dict[str, Any]:
    dash = (0, tuple(d / 3 for d in style.dash)) if style.dash else "-"  # matplotlib scales dashes by line width
    face = "white" if style.marker == "ring" else style.colour
    return {"color": style.colour, "linestyle": dash, "linewidth": 2, "marker": _MARKERS[style.marker],
            "markersize": 5, "markerfacecolor": face, "markeredgewidth": 1.5}  # fmt: skip


def _draw_line(ax: Axes, chart: Chart, locale: str) -> None:
    n = len(chart.categories)
    for i, series in enumerate(chart.series):
        # NaN is matplotlib's gap: the line breaks there and no marker is drawn, like the SVG.
        ys = [p.value if is_shown(p) and p.value is not None else math.nan for p in series.points]
        ax.plot(range(n), ys, label=series.name, clip_on=False, **_line_kwargs(STYLES[i % len(STYLES)]))
    fig = ax.get_figure(root=True)
    room = ax.get_position().width * (fig.get_figwidth() if fig else _PNG_WIDTH) * 72 / max(n, 1)  # points
    every = label_every(chart.categories, room, lambda text: len(text) * 8 * 0.6)
    shown = list(range(0, n, every))
    ax.set_xticks(shown, labels=[chart.categories[i] for i in shown])
    ax.set_xlim(-0.4, n - 0.6)
    if len(chart.series) > 1:
        ax.legend(loc="upper left", bbox_to_anchor=(0, -0.1), ncols=2, frameon=False, fontsize=8)


def _draw_bars(ax: Axes, chart: Chart, locale: str) -> None:
    k, height = len(chart.series), 0.8 / len(chart.series)
    for j, series in enumerate(chart.series):
        style = STYLES[j % len(STYLES)]
        ys = [i + (j - (k - 1) / 2) * height for i in range(len(series.points))]
        shown = [(y, p.value) for y, p in zip(ys, series.points, strict=True) if is_shown(p) and p.value is not None]
        ax.barh([y for y, _ in shown], [v for _, v in shown], height=height * 0.85, color=style.colour)
        for y, point in zip(ys, series.points, strict=True):
            _label_bar(ax, y, point.value if is_shown(point) else None, point.status, chart, locale)
            if point.band is not None and point.bound is not None:  # an outline up to the bound, with its text
                ax.barh([y], [point.bound], height=height * 0.85, fill=False, edgecolor=style.colour,
                        linestyle="--", linewidth=1.2, hatch="//")  # fmt: skip
                _label_band(ax, y, point, chart, locale)
        if k > 1:  # the series' marker beside each bar, so bars are told apart without colour
            key = {**_line_kwargs(style), "linestyle": "none", "markersize": 4}
            ax.plot([-0.015] * len(ys), ys, transform=ax.get_yaxis_transform(), clip_on=False, **key)
    labels = ["\n".join(lines) for lines in _names(chart)]
    ax.set_yticks(range(len(chart.categories)), labels=labels)
    ax.set_ylim(len(chart.categories) - 0.5, -0.5)
    ax.tick_params(axis="y", pad=12 if k > 1 else 4)
    if k > 1:
        names = [s.name for s in chart.series]
        ax.legend(_bar_handles(chart), names, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, frameon=False,
                  fontsize=8, handler_map={tuple: _tuple_handler()})  # fmt: skip


def _label_bar(ax: Axes, y: float, value: float | None, status: str, chart: Chart, locale: str) -> None:
    text: dict[str, Any] = {"fontsize": 8, "va": "center", "textcoords": "offset points", "annotation_clip": False}
    if value is not None:
        ax.annotate(format_value(value, chart.unit, locale), (value, y), xytext=(3 if value >= 0 else -3, 0),
                    ha="left" if value >= 0 else "right", color=_INK, **text)  # fmt: skip
    elif status == "banded":
        return  # drawn by _label_band, with its outline
    elif status == "suppressed":  # a label in a dashed box, never a bar: its length would suggest a value
        box = {"boxstyle": "square,pad=0.2", "fill": False, "edgecolor": _MUTED, "linestyle": "--", "linewidth": 0.8}
        ax.annotate(words(locale)["hidden"], (0, y), xytext=(5, 0), color=_MUTED, bbox=box, **text)
    else:
        ax.annotate(words(locale)["empty"], (0, y), xytext=(5, 0), color=_MUTED, **text)


def _label_band(ax: Axes, y: float, point: Point, chart: Chart, locale: str) -> None:
    bound = point.bound or 0.0
    ax.annotate(format_point(point, chart.unit, locale, short=True), (bound, y), xytext=(3, 0), ha="left",
                color=_INK, fontsize=8, va="center", textcoords="offset points", annotation_clip=False)  # fmt: skip


def _bar_handles(chart: Chart) -> list[tuple[Artist, ...]]:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[tuple[Artist, ...]] = []
    for j in range(len(chart.series)):
        style = STYLES[j % len(STYLES)]
        key = Line2D([], [], **{**_line_kwargs(style), "linestyle": "none"})
        handles.append((key, Patch(facecolor=style.colour)))
    return handles


def _tuple_handler() -> object:
    from matplotlib.legend_handler import HandlerTuple

    return HandlerTuple(ndivide=None, pad=0.4)


def _set_font(fig: Figure) -> Figure:
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        text.set_fontfamily(_FONT)
    return fig

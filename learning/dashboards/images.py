"""PNG and PDF pictures of dashboard charts, for a steering group's slides and printed pack.

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
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from learning.dashboards.charts import (
    STYLES,
    Chart,
    SeriesStyle,
    axis_ticks,
    format_value,
    is_shown,
    label_every,
    table,
    words,
)

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

_FONT = "DejaVu Sans"
_INK, _MUTED, _GRID = "#1a1a1a", "#595959", "#d9d9d9"
_MARKERS = {"circle": "o", "ring": "o", "square": "s", "triangle": "^", "diamond": "D", "triangle_down": "v"}
_A4 = (8.27, 11.69)  # inches, portrait
_MARGIN, _LINE = 0.6, 0.17  # page margin; height of one 8 pt text line, in inches
_PNG_WIDTH, _PNG_DPI, _PNG_MAX_PX = 8, 150, 12_000  # inches, dots per inch; a 70-team chart stays small


def chart_png(chart: Chart, locale: str) -> bytes:
    """Return the chart as a PNG picture with its title, for a slide."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    title = textwrap.wrap(chart.title, 75) or [""]
    below, above = _pads(chart)
    plot, top, bottom = chart_height(chart) - below - above, 0.25 + 0.22 * len(title), 0.15
    height = bottom + below + plot + above + top
    fig = Figure(figsize=(_PNG_WIDTH, height))
    FigureCanvasAgg(fig)
    left, right = (2.4, 0.6) if chart.kind == "bar" else (0.8, 0.3)  # inches for names, value labels
    rect = (left / _PNG_WIDTH, (bottom + below) / height, (_PNG_WIDTH - left - right) / _PNG_WIDTH, plot / height)
    draw_chart(fig.add_axes(rect), chart, locale, axis_ticks(chart))
    fig.text(0.15 / _PNG_WIDTH, 1 - 0.15 / height, "\n".join(title), ha="left", va="top", fontsize=12,
             fontweight="bold", color=_INK)  # fmt: skip
    out = io.BytesIO()
    dpi = min(_PNG_DPI, int(_PNG_MAX_PX / height))
    _set_font(fig).savefig(out, format="png", dpi=dpi, facecolor="white")  # fixed layout: a tight box draws twice
    return out.getvalue()


def dashboard_pdf(title: str, subtitle: str, charts: Sequence[Chart], locale: str, notes: Sequence[str] = ()) -> bytes:
    """Return the steering group's PDF: a title page, then each chart with its data table, the notes on each page."""
    from matplotlib.backends.backend_pdf import PdfPages

    book = _Book(notes)
    _title_page(book, title, subtitle, charts, notes)
    for chart in charts:
        book.new_page()
        _chart_section(book, chart, locale)
    out = io.BytesIO()
    # No creation date: the same dashboard gives the same file, so a re-sent pack is recognisably unchanged.
    with PdfPages(out, metadata={"Title": title, "CreationDate": None}) as pdf:
        for number, fig in enumerate(book.pages, start=1):
            book.footer(fig, f"{number} / {len(book.pages)}")
            pdf.savefig(_set_font(fig))
    return out.getvalue()


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
    return len(chart.series) * 0.19 + 0.2


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
    room = ax.get_position().width * (fig.get_figwidth() if fig else _A4[0]) * 72 / max(n, 1)  # points
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
        if k > 1:  # the series' marker beside each bar, so bars are told apart without colour
            key = {**_line_kwargs(style), "linestyle": "none", "markersize": 4}
            ax.plot([-0.015] * len(ys), ys, transform=ax.get_yaxis_transform(), clip_on=False, **key)
    labels = [textwrap.fill(c, 30, max_lines=2, placeholder="…") for c in chart.categories]
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
    elif status == "suppressed":  # a label in a dashed box, never a bar: its length would suggest a value
        box = {"boxstyle": "square,pad=0.2", "fill": False, "edgecolor": _MUTED, "linestyle": "--", "linewidth": 0.8}
        ax.annotate(words(locale)["hidden"], (0, y), xytext=(5, 0), color=_MUTED, bbox=box, **text)
    else:
        ax.annotate(words(locale)["empty"], (0, y), xytext=(5, 0), color=_MUTED, **text)


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


class _Book:
    """Lay blocks down A4 pages, starting a new page when the next block does not fit."""

    def __init__(self, notes: Sequence[str]) -> None:
        self.notes = [line for note in notes for line in textwrap.wrap(note, 110)]
        self.pages: list[Figure] = []
        self.top = 0.0
        self.new_page()

    def new_page(self) -> None:
        from matplotlib.figure import Figure

        if self.pages and self.is_fresh():
            return
        self.pages.append(Figure(figsize=_A4))
        self.top = _A4[1] - _MARGIN

    def is_fresh(self) -> bool:
        """Return whether nothing is on the current page yet."""
        return self.top == _A4[1] - _MARGIN

    def room(self) -> float:
        return self.top - _MARGIN - (len(self.notes) + 1) * _LINE

    def place(self, height: float, left: float = 0.0, right: float = 0.0, pads: tuple[float, float] = (0, 0)) -> Axes:
        """Return an axes in a block `height` inches tall below the last one, on a new page if needed.

        `left`, `right` and `pads` (below, above) keep room inside the block for tick labels and legends.
        """
        if height > self.room():
            self.new_page()
        self.top -= height
        width, plot_h = _A4[0] - 2 * _MARGIN - left - right, height - sum(pads)
        rect = ((_MARGIN + left) / _A4[0], (self.top + pads[0]) / _A4[1], width / _A4[0], plot_h / _A4[1])
        return self.pages[-1].add_axes(rect)

    def text_block(self, lines: Sequence[tuple[str, float, str]], gap: float = 0.15) -> None:
        """Place lines of (text, size in pt, weight), wrapped to the page width."""
        per_line = {size: int((_A4[0] - 2 * _MARGIN) * 72 / (size * 0.6)) for _, size, _ in lines}  # characters
        wrapped = [(part, size, weight) for text, size, weight in lines
                   for part in textwrap.wrap(text, per_line[size]) or [""]]  # fmt: skip
        heights = [size * 1.5 / 72 for _, size, _ in wrapped]
        ax = self.place(sum(heights) + gap)
        ax.axis("off")
        ax.set_xlim(0, 1)
        ax.set_ylim(sum(heights) + gap, 0)
        y = 0.0
        for (text, size, weight), height in zip(wrapped, heights, strict=True):
            y += height
            ax.text(0, y - height * 0.25, text, fontsize=size, fontweight=weight, color=_INK)

    def footer(self, fig: Figure, page: str) -> None:
        """Write the notes and the page number at the foot of a page, so a loose page still carries them."""
        for n, note in enumerate(self.notes):
            fig.text(_MARGIN / _A4[0], (_MARGIN + (len(self.notes) - n) * _LINE) / _A4[1], note, fontsize=7.5,
                     color=_MUTED)  # fmt: skip
        fig.text(1 - _MARGIN / _A4[0], _MARGIN / _A4[1], page, fontsize=7.5, color=_MUTED, ha="right")


def _title_page(book: _Book, title: str, subtitle: str, charts: Sequence[Chart], notes: Sequence[str]) -> None:
    book.place(1.2).axis("off")
    book.text_block([(title, 20, "bold"), (subtitle, 11, "normal")], gap=0.4)
    book.text_block([(f"{n}. {chart.title}", 10, "normal") for n, chart in enumerate(charts, start=1)], gap=0.4)
    book.text_block([(note, 9, "normal") for note in notes])


def _chart_section(book: _Book, chart: Chart, locale: str) -> None:
    book.text_block([(chart.title, 14, "bold"), (chart.description, 9, "normal")])
    ticks = axis_ticks(chart)  # one axis for every page of a split bar chart, so lengths compare across pages
    if chart.kind == "line":
        draw_chart(book.place(chart_height(chart), 0.6, 0.2, _pads(chart)), chart, locale, ticks)
    else:
        _place_bars(book, chart, locale, ticks)
    headers, rows = table(chart, locale)
    _place_table(book, headers, rows)


def _place_bars(book: _Book, chart: Chart, locale: str, ticks: Sequence[float]) -> None:
    start = 0
    while start < len(chart.categories):
        fit = int((book.room() - chart_height(chart, 0)) / _group_height(chart))
        if fit < 1:
            book.new_page()
            fit = max(1, int((book.room() - chart_height(chart, 0)) / _group_height(chart)))
        part = _slice(chart, start, start + fit)
        draw_chart(book.place(chart_height(part), 2.3, 0.6, _pads(chart)), part, locale, ticks)
        start += fit


def _slice(chart: Chart, start: int, stop: int) -> Chart:
    series = tuple(replace(s, points=s.points[start:stop]) for s in chart.series)
    return replace(chart, categories=chart.categories[start:stop], series=series)


def _place_table(book: _Book, headers: list[str], rows: list[list[str]]) -> None:
    """Draw the data table in chunks that fit, repeating the header on every page it runs over."""
    width = _A4[0] - 2 * _MARGIN
    first = min(2.6, max(1.2, max((len(r[0]) for r in rows), default=0) * 0.075 + 0.2))
    columns = [first] + [min(1.6, (width - first) / max(1, len(headers) - 1))] * (len(headers) - 1)
    head = _wrap_row(headers, columns)
    cells = [_wrap_row(row, columns) for row in rows]
    start = 0
    while start < len(cells):
        room = book.room() - _height(head) - 0.2
        count = 0
        while start + count < len(cells) and sum(_height(r) for r in cells[start : start + count + 1]) <= room:
            count += 1
        if count < min(4, len(cells) - start) and not book.is_fresh():
            book.new_page()  # rather than leave a stub of a few rows at the foot of a page
            continue
        count = max(count, 1)  # a row taller than a page still goes out, overflowing, instead of looping
        part = cells[start : start + count]
        block = book.place(_height(head) + sum(_height(r) for r in part) + 0.2, right=width - sum(columns))
        _draw_table(block, columns, head, part)
        start += count


def _wrap_row(row: Sequence[str], columns: Sequence[float]) -> list[list[str]]:
    return [textwrap.wrap(cell, max(4, int(width * 15))) or [""] for cell, width in zip(row, columns, strict=True)]


def _height(row: list[list[str]]) -> float:
    return max(len(lines) for lines in row) * _LINE + 0.08


def _draw_table(ax: Axes, columns: list[float], head: list[list[str]], rows: list[list[list[str]]]) -> None:
    ax.axis("off")
    ax.set_xlim(0, sum(columns))
    ax.set_ylim(_height(head) + sum(_height(r) for r in rows) + 0.2, 0)
    y = 0.1
    for n, row in enumerate([head, *rows]):
        x = 0.0
        for c, (lines, width) in enumerate(zip(row, columns, strict=True)):
            right = c > 0  # numbers line up on the right, names on the left
            ax.text(x + width - 0.05 if right else x + 0.02, y + 0.04, "\n".join(lines), fontsize=8, va="top",
                    ha="right" if right else "left", fontweight="bold" if n == 0 else "normal",
                    color=_INK, linespacing=1.25)  # fmt: skip
            x += width
        y += _height(row)
        ax.axhline(y, color=_INK if n == 0 else _GRID, linewidth=0.8 if n == 0 else 0.5)

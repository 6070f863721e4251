"""Accessible SVG charts and their data tables: structure, gaps, escaping, number formats, determinism."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import ROUND_HALF_UP

import pytest
from babel.numbers import format_decimal, format_percent
from hypothesis import given
from hypothesis import strategies as st

from learning.dashboards.charts import (
    STYLES,
    WIDTH,
    Chart,
    Point,
    Series,
    axis_ticks,
    format_value,
    nice_ticks,
    render_svg,
    table,
)

SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ("Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026", "May 2026", "Jun 2026", "Jul 2026")
HIDDEN, EMPTY = Point(None, "suppressed"), Point(None, "empty")


def line_chart(*series: Series, unit: str = "ratio", categories: tuple[str, ...] = MONTHS) -> Chart:
    return Chart("trend-trn-coverage", "Trained staff over time", "Share of trained staff per month.", "line", unit,
                 categories, series)  # fmt: skip


def bar_chart(teams: tuple[str, ...], *series: Series, unit: str = "ratio") -> Chart:
    return Chart("readiness", "Readiness per team", "Each team's shares side by side.", "bar", unit, teams, series)


def parse(chart: Chart, locale: str = "en") -> ET.Element:
    return ET.fromstring(str(render_svg(chart, locale)))  # noqa: S314 - our own output


def with_class(root: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in root.iter() if name in e.get("class", "").split()]


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]


GAPPY = Series("Trained staff", (Point(0.5), Point(0.6), HIDDEN, Point(0.7), Point(0.8), EMPTY, Point(0.9)))


def test_svg_names_itself_to_screen_readers():
    root = parse(line_chart(GAPPY))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "trend-trn-coverage-title trend-trn-coverage-desc"
    assert root.find(f"{SVG}title").get("id") == "trend-trn-coverage-title"
    assert root.find(f"{SVG}title").text == "Trained staff over time"
    assert root.find(f"{SVG}desc").get("id") == "trend-trn-coverage-desc"
    assert root.find(f"{SVG}desc").text == "Share of trained staff per month."


@pytest.mark.parametrize("kind", ["line", "bar"])
def test_svg_scales_with_its_container(kind):
    chart = line_chart(GAPPY) if kind == "line" else bar_chart(("A", "B"), Series("x", (Point(0.5), HIDDEN)))
    root = parse(chart)
    assert root.get("width") == "100%"
    assert root.get("height") is None
    assert root.get("viewBox").startswith(f"0 0 {WIDTH} ")


@pytest.mark.parametrize("kind", ["line", "bar"])
def test_svg_has_no_inline_styles_the_csp_would_block(kind):
    chart = line_chart(GAPPY, GAPPY) if kind == "line" else bar_chart(("A",), Series("x", (Point(0.5),)))
    root = parse(chart)
    assert not [e for e in root.iter() if "style" in e.attrib]
    assert not list(root.iter(f"{SVG}style"))


def test_text_is_at_least_12px_on_a_360px_phone():
    root = parse(line_chart(GAPPY, GAPPY))
    width = float(root.get("viewBox").split()[2])
    sizes = [float(root.get("font-size"))] + [float(e.get("font-size")) for e in root.iter() if e.get("font-size")]
    assert min(sizes) * 360 / width >= 12


def test_line_chart_marks_every_shown_point_and_no_missing_one():
    root = parse(line_chart(GAPPY))
    assert len(with_class(root, "marker")) == 5  # seven months, one hidden, one empty


def test_line_breaks_at_each_gap():
    root = parse(line_chart(GAPPY))
    (path,) = with_class(root, "series")[0].iter(f"{SVG}path")
    assert path.get("d").count("M") == 2  # Jan-Feb and Apr-May; Jul stands alone as a marker, joined to nothing


def test_a_line_never_bridges_a_gap():
    root = parse(line_chart(Series("x", (Point(0.1), HIDDEN, Point(0.9), EMPTY, Point(0.2), Point(0.3), Point(0.4)))))
    (path,) = root.iter(f"{SVG}path")
    assert path.get("d").count("M") == 1
    assert path.get("d").count("L") == 2  # only May-Jun-Jul


def test_all_missing_line_chart_draws_no_line_and_no_marker():
    root = parse(line_chart(Series("x", (HIDDEN,) * 3 + (EMPTY,) * 4)))
    assert not with_class(root, "marker")
    assert not [p for p in root.iter(f"{SVG}path") if p.get("fill") == "none"]


def test_series_differ_by_shape_and_dash_not_only_colour():
    assert len({s.marker for s in STYLES}) == len(STYLES)
    assert len({s.dash for s in STYLES}) == len(STYLES)
    root = parse(line_chart(GAPPY, GAPPY))
    dashes = [p.get("stroke-dasharray") for p in root.iter(f"{SVG}path") if p.get("fill") == "none"]
    assert len(set(dashes)) == 2


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.colour)
def test_series_colours_contrast_at_least_3_to_1_with_white(style):
    assert 1.05 / (_luminance(style.colour) + 0.05) >= 3


def test_legend_only_when_more_than_one_series():
    assert not with_class(parse(line_chart(GAPPY)), "legend")
    (legend,) = with_class(parse(line_chart(GAPPY, Series("Region", GAPPY.points))), "legend")
    assert texts(legend) == ["Trained staff", "Region"]


def test_many_month_labels_are_thinned():
    months = tuple(f"M{i:02d} 2026" for i in range(36))
    root = parse(line_chart(Series("x", (Point(0.5),) * 36), categories=months))
    shown = [t for t in texts(root) if t.startswith("M")]
    assert 3 <= len(shown) < 36
    assert shown[0] == "M00 2026"


def test_ratio_axis_runs_from_0_to_100_percent_whatever_the_data():
    root = parse(line_chart(Series("x", (Point(0.1), Point(0.3), *(EMPTY,) * 5))))
    percent = [t for t in texts(root) if t.endswith("%")]
    assert percent == ["0%", "25%", "50%", "75%", "100%"]


def test_other_axes_end_at_a_round_number_above_the_largest_value():
    ticks = axis_ticks(line_chart(Series("x", (Point(42.5), *(EMPTY,) * 6)), unit="minutes"))
    assert ticks[0] == 0
    assert ticks[-1] >= 42.5
    assert 3 <= len(ticks) <= 5


def test_suppressed_values_do_not_stretch_the_axis():
    chart = line_chart(Series("x", (Point(3.0), HIDDEN, *(EMPTY,) * 5)), unit="minutes")
    assert axis_ticks(chart)[-1] < 10


@given(
    lo=st.floats(min_value=-1000, max_value=0, allow_nan=False),
    span=st.floats(min_value=0, max_value=5000, allow_nan=False),
    min_step=st.sampled_from([0.01, 0.1, 1.0]),
)
def test_nice_ticks_cover_the_values_in_3_to_5_round_steps(lo, span, min_step):
    ticks = nice_ticks(lo, lo + span, min_step)
    assert 3 <= len(ticks) <= 5
    step = ticks[1] - ticks[0]
    assert ticks[0] <= lo + step * 1e-6  # float noise below a tick counts as on it
    assert ticks[-1] >= lo + span - step * 1e-6
    assert step >= min_step * 0.999
    assert abs(step / min_step - round(step / min_step)) < 1e-6  # the unit's format shows every tick exactly


TEAMS = ("Hartfalen Twente", "COPD Almelo", "Thuiszorg Hengelo")
BARS = Series("Trained staff", (Point(0.8125), HIDDEN, EMPTY))


def test_bar_chart_labels_each_bar_with_its_formatted_value():
    root = parse(bar_chart(TEAMS, BARS, Series("Adherence", (Point(0.5), Point(0.25), Point(1.0)))))
    assert len(with_class(root, "bar")) == 4  # one hidden, one empty: no bar for either
    labels = texts(root)
    assert {"81%", "50%", "25%", "100%"} <= set(labels)


def test_bar_chart_shows_hidden_and_no_data_as_text_never_as_a_bar():
    root = parse(bar_chart(TEAMS, BARS))
    assert len(with_class(root, "bar")) == 1
    (placeholder,) = with_class(root, "hidden-value")
    assert placeholder.get("fill") == "none"
    assert "hidden" in texts(root)
    assert "no data" in texts(root)


def test_bar_chart_speaks_dutch():
    labels = texts(parse(bar_chart(TEAMS, BARS), "nl"))
    assert {"81%", "verborgen", "geen gegevens"} <= set(labels)


def test_bar_chart_has_one_group_per_category_with_its_name():
    root = parse(bar_chart(TEAMS, BARS))
    groups = with_class(root, "group")
    assert [texts(g)[0] for g in groups] == list(TEAMS)


def test_long_team_names_wrap_within_the_chart():
    name = "Hartfalen Twente thuismonitoring (Medisch Spectrum Twente en Ziekenhuisgroep Twente samen)"
    root = parse(bar_chart((name,), Series("x", (Point(0.5),))))
    (group,) = with_class(root, "group")
    lines = [t.text or "" for t in group.iter(f"{SVG}tspan")]
    assert len(lines) == 2
    assert all(len(line) * 22 * 0.6 <= WIDTH for line in lines)


def test_negative_values_draw_bars_left_of_zero():
    root = parse(bar_chart(("A", "B"), Series("change", (Point(-1.2), Point(0.6))), unit="likert_points"))
    labels = texts(root)
    assert {"-1.2", "+0.6"} <= set(labels)
    left, right = with_class(root, "bar")
    assert float(left.get("x")) + float(left.get("width")) == pytest.approx(
        float(right.get("x")), abs=0.15
    )  # three coordinates, each rounded to 0.1


@pytest.mark.parametrize("kind", ["line", "bar"])
def test_user_text_is_escaped(kind):
    evil = '<script>alert("x")</script> & co'
    series = Series(evil, (Point(0.5), Point(0.6)))
    chart = (
        line_chart(series, Series("b", series.points), categories=(evil, "Feb"))
        if kind == "line"
        else bar_chart((evil, "B"), series, Series("b", series.points))
    )
    chart = Chart(chart.key, evil, evil, chart.kind, chart.unit, chart.categories, chart.series)
    svg = str(render_svg(chart, "en"))
    assert "<script>" not in svg
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.find(f"{SVG}title").text == evil
    assert evil in texts(root)


def test_same_chart_gives_the_same_bytes():
    first = render_svg(bar_chart(TEAMS, BARS, BARS), "nl")
    again = render_svg(bar_chart(tuple(TEAMS), Series("Trained staff", tuple(BARS.points)), BARS), "nl")
    assert first == again
    assert render_svg(line_chart(GAPPY), "en") == render_svg(line_chart(GAPPY), "en")


def test_table_cells_are_the_formatted_points():
    chart = bar_chart(TEAMS, BARS, Series("Adherence", (Point(0.5), Point(0.25), EMPTY)))
    headers, rows = table(chart, "en")
    assert headers == ["Name", "Trained staff", "Adherence"]
    for i, row in enumerate(rows):
        assert row[0] == TEAMS[i]
        for j, series in enumerate(chart.series):
            point = series.points[i]
            assert row[j + 1] == format_value(point.value, "ratio", "en", point.status)
    assert rows[1][1] == "hidden (small group)"


def test_table_uses_the_value_label_for_a_single_series():
    chart = Chart("k", "t", "d", "line", "minutes", ("Oct 2026",), (Series("x", (Point(42.5),)),), "Median wait")
    assert table(chart, "nl") == (["Maand", "Median wait"], [["Oct 2026", "43 min"]])


def test_svg_and_table_show_the_same_numbers():
    chart = bar_chart(TEAMS, Series("Median", (Point(42.5), Point(7.0), HIDDEN)), unit="minutes")
    _, rows = table(chart, "nl")
    labels = texts(parse(chart, "nl"))
    assert {row[1] for row in rows if row[1] != "verborgen (kleine groep)"} <= set(labels)


@pytest.mark.parametrize(
    ("value", "unit", "en", "nl"),
    [
        (0.8125, "ratio", "81%", "81%"),
        (0.145, "ratio", "15%", "15%"),  # half up from the decimal shown, not from the float's binary tail
        (1.0, "ratio", "100%", "100%"),
        (42.5, "minutes", "43 min", "43 min"),
        (1234.0, "minutes", "1,234 min", "1.234 min"),
        (12.0, "days", "12 days", "12 dagen"),
        (1.2, "days", "1 day", "1 dag"),
        (3.42, "per_100_patient_days", "3.4", "3,4"),
        (0.6, "likert_points", "+0.6", "+0,6"),
        (-0.64, "likert_points", "-0.6", "-0,6"),
        (0.04, "likert_points", "0.0", "0,0"),
        (-0.04, "likert_points", "0.0", "0,0"),
        (1234.0, "count", "1,234", "1.234"),
    ],
)
def test_format_value_in_both_languages(value, unit, en, nl):
    assert format_value(value, unit, "en") == en
    assert format_value(value, unit, "nl") == nl


@given(value=st.decimals(min_value=-(10**7), max_value=10**7, places=1), locale=st.sampled_from(["nl", "en"]))
def test_numbers_match_babels_cldr_formatting(value, locale):
    # "+ 0" turns a negative zero into zero: a figure that rounds to nothing is shown as "0 %", never "-0 %".
    assert format_value(float(value), "per_100_patient_days", locale) == format_decimal(value + 0, "#,##0.0", locale)
    assert format_value(float(value) / 100, "ratio", locale) == format_percent(
        value.to_integral_value(ROUND_HALF_UP) / 100 + 0, locale=locale
    )


@pytest.mark.parametrize("unit", ["ratio", "minutes", "days", "per_100_patient_days", "likert_points", "count"])
def test_missing_values_say_why(unit):
    assert format_value(None, unit, "en", "suppressed") == "hidden (small group)"
    assert format_value(None, unit, "nl", "suppressed") == "verborgen (kleine groep)"
    assert format_value(None, unit, "en", "empty") == "no data"
    assert format_value(None, unit, "nl", "empty") == "geen gegevens"


def test_unknown_unit_or_language_is_refused():
    with pytest.raises(ValueError, match="unit"):
        format_value(1.0, "furlongs", "en")
    with pytest.raises(ValueError, match="nl, en and de"):
        format_value(1.0, "count", "fr")


def test_german_reads_its_own_signs_and_words():
    assert format_value(0.75, "ratio", "de") == "75\u00a0%"
    assert format_value(2.25, "per_100_patient_days", "de") == "2,3"
    assert format_value(None, "ratio", "de", "suppressed") == "verborgen (kleine Gruppe)"


def test_a_suppressed_point_cannot_carry_its_value():
    with pytest.raises(ValueError, match="no value"):
        Point(0.5, "suppressed")


def test_every_series_needs_a_point_per_category():
    with pytest.raises(ValueError, match="one point per category"):
        line_chart(Series("x", (Point(0.5),)))


def test_unknown_chart_kind_is_refused():
    chart = Chart("k", "t", "d", "pie", "ratio", (), ())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="pie"):
        render_svg(chart, "en")


def test_markers_sit_on_their_values():
    root = parse(line_chart(Series("x", (Point(0.0), Point(1.0), *(EMPTY,) * 5))))
    low, high = with_class(root, "marker")
    y_of = {t: float(e.get("y")) for e in root.iter(f"{SVG}text") if (t := "".join(e.itertext())) in ("0%", "100%")}
    assert float(low.get("cy")) == pytest.approx(y_of["0%"], abs=0.1)
    assert float(high.get("cy")) == pytest.approx(y_of["100%"], abs=0.1)

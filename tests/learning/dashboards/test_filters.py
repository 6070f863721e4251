"""The change column reads as the difference of the two figures beside it."""

from __future__ import annotations

import pytest

from learning.dashboards.charts import Point
from learning.dashboards.filters import change_text
from learning.dashboards.frameworks import MetricRow
from learning.metrics.definitions import BY_CODE


def _row(code: str, current: float, previous: float) -> MetricRow:
    return MetricRow(BY_CODE[code], code, Point(current), Point(previous), 10)


@pytest.mark.parametrize(
    ("code", "current", "previous", "expected"),
    [
        ("TRN_COVERAGE", 0.625, 0.5, "+13 pp"),  # shown as 63% and 50%
        ("TRN_COVERAGE", 0.501, 0.504, "0 pp"),  # both shown as 50%: no "-0"
        ("TRN_COVERAGE", 0.4, 0.55, "-15 pp"),
        ("MOD_TIME", 12.5, 10.4, "+3"),  # 13 min beside 10 min
        ("ALERT_RATE", 3.45, 3.0, "+0.5"),
    ],
)
def test_change_is_the_difference_of_the_shown_figures(code: str, current: float, previous: float, expected: str):
    assert change_text(_row(code, current, previous), "en") == expected


def test_no_change_without_both_figures() -> None:
    row = MetricRow(BY_CODE["TRN_COVERAGE"], "x", Point(None, "suppressed"), Point(0.5), None)
    assert change_text(row, "en") == "–"

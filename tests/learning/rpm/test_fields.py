"""Reading single values: every parser answers any input with a value or `Invalid` (never a crash, which the
property tests would surface as another exception), and hand-picked values read as expected."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learning.rpm.fields import (
    Invalid,
    parse_bool,
    parse_count,
    parse_date,
    parse_datetime,
    parse_id,
    parse_month,
    parse_pseudonym,
    parse_team,
)
from learning.rpm.kinds import SPECS

PARSERS = sorted({f.parse for spec in SPECS.values() for f in spec.fields} | {parse_count}, key=repr)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@pytest.mark.parametrize("parse", PARSERS, ids=lambda p: getattr(p, "__qualname__", repr(p)))
@given(value=JSON_VALUES)
def test_any_value_is_read_or_refused_with_a_message(parse, value):
    with contextlib.suppress(Invalid):
        parse(value)


@given(text=st.text(alphabet="0123456789-:T +Z", max_size=30))
def test_date_like_text_never_crashes_the_date_parsers(text):
    for parse in (parse_date, parse_datetime, parse_month):
        with contextlib.suppress(Invalid):
            parse(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-02T09:15", datetime(2025, 3, 2, 8, 15, tzinfo=UTC)),  # CET
        ("2025-07-01 09:15", datetime(2025, 7, 1, 7, 15, tzinfo=UTC)),  # CEST
        ("2025-07-01T09:15:30Z", datetime(2025, 7, 1, 9, 15, 30, tzinfo=UTC)),
        ("2025-07-01T09:15-04:00", datetime(2025, 7, 1, 13, 15, tzinfo=UTC)),
    ],
)
def test_times_without_offset_are_dutch_wall_clock(text, expected):
    assert parse_datetime(text) == expected
    assert parse_datetime(text).utcoffset() is not None


@pytest.mark.parametrize(
    ("parse", "value", "expected"),
    [
        (parse_bool, "WAAR", True),
        (parse_bool, "nee", False),
        (parse_bool, False, False),
        (parse_count, " 12 ", 12),
        (parse_id, "7", 7),
        (parse_team, "Hartfalenpoli", "Hartfalenpoli"),
        (parse_team, "12", 12),
        (parse_month, "2025-12", date(2025, 12, 1)),
        (parse_pseudonym, 4711, "4711"),
        (parse_date, "2024-02-29", date(2024, 2, 29)),
    ],
)
def test_values_are_read(parse, value, expected):
    assert parse(value) == expected


@pytest.mark.parametrize(
    ("parse", "value"),
    [
        (parse_count, True),
        (parse_count, "²"),
        (parse_count, 2.0),
        (parse_id, 0),
        (parse_month, "0000-01"),
        (parse_date, "2025-02-29"),
        (parse_date, "\uff12\uff10\uff12\uff15-\uff10\uff13-\uff10\uff11"),  # full-width digits
        (parse_bool, 1),
    ],
)
def test_values_that_only_look_right_are_refused(parse, value):
    with pytest.raises(Invalid):
        parse(value)


def test_local_times_across_the_clock_change_are_23_hours_apart_in_utc():
    before, after = parse_datetime("2025-03-29T12:00"), parse_datetime("2025-03-30T12:00")
    assert after.astimezone(UTC) - before.astimezone(UTC) == timedelta(hours=23)  # clocks went forward on 30 March

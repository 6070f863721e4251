"""ISO 8601 timestamps (xAPI Data 4.5) and durations (Data 4.6)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lrs.xapi.errors import BadRequest
from lrs.xapi.timestamps import format_timestamp, parse_timestamp, validate_duration


def accepted(check: Callable[[str], object], text: str) -> bool:
    """True if the check passes, False on BadRequest; any other exception escapes and fails the test."""
    try:
        check(text)
    except BadRequest as exc:
        return exc.status != 400
    return True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2013-05-18T05:32:34.804+00:00", "2013-05-18T05:32:34.804000Z"),
        ("2013-04-01T12:00:00Z", "2013-04-01T12:00:00.000000Z"),
        ("2023-05-04T12:00:00-05:00", "2023-05-04T17:00:00.000000Z"),
        ("2008-09-15T15:53:00.601+0530", "2008-09-15T10:23:00.601000Z"),
        ("2008-09-15T15:53:00+01", "2008-09-15T14:53:00.000000Z"),
        ("2020-01-01 00:00:00+00:00", "2020-01-01T00:00:00.000000Z"),
        ("2020-01-01t00:00:00z", "2020-01-01T00:00:00.000000Z"),
        ("20080915T155300Z", "2008-09-15T15:53:00.000000Z"),
        ("2020-01-01T00:00:00.123456789Z", "2020-01-01T00:00:00.123456Z"),
        ("2020-01-01T00:00:00,5Z", "2020-01-01T00:00:00.500000Z"),
        ("2020-01-01T12:30Z", "2020-01-01T12:30:00.000000Z"),
        ("2015-12-31T24:00:00Z", "2016-01-01T00:00:00.000000Z"),
        ("2016-12-31T23:59:60Z", "2016-12-31T23:59:59.999999Z"),
        ("2015-032T12:00:00Z", "2015-02-01T12:00:00.000000Z"),
        ("2015-W01-1T00:00:00Z", "2014-12-29T00:00:00.000000Z"),
    ],
)
def test_iso8601_forms_parse_to_the_same_instant_in_utc(text: str, expected: str) -> None:
    parsed = parse_timestamp(text)
    assert parsed.tzinfo is UTC
    assert format_timestamp(parsed) == expected


def test_timestamp_without_offset_is_read_as_utc() -> None:
    assert parse_timestamp("2020-06-01T10:00:00") == datetime(2020, 6, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize("offset", ["-00", "-0000", "-00:00"])
def test_negative_zero_offset_is_rejected(offset: str) -> None:
    with pytest.raises(BadRequest, match="UTC offset"):
        parse_timestamp("2008-09-15T15:53:00.601" + offset)


@pytest.mark.parametrize(
    "text",
    [
        "should fail",
        "01/011/2015",
        "2020-01-01",
        "2020-01-01T",
        "2020-02-30T00:00:00Z",
        "2020-01-01T25:00:00Z",
        "2020-01-01T12:60:00Z",
        "2020-01-01T24:00:01Z",
        "2020-01-01T00:00:00+24:00",
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:59-01:00",
        "2015-366T00:00:00Z",
        "2020-01-01T00:00:00 Z",
        "\u0662\u0660\u0662\u0660-01-01T00:00:00Z",
        "",
    ],
)
def test_malformed_or_impossible_timestamps_are_rejected(text: str) -> None:
    with pytest.raises(BadRequest):
        parse_timestamp(text)


def test_format_uses_utc_z_and_microseconds() -> None:
    moment = datetime(2024, 1, 31, 13, 0, 0, 1500, tzinfo=timezone(timedelta(hours=1)))
    assert format_timestamp(moment) == "2024-01-31T12:00:00.001500Z"


def test_format_treats_naive_datetimes_as_utc() -> None:
    assert format_timestamp(datetime(5, 1, 2, 3, 4, 5)) == "0005-01-02T03:04:05.000000Z"


@given(st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-7, minutes=-30))])))
def test_format_then_parse_round_trips_to_the_same_instant(moment: datetime) -> None:
    try:
        text = format_timestamp(moment)
    except OverflowError:  # the instant is outside datetime's range once moved to UTC
        return
    assert parse_timestamp(text) == moment


@pytest.mark.parametrize(
    "text",
    [
        "PT1H0M0.1S",
        "PT16559.14S",
        "P3Y1M29DT4H35M59.14S",
        "P3Y",
        "P4W",
        "P1DT12H36M0.12567S",
        "PT0,5S",
        "P0D",
    ],
)
def test_iso8601_durations_are_accepted(text: str) -> None:
    assert accepted(validate_duration, text)


@pytest.mark.parametrize(
    "text",
    ["P4W1D", "PA1H0M0S", "P", "PT", "P1YT", "-P1D", "P0003-01-29T04:35:59", "pt1h", "PT1.5H30M", "1H", ""],
)
def test_non_iso8601_durations_are_rejected(text: str) -> None:
    assert not accepted(validate_duration, text)


@given(st.text(max_size=30))
def test_random_text_never_raises_anything_but_bad_request(text: str) -> None:
    for check in (parse_timestamp, validate_duration):
        accepted(check, text)  # anything but BadRequest propagates and fails the test
    assert accepted(validate_duration, "P" + "".join(ch for ch in text if ch.isascii() and ch.isdigit()) + "D") == (
        any(ch.isascii() and ch.isdigit() for ch in text)
    )


def test_query_timestamp_reads_an_unencoded_plus_as_an_offset():
    from lrs.xapi.timestamps import parse_query_timestamp

    assert parse_query_timestamp("2020-01-01T01:00:00 01:00") == parse_query_timestamp("2020-01-01T00:00:00Z")
    assert parse_query_timestamp("2020-01-01 00:00:00 00:00") == parse_query_timestamp("2020-01-01T00:00:00+00:00")

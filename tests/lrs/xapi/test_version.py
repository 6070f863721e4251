"""X-Experience-API-Version negotiation (xAPI Communication 3.3)."""

from __future__ import annotations

import pytest

from lrs.xapi.errors import BadRequest
from lrs.xapi.version import SUPPORTED, is_v2, negotiate


@pytest.mark.parametrize(
    ("header", "answer"),
    [
        ("1.0", "1.0.3"),
        ("1.0.0", "1.0.3"),
        ("1.0.1", "1.0.3"),
        ("1.0.2", "1.0.3"),
        ("1.0.3", "1.0.3"),
        ("1.0.9", "1.0.3"),
        (" 1.0.3 ", "1.0.3"),
        ("2.0", "2.0.0"),
        ("2.0.0", "2.0.0"),
        ("2.0.1", "2.0.0"),
    ],
)
def test_each_version_line_is_answered_with_its_latest_patch(header: str, answer: str) -> None:
    assert negotiate(header) == answer


def test_every_supported_version_is_accepted_and_answered_within_its_line() -> None:
    assert SUPPORTED == ("1.0.0", "1.0.1", "1.0.2", "1.0.3", "2.0.0")
    for version in SUPPORTED:
        assert negotiate(version)[:3] == version[:3]


@pytest.mark.parametrize("header", [None, "", "   "])
def test_missing_header_is_rejected(header: str | None) -> None:
    with pytest.raises(BadRequest, match="header is required") as info:
        negotiate(header)
    assert info.value.status == 400


@pytest.mark.parametrize("header", ["0.9", "0.95", "0.9.9", "1.1.0", "1.1", "3.0.0", "2.1.0"])
def test_versions_outside_1_0_and_2_0_are_rejected(header: str) -> None:
    with pytest.raises(BadRequest, match="not supported"):
        negotiate(header)


@pytest.mark.parametrize(
    "header", ["garbage", "1", "1.0.x", "v1.0.3", "1.0.3.1", "01.0.0", "1.0.-1", "\u0661.\u0660.\u0663"]
)
def test_garbage_versions_are_rejected(header: str) -> None:
    with pytest.raises(BadRequest, match="not a version number"):
        negotiate(header)


def test_is_v2_distinguishes_the_two_data_models() -> None:
    assert is_v2("2.0.0")
    assert not is_v2("1.0.3")

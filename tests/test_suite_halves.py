"""The PostgreSQL half of the suite leaves out tests that never reach the engine under test (conftest.py). That is
only safe while `database_url` is the one way in: a test that read VTC_TEST_DATABASE_URL itself would be left out
of the half that sets it, and PostgreSQL would silently go untested there."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import check_halves, engine_free

TESTS = Path(__file__).parent
VARIABLE = "VTC_TEST_DATABASE_URL"


def test_only_the_database_fixture_reads_the_engine_under_test() -> None:
    readers = sorted(
        str(path.relative_to(TESTS))
        for path in TESTS.rglob("*.py")
        if VARIABLE in path.read_text(encoding="utf-8") and path.name not in {"conftest.py", Path(__file__).name}
    )
    assert readers == [], f"read {VARIABLE} through the database_url fixture instead: {readers}"


def test_a_test_with_the_database_stays_in_both_halves(request: pytest.FixtureRequest, database_url: str) -> None:
    assert database_url
    assert not engine_free(request.node)


def test_a_test_without_the_database_is_engine_free(request: pytest.FixtureRequest) -> None:
    assert engine_free(request.node)


@pytest.mark.postgresql_only
def test_a_postgresql_test_is_never_left_out(request: pytest.FixtureRequest) -> None:
    assert not engine_free(request.node)


@pytest.mark.parametrize(
    ("marks", "refused"),
    [
        (("sqlite_only", "postgresql_only"), "neither"),
        (("browser",), "mark a browser test"),
        (("sqlite_only",), "mark a browser test"),
        (("browser", "sqlite_only"), None),
    ],
)
def test_a_run_stops_on_a_test_that_would_run_in_neither_half_or_a_browser_test_in_both(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, marks: tuple[str, ...], refused: str | None
) -> None:
    monkeypatch.setattr(request.node, "fixturenames", [*request.node.fixturenames, "chromium"])  # drives Chromium
    for name in marks:
        request.node.add_marker(name)
    if refused is None:
        check_halves([request.node])
    else:
        with pytest.raises(pytest.UsageError, match=refused):
            check_halves([request.node])

"""The PostgreSQL half of the suite leaves out tests that never reach the engine under test (conftest.py). That is
only safe while `database_url` is the one way in: a test that read VTC_TEST_DATABASE_URL itself would be left out
of the half that sets it, and PostgreSQL would silently go untested there."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import HALVES, check_halves, engine_free

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


def test_every_browser_module_is_marked_browser_and_runs_in_one_half() -> None:
    """A browser test runs in one half (conftest.py). One without a half would run in both and cost CI twice; one
    without the `browser` mark hides from `-m browser`. (check_halves stops a run on the first; this names all.)"""
    wrong = {
        path.name: sorted(marks)
        for path in sorted((TESTS / "browser").rglob("test_*.py"))
        if "browser" not in (marks := module_marks(path)) or len(marks & set(HALVES)) != 1
    }
    assert wrong == {}, f"mark each as pytest.mark.browser plus one of {sorted(HALVES)}: {wrong}"


@pytest.mark.parametrize(
    ("marks", "refused"),
    [
        (("sqlite_only", "postgresql_only"), "neither"),
        (("browser",), "mark a browser test"),
        (("browser", "sqlite_only"), None),
    ],
)
def test_a_run_stops_on_a_test_that_would_run_in_neither_half_or_a_browser_test_in_both(
    request: pytest.FixtureRequest, marks: tuple[str, ...], refused: str | None
) -> None:
    for name in marks:
        request.node.add_marker(name)
    if refused is None:
        check_halves([request.node])
    else:
        with pytest.raises(pytest.UsageError, match=refused):
            check_halves([request.node])


def module_marks(path: Path) -> set[str]:
    """The names of the `pytest.mark.X` a test module's `pytestmark` gives all its tests."""
    marks: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "pytestmark" for t in node.targets):
            marks |= {
                part.attr
                for part in ast.walk(node.value)
                if isinstance(part, ast.Attribute) and getattr(part.value, "attr", None) == "mark"
            }
    return marks


def test_the_module_marks_are_read_from_pytestmark(tmp_path: Path) -> None:
    one = tmp_path / "test_one.py"
    one.write_text("import pytest\npytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # note\n")
    none = tmp_path / "test_none.py"
    none.write_text("import pytest\n\n@pytest.mark.sqlite_only\ndef test_x(): pass\n")
    assert (module_marks(one), module_marks(none)) == ({"browser", "sqlite_only"}, set())

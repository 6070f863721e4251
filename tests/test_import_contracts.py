"""The import-linter contracts can fail: break each rule in a copy of the packages and lint-imports says so.

`import tincan` in learning/web.py used to report KEPT because the contract listed modules one by one and
learning.web was not among them. These tests run the real lint-imports on a copy with one import added.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(tmp_path: Path, module: str | None = None, line: str = "") -> subprocess.CompletedProcess[str]:
    """Copy learning/, lrs/ and pyproject.toml to tmp_path, add line to module (a path), run lint-imports there."""
    for package in ("learning", "lrs"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    if module:
        path = tmp_path / module
        path.write_text((path.read_text() if path.exists() else "") + f"\n{line}  # noqa\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_contracts_hold_on_an_unchanged_copy(tmp_path):
    result = lint_imports(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("learning/web.py", "import tincan", "Only learning.tracking.client talks tincan BROKEN"),
        (
            "learning/new_feature.py",
            "from tincan import RemoteLRS",
            "Only learning.tracking.client talks tincan BROKEN",
        ),
        ("lrs/xapi/agent.py", "import tincan", "Only learning.tracking.client talks tincan BROKEN"),
        ("lrs/store/statements.py", "import learning.web", "The LMS and the LRS are independent BROKEN"),
        ("learning/catalog/services.py", "from lrs.store import engine", "The LMS and the LRS are independent BROKEN"),
        (
            "lrs/store/documents.py",
            "from lrs.service import statements",
            "LRS layers: http > service > store > xapi BROKEN",
        ),
        ("lrs/service/statements.py", "import flask", "Below its HTTP layer the LRS knows no web framework BROKEN"),
        ("lrs/xapi/agent.py", "import sqlalchemy", "The xAPI layer is pure: no database BROKEN"),
    ],
)
def test_breaking_a_rule_breaks_its_contract(tmp_path, module, line, contract):
    result = lint_imports(tmp_path, module, line)
    assert result.returncode != 0
    assert contract in result.stdout, result.stdout[-3000:]

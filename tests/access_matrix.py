"""Read the access-control matrix from docs/access-matrix.md: its tables are the data the tests prove.

Kept in the document an auditor reads, so the page and the tests cannot drift apart; adding a route is one table
line. Each table names its actors in the header after Method, Route and Target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MATRIX = Path(__file__).parent.parent / "docs" / "access-matrix.md"
OUTCOMES = frozenset({"ok", "login", "401", "403", "404", "gone"})
SECTIONS = {"LMS pages": "lms", "xAPI": "xapi", "RPM JSON API": "rpm_api"}


TARGETS = {"-", "own", "other", "partner", "x-learner", "y-learner"}


@dataclass(frozen=True)
class Row:
    section: str  # lms | xapi | rpm_api
    method: str
    rule: str
    target: str  # - | own | other | partner | x-learner | y-learner (xAPI)
    cells: dict[str, str]  # actor -> expected outcome


@dataclass(frozen=True)
class Cell:
    row: Row
    actor: str

    @property
    def expected(self) -> str:
        return self.row.cells[self.actor]

    @property
    def id(self) -> str:
        target = "" if self.row.target == "-" else f" [{self.row.target}]"
        return f"{self.row.method} {self.row.rule}{target} as {self.actor}"


def _cells(line: str) -> list[str]:
    return [part.strip().strip("`") for part in line.strip().strip("|").split("|")]


def read_matrix(path: Path = MATRIX) -> list[Row]:
    """Return every row of the matrix's tables, checking each has one known outcome per actor."""
    rows: list[Row] = []
    section, actors = "", list[str]()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("## "):
            section = next((key for title, key in SECTIONS.items() if line[3:].startswith(title)), "")
            actors = []
            continue
        if not section or not line.startswith("|") or re.fullmatch(r"[|\-\s]+", line):
            continue
        parts = _cells(line)
        if parts[:3] == ["Method", "Route", "Target"]:
            actors = parts[3:]
            continue
        method, rule, target, outcomes = parts[0], parts[1], parts[2], parts[3:]
        assert len(outcomes) == len(actors), f"{path.name}:{number}: {len(outcomes)} cells for {len(actors)} actors"
        assert set(outcomes) <= OUTCOMES, f"{path.name}:{number}: unknown outcome in {outcomes}"
        assert target in TARGETS, f"{path.name}:{number}: unknown target {target!r}"
        rows.append(Row(section, method, rule, target, dict(zip(actors, outcomes, strict=True))))
    return rows


def all_cells(rows: list[Row]) -> list[Cell]:
    return [Cell(row, actor) for row in rows for actor in row.cells]

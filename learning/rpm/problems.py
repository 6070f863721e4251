"""What ingestion reports about a record: a position, a field and a message that both the page and the API use.

Messages are English templates with %(name)s parameters. The API answers in English whatever the client's
locale (machines match on them); the upload page translates the template with gettext. `N_` marks templates for
pybabel extraction without translating them here (babel's default keywords include N_).
"""

from __future__ import annotations

import dataclasses
from typing import Any


def N_(message: str) -> str:  # the name pybabel's default keywords look for
    """Mark a message for translation later, where the reader's language is known."""
    return message


@dataclasses.dataclass(frozen=True)
class Problem:
    """One reason a record (or, with index None, the whole file or a column) cannot be imported."""

    index: int | None  # 0-based record index; None: the file or a column as a whole
    field: str | None
    template: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def message(self) -> str:
        """Return the message in English."""
        return self.template % self.params if self.params else self.template

    @property
    def row(self) -> int:
        """Return the spreadsheet row number (the header is row 1) a CSV reader sees."""
        return 1 if self.index is None else self.index + 2

    def as_json(self) -> dict[str, Any]:
        """Return the problem as the API lists it (index, field, English message)."""
        return {"index": self.index, "field": self.field, "message": self.message}

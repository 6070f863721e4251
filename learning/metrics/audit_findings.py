"""What the disclosure audit (disclosure_audit.py) reports: per sensitive side the interval an attacker can derive,
and whether it keeps the small count safe (the protection rule, `is_protected`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from learning.metrics.scopes import Scope

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Finding:
    """What the attacker can derive about one side of one sensitive hidden cell."""

    metric: str
    scope: Scope
    side: str
    true: float
    low: float
    high: float
    required: float
    band: float = 0.0  # the top of the band [0, band] a reader may know the count lies in (min_cell - 1)

    @property
    def target(self) -> tuple[str, Scope, str]:
        return (self.metric, self.scope, self.side)

    @property
    def width(self) -> float:
        return self.high - self.low

    @property
    def recoverable(self) -> bool:
        return not is_protected(self.low, self.high, self.required, self.band)


def is_protected(low: float, high: float, required: float, band: float) -> bool:
    """Return whether an interval keeps a small count safe: at least min_cell wide, or the whole band [0, k-1]
    (a reader who knows only "fewer than k" learns nothing a banded cell does not say)."""
    return high - low + TOLERANCE >= required or (low <= TOLERANCE and high + TOLERANCE >= band)


@dataclass
class AuditReport:
    findings: list[Finding] = field(default_factory=list)
    hidden: int = 0  # hidden cells
    banded: int = 0  # shown cells whose numerator is shown as a band
    sensitive: int = 0  # of which hidden by the primary rule
    problems: int = 0  # linear programs solved

    @property
    def recoverable(self) -> list[Finding]:
        return [f for f in self.findings if f.recoverable]

    def add(self, other: AuditReport) -> None:
        self.findings += other.findings
        self.hidden += other.hidden
        self.banded += other.banded
        self.sensitive += other.sensitive
        self.problems += other.problems

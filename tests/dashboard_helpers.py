"""Helpers of the dashboard tests: stored metric cells written as the metrics engine writes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from metrics_helpers import World

from learning.db import db
from learning.metrics.definitions import sync_definitions
from learning.metrics.models import MetricValue

OCTOBER = date(2026, 10, 1)
SEPTEMBER = date(2026, 9, 1)
COMPUTED = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Region:
    environment: int
    other_environment: int
    hospital: int
    partner: int
    outsider: int
    ward: int
    district: int
    programme: int
    partner_programme: int


def store(code: str, scope_type: str, scope_id: int, month: date, num: float | None, den: float | None,
          value: float | None, suppressed: bool = False) -> None:  # fmt: skip
    """Write one stored cell as the metrics engine would, numbers kept even when suppressed."""
    version = sync_definitions()[code]
    end = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    db.session.add(
        MetricValue(metric_code=code, definition_version=version, scope_type=scope_type, scope_id=scope_id,
                    period_start=month, period_end=end, numerator=num, denominator=den, value=value,
                    suppressed=suppressed, computed_at=COMPUTED)
    )  # fmt: skip


def make_region() -> Region:
    """Two organisations share an environment (hospital ward + home-care district team); a third is elsewhere."""
    world = World()
    hospital, partner, outsider = world.org("Ziekenhuis A"), world.org("Thuiszorg B"), world.org("Praktijk C")
    ward, district = world.team(hospital, "Hartfalenpoli"), world.team(partner, "Wijkteam Noord")
    elsewhere = world.team(outsider, "Praktijk")
    environment, other = world.environment(), world.environment()
    programme = world.programme(environment, hospital, (ward,))
    partner_programme = world.programme(environment, partner, (district,))
    world.programme(other, outsider, (elsewhere,))
    db.session.commit()
    return Region(environment, other, hospital, partner, outsider, ward, district, programme, partner_programme)


def store_cells(region: Region) -> None:
    """October and September cells: the ward shown, the district team's coverage suppressed (with real numbers)."""
    for month, ward_coverage in ((SEPTEMBER, (6, 10, 0.6)), (OCTOBER, (8, 10, 0.8))):
        store("TRN_COVERAGE", "team", region.ward, month, *ward_coverage)
        store("TRN_COVERAGE", "team", region.district, month, 3, 7, 3 / 7, suppressed=True)
        store("TRN_COVERAGE", "environment", region.environment, month, None, None, None, suppressed=True)
        store("PT_ADHERENCE", "team", region.ward, month, 410, 500, 0.82)
        store("PT_ADHERENCE", "environment", region.environment, month, 733, 900, 733 / 900)
        store("TRN_COVERAGE", "region", 0, month, 44, 60, 44 / 60)
        store("PT_ADHERENCE", "environment", region.other_environment, month, 150, 200, 0.75)
    db.session.commit()


WARD, DISTRICT = "Hartfalenpoli (Ziekenhuis A)", "Wijkteam Noord (Thuiszorg B)"
HIDDEN_FIGURES = ("43%", "37%", "11%", "61%")  # the district team's and a hidden month's real values; none is shown


def store_attention_cells(region: Region) -> None:
    """The ward needs attention on every check; the district team's figures are hidden (with real numbers)."""
    for month, ward, dropout, sla in ((SEPTEMBER, (6, 10, 0.6), 0.05, None), (OCTOBER, (7, 10, 0.7), 0.09, 0.72)):
        store("TRN_COVERAGE", "team", region.ward, month, *ward)
        store("PT_DROPOUT", "team", region.ward, month, dropout * 200, 200, dropout)  # counts of 10 and more
        if sla is None:  # September's alert figure of the ward is hidden: no change may be given for it
            store("ALERT_SLA", "team", region.ward, month, 11, 18, 11 / 18, suppressed=True)
        else:
            store("ALERT_SLA", "team", region.ward, month, sla * 50, 50, sla)
        store("TRN_COVERAGE", "team", region.district, month, 3, 7, 3 / 7, suppressed=True)
        store("PT_DROPOUT", "team", region.district, month, 1, 9, 1 / 9, suppressed=True)  # 11 %
        store("PT_DROPOUT", "environment", region.environment, month, dropout * 400, 400, dropout)
        store("ALERT_SLA", "environment", region.environment, month, 95, 100, 0.95)
        store("TRN_COVERAGE", "environment", region.environment, month, 3.7, 10, 0.37, suppressed=True)
        store("TRN_COVERAGE", "region", 0, month, 44, 60, 44 / 60)
    db.session.commit()

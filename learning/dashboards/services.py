"""Build what the environment and region dashboards show, as plain data the views render and the exports write.

A page reads the metric values it needs in at most three queries (team cells for one month window, the
environment's or region's own cells, nothing per row), so a dashboard answers fast also at ten times the demo
region. Every chart is a `Chart` whose data table is made from the same points, so no number is only in a picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask_babel import gettext as _
from sqlalchemy import select

from learning.accounts.models import Organisation, Team
from learning.dashboards.attention import Attention, attention
from learning.dashboards.charts import Chart, Series
from learning.dashboards.frameworks import (
    COVERAGE,
    RESULT_METRICS,
    Association,
    Group,
    MetricRow,
    kirkpatrick_groups,
    metric_row,
    reaim_groups,
    results_association,
)
from learning.dashboards.values import ValueIndex, metric_name, month_label, months_up_to, spec_of
from learning.db import db
from learning.environments.models import Environment, Programme, ProgrammeTeam
from learning.metrics.definitions import DEFINITIONS
from learning.metrics.periods import Period
from learning.metrics.scopes import REGION, Scope

READINESS = ("TRN_COVERAGE", "PT_ACTIVATION", "PT_ADHERENCE", "PT_DROPOUT", "ALERT_SLA")
TREND = ("TRN_COVERAGE", "PT_ACTIVE", "PT_ADHERENCE", "ALERT_SLA")
REGION_BARS = ("TRN_COVERAGE", "PT_ACTIVE", "PT_ADHERENCE", "ALERT_SLA")
REGION_TRENDS = ("TRN_COVERAGE", "PT_ADHERENCE")


@dataclass(frozen=True)
class TeamRef:
    id: int
    label: str


@dataclass(frozen=True)
class EnvironmentDashboard:
    environment: Environment
    month: Period
    months: list[Period]
    programmes: list[Programme]
    teams: list[TeamRef]
    readiness: Chart
    trend: Chart
    summary: list[MetricRow]
    reaim: list[Group]
    kirkpatrick: list[Group]
    results: list[Association]
    computed_at: datetime | None
    attention: Attention

    @property
    def charts(self) -> list[Chart]:
        return [self.readiness, self.trend]


@dataclass(frozen=True)
class RegionDashboard:
    month: Period
    months: list[Period]
    environments: list[Environment]
    comparison: Chart
    trends: list[Chart]
    table: list[tuple[str, str, list[MetricRow]]]  # metric code, name, one row per environment then the region
    computed_at: datetime | None
    attention: Attention

    @property
    def charts(self) -> list[Chart]:
        return [self.comparison, *self.trends]


def environment_teams(environment_id: int) -> list[TeamRef]:
    """Return the teams taking part in the environment's programmes (and their monitoring centres), by label."""
    programme_teams = select(ProgrammeTeam.team_id).join(Programme, Programme.id == ProgrammeTeam.programme_id)
    centres = select(Programme.monitoring_centre_team_id)
    rows = db.session.execute(
        select(Team.id, Team.name, Organisation.name)
        .join(Organisation, Organisation.id == Team.organisation_id)
        .where(
            Team.id.in_(programme_teams.where(Programme.environment_id == environment_id))
            | Team.id.in_(centres.where(Programme.environment_id == environment_id))
        )
        .order_by(Organisation.name, Team.name)
    )
    return [TeamRef(team_id, f"{team} ({organisation})") for team_id, team, organisation in rows]


def _ratio_chart(
    key: str, title: str, description: str, kind: str, categories: list[str], series: list[Series], unit: str = "ratio"
) -> Chart:
    return Chart(key, title, description, kind, unit, tuple(categories), tuple(series))  # type: ignore[arg-type]


def readiness_chart(index: ValueIndex, teams: list[TeamRef], month: Period, locale: str) -> Chart:
    """Each team's training coverage beside its RPM activation, adherence, drop-out and alert service level."""
    series = [
        Series(metric_name(spec_of(code), locale), tuple(index.point(code, ("team", t.id), month) for t in teams))
        for code in READINESS
    ]
    return _ratio_chart(
        "readiness",
        _("Readiness and adoption per team, %(month)s", month=month_label(month, locale)),
        _("For each team: the share of staff fully trained beside first measurement within 7 days, measurement "
          "adherence, drop-out and alerts handled within the agreed time."),
        "bar",
        [t.label for t in teams],
        series,
    )  # fmt: skip


def trend_chart(key: str, title: str, index: ValueIndex, scope: Scope, codes: tuple[str, ...], window: list[Period],
                locale: str) -> Chart:  # fmt: skip
    """A line per metric over the months of the window, for one scope."""
    series = [
        Series(metric_name(spec_of(code), locale), tuple(index.point(code, scope, m) for m in window)) for code in codes
    ]
    description = _(
        "How %(metrics)s changed month by month from %(first)s to %(last)s.",
        metrics=", ".join(s.name for s in series),
        first=month_label(window[0], locale),
        last=month_label(window[-1], locale),
    )
    return _ratio_chart(key, title, description, "line", [month_label(m, locale) for m in window], series)


def environment_dashboard(
    environment: Environment, month: Period, months: list[Period], locale: str
) -> EnvironmentDashboard:
    """Collect everything a manager sees for one environment and month."""
    window = months_up_to(months, month)
    teams = environment_teams(environment.id)
    scope: Scope = ("environment", environment.id)
    team_codes = {*READINESS, COVERAGE, *RESULT_METRICS}
    index = ValueIndex.load("team", [t.id for t in teams], window, team_codes).merge(
        ValueIndex.load("environment", [environment.id], months_up_to(months, month, 13))
    )
    return EnvironmentDashboard(
        environment=environment,
        month=month,
        months=months,
        programmes=list(environment.programmes),
        teams=teams,
        readiness=readiness_chart(index, teams, month, locale),
        trend=trend_chart("trend", _("Training and adoption over time"), index, scope, TREND, window, locale),
        summary=[metric_row(spec_of(code), index, scope, month, locale) for code in READINESS],
        reaim=reaim_groups(index, scope, month, locale),
        kirkpatrick=kirkpatrick_groups(index, scope, month, locale),
        results=results_association(index, [t.id for t in teams], window, locale),
        computed_at=index.computed_at,
        attention=attention(index, [(("team", t.id), t.label) for t in teams],
                            (scope, _("The whole environment")), month, locale),
    )  # fmt: skip


def all_environments() -> list[Environment]:
    return list(db.session.scalars(select(Environment).order_by(Environment.name)))


def region_dashboard(month: Period, months: list[Period], locale: str) -> RegionDashboard:
    """Collect all environments side by side, with the region's own total, for one month."""
    window = months_up_to(months, month)
    environments = all_environments()
    index = ValueIndex.load("environment", [e.id for e in environments], months_up_to(months, month, 13)).merge(
        ValueIndex.load("region", [0], months_up_to(months, month, 13))
    )
    scopes: list[Scope] = [("environment", e.id) for e in environments] + [REGION]
    labels = [e.name for e in environments] + [_("Region (all)")]
    comparison = _ratio_chart(
        "environments",
        _("Environments side by side, %(month)s", month=month_label(month, locale)),
        _("For each environment and the whole region: trained-staff share, active patients, measurement adherence "
          "and alerts handled within the agreed time."),
        "bar",
        labels,
        [Series(metric_name(spec_of(c), locale), tuple(index.point(c, s, month) for s in scopes)) for c in REGION_BARS],
    )  # fmt: skip
    trends = [_region_trend(code, index, labels, scopes, window, locale) for code in REGION_TRENDS]
    table = [
        (spec.code, metric_name(spec, locale), [metric_row(spec, index, s, month, locale) for s in scopes])
        for spec in DEFINITIONS
    ]
    summary = attention(index, list(zip(scopes[:-1], labels[:-1], strict=True)), (REGION, _("The whole region")),
                        month, locale)  # fmt: skip
    return RegionDashboard(month, months, environments, comparison, trends, table, index.computed_at, summary)


def _region_trend(
    code: str, index: ValueIndex, labels: list[str], scopes: list[Scope], window: list[Period], locale: str
) -> Chart:
    """A line per environment (and the region) for one metric."""
    name = metric_name(spec_of(code), locale)
    series = [
        Series(label, tuple(index.point(code, s, m) for m in window)) for label, s in zip(labels, scopes, strict=True)
    ]
    return _ratio_chart(
        f"trend-{code.lower().replace('_', '-')}",
        _("%(metric)s per environment over time", metric=name),
        _("%(metric)s month by month for each environment and the region.", metric=name),
        "line",
        [month_label(m, locale) for m in window],
        series,
    )


def today() -> date:
    """The date the dashboards reason about (overdue training, which month has ended), in UTC like the metrics."""
    return datetime.now(UTC).date()

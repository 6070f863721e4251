"""Dashboards of implementation environments and the region, their exports, and the metric definitions.

Every dashboard read and export is logged in the access log (learning/audit, NEN 7513-style: who, whose, when,
why) before anything is sent, so a read that cannot be logged does not happen.
"""

from __future__ import annotations

import re
from typing import TypeVar

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from learning.accounts.models import Role
from learning.assessments import services as assessment_services
from learning.assessments.services import latest_assessments
from learning.audit.recording import record_read
from learning.dashboards import access, exports
from learning.dashboards.charts import Chart
from learning.dashboards.filters import register
from learning.dashboards.reports import report_notes, report_subtitle
from learning.dashboards.services import (
    READINESS,
    REGION_BARS,
    REGION_TRENDS,
    TREND,
    EnvironmentDashboard,
    RegionDashboard,
    all_environments,
    environment_dashboard,
    region_dashboard,
    today,
)
from learning.dashboards.staff import staff_to_complete
from learning.dashboards.values import available_months, choose_month, month_label, months_up_to
from learning.db import db
from learning.environments.models import Environment
from learning.metrics.definitions import BY_CODE, DEFINITIONS, MetricSpec
from learning.metrics.models import MetricDefinition
from learning.metrics.periods import Period

bp = Blueprint("dashboards", __name__, url_prefix="/dashboards")
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
READ, EXPORT = "dashboard.read", "dashboard.export"
register(bp)
ASSESSMENTS_ENDPOINT = "assessments.index"


def _locale() -> str:
    return str(get_locale())


def _month() -> tuple[Period | None, list[Period]]:
    """Return the month asked for (or the newest ended one) and every month with figures.

    A malformed month is a 400 and a month without figures a 404, so an export never silently holds another month.
    """
    months = available_months()
    requested = request.args.get("month")
    if requested is not None:
        if not MONTH.fullmatch(requested):
            abort(400, description=_("Choose a month as YEAR-MONTH, for example 2026-10."))
        if requested not in {period.key for period in months}:
            abort(404, description=_("There are no figures for %(month)s.", month=requested))
    return choose_month(months, requested, today()), months


def _environment(environment_id: int) -> Environment:
    environment = db.get_or_404(Environment, environment_id)
    if not access.may_view_environment(current_user, environment_id):
        abort(403)
    return environment


def _environment_data(environment_id: int, action: str = READ) -> tuple[Environment, EnvironmentDashboard | None]:
    """The environment and its figures, once access is granted and the read is logged (a bad month is not)."""
    environment = _environment(environment_id)
    month, months = _month()
    record_read(action, f"environment:{environment_id}")
    return environment, environment_dashboard(environment, month, months, _locale()) if month else None


def _region_data(action: str = READ) -> RegionDashboard | None:
    if not access.may_view_region(current_user):
        abort(403)
    month, months = _month()
    record_read(action, "region")
    return region_dashboard(month, months, _locale()) if month else None


@bp.get("/")
@login_required
def index() -> str:
    """List the dashboards this person may open."""
    ids = set(access.environment_ids_for(current_user))
    if not ids and not access.may_view_region(current_user):
        abort(403)
    environments = [e for e in all_environments() if e.id in ids]
    month, _months = _month()
    return render_template("dashboards/index.html", environments=environments,
                           region=access.may_view_region(current_user), month=month,
                           may_upload=current_user.is_admin or current_user.organisation_id is not None)  # fmt: skip


@bp.get("/environments/<int:environment_id>")
@login_required
def environment(environment_id: int) -> str:
    """Show one environment: readiness vs adoption per team, trends, RE-AIM, Kirkpatrick, assessments, own staff."""
    environment, dashboard = _environment_data(environment_id)
    staff = (
        staff_to_complete(current_user, environment_id, today(), _locale())
        if current_user.role is Role.MANAGER
        else None
    )
    return render_template(
        "dashboards/environment.html", environment=environment, dashboard=dashboard, staff=staff,
        assessments=latest_assessments([p.id for p in environment.programmes]),
        domains=assessment_services.DOMAIN_LABELS, ratings=assessment_services.RATINGS,
        roles=assessment_services.role_labels(_locale()),
        assessments_endpoint=ASSESSMENTS_ENDPOINT, readiness_specs=_specs(READINESS), trend_specs=_specs(TREND),
    )  # fmt: skip


def _specs(codes: tuple[str, ...]) -> list[MetricSpec]:
    return [BY_CODE[code] for code in codes]


@bp.get("/region")
@login_required
def region() -> str:
    """Show all environments side by side."""
    return render_template("dashboards/region.html", dashboard=_region_data(), comparison_specs=_specs(REGION_BARS),
                           trend_specs=[[BY_CODE[code]] for code in REGION_TRENDS])  # fmt: skip


def _format() -> exports.Format:
    """Return the CSV format asked for: `shown` (default, as the page shows it) or `raw` (for scripts)."""
    requested = request.args.get("format", "shown")
    for form in exports.FORMATS:
        if requested == form:
            return form
    abort(400, description=_("Choose the CSV format shown or raw."))


def _csv(text: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}.csv"'}
    return Response(text, mimetype="text/csv", headers=headers)


def _chart(charts: list[Chart], key: str) -> Chart:
    chart = next((c for c in charts if c.key == key), None)
    if chart is None:
        abort(404)
    if not chart.categories:
        abort(404, description=_("This chart has nothing to draw yet: no team takes part in a programme."))
    return chart


def _png(chart: Chart, name: str) -> Response:
    from learning.dashboards.images import chart_png  # the plotting library loads only for exports

    headers = {"Content-Disposition": f'attachment; filename="{name}-{chart.key}.png"'}
    return Response(chart_png(chart, _locale()), mimetype="image/png", headers=headers)


def _pdf(name: str, dashboard: EnvironmentDashboard | RegionDashboard, **context: object) -> Response:
    """Print the report template (every section of the page, the notes once) as a tagged PDF."""
    from learning.dashboards.report_pdf import pdf_from_html, pictures  # WeasyPrint loads only for exports

    html = render_template(
        "dashboards/report.html", subtitle=report_subtitle(dashboard.month, dashboard.computed_at, _locale()),
        notes=report_notes(), pictures=pictures(dashboard.charts, _locale()), dashboard=dashboard, **context,
    )  # fmt: skip
    headers = {"Content-Disposition": f'attachment; filename="{name}.pdf"'}
    return Response(pdf_from_html(html, request.host_url), mimetype="application/pdf", headers=headers)


T = TypeVar("T")


def _require(dashboard: T | None) -> T:
    """Exports need computed figures; say so plainly when there are none yet."""
    if dashboard is None:
        abort(404, description=_("There are no figures yet: they appear once the metrics have been computed."))
    return dashboard


@bp.get("/environments/<int:environment_id>/values.csv")
@login_required
def environment_csv(environment_id: int) -> Response:
    """Download the environment's shown values of the trend window as CSV."""
    environment, dashboard = _environment_data(environment_id, EXPORT)
    d = _require(dashboard)
    scopes = [("environment", [environment.id]), ("programme", [p.id for p in environment.programmes]),
              ("team", [t.id for t in d.teams])]  # fmt: skip
    text = exports.values_csv(scopes, months_up_to(d.months, d.month), _locale(), _format())
    return _csv(text, f"vtc-environment-{environment.id}-{d.month.key}")


@bp.get("/environments/<int:environment_id>/charts/<key>.png")
@login_required
def environment_png(environment_id: int, key: str) -> Response:
    """Download one chart of the environment's dashboard as PNG."""
    environment, dashboard = _environment_data(environment_id, EXPORT)
    d = _require(dashboard)
    return _png(_chart(d.charts, key), f"vtc-environment-{environment.id}-{d.month.key}")


@bp.get("/environments/<int:environment_id>/report.pdf")
@login_required
def environment_pdf(environment_id: int) -> Response:
    """Download every section of the environment's dashboard as one tagged PDF for the steering group."""
    environment, dashboard = _environment_data(environment_id, EXPORT)
    d = _require(dashboard)
    return _pdf(
        f"vtc-environment-{environment.id}-{d.month.key}", title=environment.name, dashboard=d, region=False,
        programmes=list(environment.programmes), assessments=latest_assessments([p.id for p in environment.programmes]),
        domains=assessment_services.DOMAIN_LABELS, ratings=assessment_services.RATINGS,
        roles=assessment_services.role_labels(_locale()),
    )  # fmt: skip


@bp.get("/region/values.csv")
@login_required
def region_csv() -> Response:
    """Download the environments' and region's shown values of the trend window as CSV."""
    d = _require(_region_data(EXPORT))
    scopes = [("environment", [e.id for e in d.environments]), ("region", [0])]
    text = exports.values_csv(scopes, months_up_to(d.months, d.month), _locale(), _format())
    return _csv(text, f"vtc-region-{d.month.key}")


@bp.get("/region/charts/<key>.png")
@login_required
def region_png(key: str) -> Response:
    """Download one chart of the region dashboard as PNG."""
    d = _require(_region_data(EXPORT))
    return _png(_chart(d.charts, key), f"vtc-region-{d.month.key}")


@bp.get("/region/report.pdf")
@login_required
def region_pdf() -> Response:
    """Download every section of the region dashboard as one tagged PDF."""
    d = _require(_region_data(EXPORT))
    return _pdf(f"vtc-region-{d.month.key}", title="VTC Twente", dashboard=d, region=True)


@bp.get("/metrics")
@login_required
def definitions() -> str:
    """List every metric with its definition."""
    return render_template("dashboards/definitions.html", specs=DEFINITIONS)


@bp.get("/metrics/<code>")
@login_required
def definition(code: str) -> str:
    """Show one metric's formula, source, frameworks and every stored version."""
    spec = BY_CODE.get(code)
    if spec is None:
        abort(404)
    versions = db.session.scalars(
        select(MetricDefinition).where(MetricDefinition.code == code).order_by(MetricDefinition.version.desc())
    ).all()
    return render_template("dashboards/definition.html", spec=spec, versions=versions, month_label=month_label)

"""The one screen first: what needs attention this month, from shown figures only, on the page before the details."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from dashboard_helpers import DISTRICT, HIDDEN_FIGURES, OCTOBER, SEPTEMBER, WARD, Region, store
from flask import Flask
from flask.testing import FlaskClient

from learning.dashboards.attention import Attention
from learning.dashboards.services import environment_dashboard, region_dashboard
from learning.dashboards.values import available_months
from learning.db import db
from learning.environments.models import Environment


def _attention(app: Flask, region: Region) -> Attention:
    with app.test_request_context():
        months = available_months()
        environment = db.session.get(Environment, region.environment)
        assert environment is not None
        return environment_dashboard(environment, months[-1], months, "en").attention


def test_summary_names_what_needs_attention_with_figure_and_change(app: Flask, cells: Region) -> None:
    attention = _attention(app, cells)
    by_check = {c.check: [(f.label, f.row.current.value, f.row.previous.value) for f in c.findings]
                for c in attention.concerns}  # fmt: skip
    assert by_check["training"] == [(WARD, 0.7, 0.6)]
    assert by_check["dropout"] == [("De hele omgeving", 0.09, 0.05), (WARD, 0.09, 0.05)]
    assert by_check["alerts"] == [(WARD, 0.72, None)]  # the month before is hidden: no change, never its value
    assert attention.hidden == 1  # the district team is counted as hidden, never judged


def test_nothing_to_flag_says_so(app: Flask, region: Region) -> None:
    with app.app_context():
        for month in (SEPTEMBER, OCTOBER):
            store("TRN_COVERAGE", "team", region.ward, month, 9, 10, 0.9)
            store("PT_DROPOUT", "team", region.ward, month, 5, 100, 0.05)
            store("ALERT_SLA", "team", region.ward, month, 48, 50, 0.96)
            store("TRN_COVERAGE", "region", 0, month, 9, 10, 0.9)
        db.session.commit()
    attention = _attention(app, region)
    assert (attention.concerns, attention.hidden) == ((), 0)


def _summary_text(page: str) -> str:
    start = page.index('id="section-attention"')
    section = page[start : page.index("</section>", start)]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section)).replace("\xa0", " ")


def test_page_starts_with_the_summary_and_never_shows_a_hidden_figure_in_it(
    login: Callable[[Any], FlaskClient], manager_of: Callable[[int], Any], cells: Region
) -> None:
    page = login(manager_of(cells.hospital)).get(f"/dashboards/environments/{cells.environment}").get_data(as_text=True)
    assert page.index('id="section-attention"') < page.index(
        '<details class="section"'
    )  # first, before every folded detail
    summary = _summary_text(page)
    assert WARD in summary
    assert "70%" in summary
    assert "+10 procentpunt" in summary  # training: 60 % -> 70 %
    assert "+4" in summary  # drop-out: 5 % -> 9 %
    assert "72%" in summary
    assert DISTRICT not in summary
    for hidden in HIDDEN_FIGURES:
        assert hidden not in summary, hidden
    assert f'<a href="#readiness">{WARD}</a>' in page  # each finding links to its detail


def test_region_summary_links_each_environment_to_its_page(
    app: Flask, login: Callable[[Any], FlaskClient], manager_of: Callable[[int], Any], region: Region
) -> None:
    with app.app_context():
        for month, share in ((SEPTEMBER, 0.5), (OCTOBER, 0.55)):
            store("TRN_COVERAGE", "environment", region.environment, month, share * 20, 20, share)
            store("TRN_COVERAGE", "environment", region.other_environment, month, 19, 20, 0.95)
            store("TRN_COVERAGE", "region", 0, month, 30, 40, 0.75)
        db.session.commit()
    with app.test_request_context():
        months = available_months()
        attention = region_dashboard(months[-1], months, "en").attention
    assert [(f.scope, f.row.current.value) for c in attention.concerns for f in c.findings] == [
        (("environment", region.environment), 0.55)
    ]
    page = login(manager_of(region.hospital)).get("/dashboards/region").get_data(as_text=True)
    assert f'href="/dashboards/environments/{region.environment}?month=2026-10"' in page


def test_a_banded_team_below_the_target_is_listed_with_its_band_never_a_figure(app: Flask, region: Region) -> None:
    with app.app_context():
        for month in (SEPTEMBER, OCTOBER):  # 3 of 20 trained: "< 25%", below the 80 % target whatever the count
            store("TRN_COVERAGE", "team", region.ward, month, 3, 20, 0.15)
            store("TRN_COVERAGE", "region", 0, month, 30, 60, 0.5)
        db.session.commit()
    attention = _attention(app, region)
    [training] = [c for c in attention.concerns if c.check == "training"]
    [finding] = training.findings
    assert finding.scope == ("team", region.ward)
    assert (finding.row.current.status, finding.row.current.value, finding.row.current.band) == (
        "banded",
        None,
        (5, 20),
    )
    assert attention.hidden == 0  # a band is shown, not hidden

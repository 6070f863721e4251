"""The dashboards through the real Flask app: access, what is shown, what is never shown, and the exports."""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from dashboard_helpers import OCTOBER, Region, store
from flask import Flask
from flask.testing import FlaskClient
from metrics_helpers import World

from learning.accounts.models import Role, User
from learning.assessments.services import NASSS_DOMAINS, NewAssessment, add_assessment
from learning.db import db
from learning.environments.models import Environment, Framework, Programme

Login = Callable[[Any], FlaskClient]


@pytest.fixture
def hospital_manager(manager_of: Callable[[int], Any], region: Region) -> Any:
    return manager_of(region.hospital)


def test_manager_sees_team_coverage_of_the_newest_ended_month(
    login: Login, hospital_manager: Any, region: Region, stored_cells: None
) -> None:
    page = login(hospital_manager).get(f"/dashboards/environments/{region.environment}").get_data(as_text=True)
    assert "Hartfalenpoli" in page
    assert "80%" in page  # October: 8 of 10 trained
    assert 'value="2026-10" selected' in page


def test_month_can_be_chosen(login: Login, hospital_manager: Any, region: Region, stored_cells: None) -> None:
    page = login(hospital_manager).get(f"/dashboards/environments/{region.environment}?month=2026-09")
    assert "60%" in page.get_data(as_text=True)


def test_suppressed_cells_are_never_shown_in_page_or_csv(
    login: Login, hospital_manager: Any, region: Region, stored_cells: None
) -> None:
    client = login(hospital_manager)
    page = client.get(f"/dashboards/environments/{region.environment}").get_data(as_text=True)
    assert "43%" not in page  # the district team's hidden 3 of 7
    assert "verborgen" in page
    response = client.get(f"/dashboards/environments/{region.environment}/values.csv?format=raw")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    district = [r for r in rows if r["scope_type"] == "team" and r["scope_id"] == str(region.district)]
    assert district, "the district team's cells are exported, blanked"
    assert all(r["suppressed"] == "yes" and r["numerator"] == r["denominator"] == r["value"] == "" for r in district)
    ward = next(r for r in rows if r["scope_id"] == str(region.ward) and r["metric_code"] == "TRN_COVERAGE"
                and r["month"] == "2026-10")  # fmt: skip
    assert (ward["numerator"], ward["denominator"], ward["value"]) == ("8", "10", "0.8")


def test_other_organisations_manager_and_staff_get_403(
    login: Login, manager_of: Callable[[int], Any], make_user: Callable[..., Any], region: Region
) -> None:
    outsider = manager_of(region.outsider)
    assert login(outsider).get(f"/dashboards/environments/{region.environment}").status_code == 403
    assert login(outsider).get(f"/dashboards/environments/{region.environment}/values.csv").status_code == 403
    nurse = make_user(Role.PROFESSIONAL)
    assert login(nurse).get("/dashboards/region").status_code == 403
    assert login(nurse).get("/dashboards/").status_code == 403


def test_anonymous_visitor_is_sent_to_log_in(client: FlaskClient, region: Region) -> None:
    response = client.get(f"/dashboards/environments/{region.environment}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_unknown_environment_is_404(login: Login, hospital_manager: Any) -> None:
    assert login(hospital_manager).get("/dashboards/environments/99999").status_code == 404


def test_each_metric_links_to_its_definition(
    login: Login, hospital_manager: Any, region: Region, stored_cells: None
) -> None:
    client = login(hospital_manager)
    page = client.get(f"/dashboards/environments/{region.environment}").get_data(as_text=True)
    assert 'href="/dashboards/metrics/TRN_COVERAGE"' in page
    definition = client.get("/dashboards/metrics/TRN_COVERAGE").get_data(as_text=True)
    assert "S(t,b)" in definition
    assert "Versie 1" in definition
    assert client.get("/dashboards/metrics/NO_SUCH_METRIC").status_code == 404


def test_charts_have_a_data_table_and_accessible_svg(
    login: Login, hospital_manager: Any, region: Region, stored_cells: None
) -> None:
    page = login(hospital_manager).get(f"/dashboards/environments/{region.environment}").get_data(as_text=True)
    figures = re.findall(r"<figure.*?</figure>", page, flags=re.DOTALL)
    assert len(figures) == 2
    for figure in figures:
        assert 'role="img"' in figure
        assert "<table" in figure


def test_png_and_pdf_exports(login: Login, hospital_manager: Any, region: Region, stored_cells: None) -> None:
    client = login(hospital_manager)
    png = client.get(f"/dashboards/environments/{region.environment}/charts/readiness.png")
    assert png.status_code == 200
    assert png.mimetype == "image/png"
    assert png.data.startswith(b"\x89PNG")
    pdf = client.get(f"/dashboards/environments/{region.environment}/report.pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert client.get(f"/dashboards/environments/{region.environment}/charts/nope.png").status_code == 404


def test_region_shows_every_environment_side_by_side(
    login: Login, hospital_manager: Any, region: Region, stored_cells: None, app: Flask
) -> None:
    client = login(hospital_manager)
    page = client.get("/dashboards/region").get_data(as_text=True)
    assert "73%" in page  # region coverage 44 / 60
    with app.app_context():
        names = [e.name for e in db.session.query(Environment)]
    assert all(name in page for name in names)
    csv_text = client.get("/dashboards/region/values.csv?format=raw").get_data(as_text=True)
    assert "environment" in csv_text
    assert "region" in csv_text


def test_without_computed_values_the_page_explains_and_exports_are_404(
    login: Login, hospital_manager: Any, region: Region
) -> None:
    client = login(hospital_manager)
    response = client.get(f"/dashboards/environments/{region.environment}")
    assert response.status_code == 200
    assert "flask metrics recompute" in response.get_data(as_text=True)
    assert client.get(f"/dashboards/environments/{region.environment}/report.pdf").status_code == 404


@pytest.mark.parametrize("path", ["/dashboards/environments/{env}", "/dashboards/region"])
def test_element_ids_are_unique(
    login: Login, hospital_manager: Any, region: Region, stored_cells: None, path: str
) -> None:
    """Charts label themselves by id; a clash with a heading's id would give the chart the wrong name."""
    page = login(hospital_manager).get(path.format(env=region.environment)).get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_latest_assessments_are_shown_beside_the_numbers(
    login: Login, hospital_manager: Any, region: Region, stored_cells: None, app: Flask
) -> None:
    with app.app_context():
        programme = db.session.get(Programme, region.programme)
        author = db.session.get(User, hospital_manager.id)
        assert programme is not None
        assert author is not None
        domain = NASSS_DOMAINS[1]
        add_assessment(programme, author, NewAssessment(Framework.NASSS, domain, "complex", "Koppeling met het EPD "
                       "ontbreekt nog.", "manager", date(2026, 10, 15)))  # fmt: skip
    page = login(hospital_manager).get(f"/dashboards/environments/{region.environment}").get_data(as_text=True)
    section = page[page.index('id="section-assessments"') :]
    assert 'data-testid="latest-nasss"' in section
    assert "2026-10-15" in section
    assert "Complex" in section


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("month=garbage", 400, "2026-10"),
        ("month=2026-13", 400, "2026-10"),
        ("month=2020-01", 404, "2020-01"),
    ],
)
@pytest.mark.parametrize("suffix", ["", "/values.csv", "/report.pdf"])
def test_a_bad_or_unknown_month_is_refused_with_a_reason(
    login: Login, hospital_manager: Any, region: Region, stored_cells: None, query: str, status: int, message: str,
    suffix: str,
) -> None:  # fmt: skip
    response = login(hospital_manager).get(f"/dashboards/environments/{region.environment}{suffix}?{query}")
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/dashboards/environments/99999999999999999999999", "/programmes/99999999999999999999/assessments"]
)
def test_an_id_beyond_64_bits_is_404_not_500(login: Login, hospital_manager: Any, path: str) -> None:
    assert login(hospital_manager).get(path).status_code == 404


def test_an_environment_without_teams_has_no_picture_to_export(
    login: Login, hospital_manager: Any, region: Region, stored_cells: None, app: Flask
) -> None:
    with app.app_context():
        world = World(counter=itertools.count(100))  # names apart from the region fixture's
        empty = world.environment()
        world.programme(empty, region.hospital)  # no team takes part yet
        store("PT_REACH", "environment", empty, OCTOBER, 40, 100, 0.4)
        db.session.commit()
    client = login(hospital_manager)
    page = client.get(f"/dashboards/environments/{empty}")
    assert page.status_code == 200
    assert f"/dashboards/environments/{empty}/charts/readiness.png" not in page.get_data(as_text=True)
    response = client.get(f"/dashboards/environments/{empty}/charts/readiness.png")
    assert response.status_code == 404
    assert "nothing to draw" in response.get_data(as_text=True) or "niets" in response.get_data(as_text=True)


def test_the_page_says_when_its_figures_were_last_brought_up_to_date(
    app: Flask, login: Login, hospital_manager: Any, region: Region, stored_cells: None
) -> None:
    from learning.live import run_once

    client = login(hospital_manager)
    url = f"/dashboards/environments/{region.environment}"
    before = client.get(url).get_data(as_text=True)
    assert "Bijgewerkt op" in before  # not yet synced live: the time the figures were computed (stored_cells)
    with app.app_context():
        assert run_once() is not None
        db.session.remove()
    after = client.get(url).get_data(as_text=True)
    assert re.search(r"Bijgewerkt om \d\d:\d\d", after), "a live run today shows its time of day"

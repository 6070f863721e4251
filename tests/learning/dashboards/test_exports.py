"""The CSV exports: the default opens in Dutch Excel as the page reads, the raw form stays what scripts expect.

Each cell is checked against the figures the service itself shows (`visible_values` and `format_value`), parsed back
with `csv` and babel's number parser, so the test follows the data rather than copying numbers from the fixture.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from babel.numbers import parse_decimal
from dashboard_helpers import Region
from flask import Flask
from flask.testing import FlaskClient

from learning.accounts.models import User
from learning.dashboards.exports import separator_for
from learning.dashboards.numbers import format_value
from learning.dashboards.values import month_label
from learning.db import db
from learning.metrics.definitions import BY_CODE
from learning.metrics.periods import Period
from learning.metrics.visible import visible_values

Login = Callable[[Any], FlaskClient]
DUTCH_HEADER = ["Cijfer", "Code", "Niveau", "Naam", "Maand", "Waarde", "Geteld", "Van", "Verborgen",
                "Definitieversie", "Berekend"]  # fmt: skip


@pytest.fixture
def client_of(login: Login, manager_of: Callable[[int], Any], region: Region, app: Flask) -> Callable[[str], Any]:
    def make(locale: str) -> FlaskClient:
        manager = manager_of(region.hospital)
        with app.app_context():
            user = db.session.get(User, manager.id)
            assert user is not None
            user.locale = locale
            db.session.commit()
        return login(manager)

    return make


def _shown_rows(app: Flask, region: Region) -> dict[tuple[str, int, str], Any]:
    with app.app_context():
        rows = visible_values(scope_type="team", scope_ids=[region.ward, region.district])
    return {(r.metric_code, r.scope_id, r.period_start.isoformat()[:7]): r for r in rows}


def test_default_csv_is_semicolon_separated_with_dutch_words_and_decimal_commas(
    client_of: Callable[[str], FlaskClient], region: Region, stored_cells: None, app: Flask
) -> None:
    response = client_of("nl").get(f"/dashboards/environments/{region.environment}/values.csv")
    assert response.status_code == 200
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the byte-order mark
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == DUTCH_HEADER
    rows = [dict(zip(table[0], line, strict=True)) for line in table[1:]]
    expected = _shown_rows(app, region)
    team_rows = [r for r in rows if r["Niveau"] == "team"]
    assert len(team_rows) == len(expected)
    with app.app_context():
        labels = {month_label(Period(v.period_start), "nl"): key[2] for key, v in expected.items()}
        names = {region.ward: "Hartfalenpoli", region.district: "Wijkteam Noord"}
        for row in team_rows:
            scope_id = next(i for i, name in names.items() if name == row["Naam"])
            shown = expected[(row["Code"], scope_id, labels[row["Maand"]])]
            spec = BY_CODE[row["Code"]]
            status = "suppressed" if shown.suppressed else "ok"
            assert row["Waarde"] == format_value(shown.value, spec.unit, "nl", status)
            assert row["Verborgen"] == ("ja" if shown.suppressed else "nee")
            if shown.suppressed:
                assert row["Geteld"] == row["Van"] == ""
            else:
                assert float(parse_decimal(row["Geteld"], locale="nl")) == pytest.approx(shown.numerator)
                assert float(parse_decimal(row["Van"], locale="nl")) == pytest.approx(shown.denominator)
    assert any(r["Waarde"].endswith("%") and r["Verborgen"] == "nee" for r in team_rows)  # a percentage, as shown
    assert any(r["Waarde"] == "verborgen (kleine groep)" for r in team_rows)


def test_a_fraction_is_written_with_a_decimal_comma(
    client_of: Callable[[str], FlaskClient], region: Region, stored_cells: None, app: Flask
) -> None:
    from dashboard_helpers import OCTOBER, store

    with app.app_context():
        store("ALERT_RATE", "team", region.ward, OCTOBER, 3, 12.5, 3 / 12.5)
        db.session.commit()
    text = client_of("nl").get(f"/dashboards/environments/{region.environment}/values.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    alert = next(r for r in rows if r["Code"] == "ALERT_RATE" and r["Niveau"] == "team")
    assert alert["Van"] == "12,5"
    assert float(parse_decimal(alert["Waarde"], locale="nl")) == pytest.approx(round(3 / 12.5, 1))


def test_a_banded_cell_shows_its_band_never_its_count_on_the_page_and_in_both_csv_formats(
    client_of: Callable[[str], FlaskClient], region: Region, stored_cells: None, app: Flask
) -> None:
    from dashboard_helpers import OCTOBER, store

    with app.app_context():  # 3 of 40 stopped: a group of 40 is large enough, a count of 3 is not (below 10)
        store("PT_DROPOUT", "team", region.district, OCTOBER, 3, 40, 3 / 40)
        db.session.commit()
    client = client_of("nl")
    page = client.get(f"/dashboards/environments/{region.environment}?month=2026-10").get_data(as_text=True)
    assert "&lt; 25% (minder dan 10 van 40)" in page  # the data table of the main chart
    assert 'class="banded-value"' in page  # the bar is an outline up to 25 %, not a length

    text = client.get(f"/dashboards/environments/{region.environment}/values.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    [band] = [r for r in rows if r["Code"] == "PT_DROPOUT" and r["Naam"] == "Wijkteam Noord"]
    assert (band["Waarde"], band["Geteld"], band["Van"], band["Verborgen"]) == ("< 25%", "<10", "40", "nee")

    raw = client.get(f"/dashboards/environments/{region.environment}/values.csv?format=raw").get_data(as_text=True)
    [line] = [r for r in csv.DictReader(io.StringIO(raw.lstrip("\ufeff")))
              if r["metric_code"] == "PT_DROPOUT" and r["scope_id"] == str(region.district)]  # fmt: skip
    assert (line["numerator"], line["denominator"], line["value"], line["suppressed"]) == ("<10", "40", "<0.25", "no")
    assert "0.075" not in raw  # the real share is nowhere
    assert "7,5" not in text


def test_english_page_gives_a_comma_separated_file_with_english_headers(
    client_of: Callable[[str], FlaskClient], region: Region, stored_cells: None
) -> None:
    text = client_of("en").get(f"/dashboards/environments/{region.environment}/values.csv").get_data(as_text=True)
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert header[:2] == ["Figure", "Code"]
    assert separator_for("en") == ","
    assert separator_for("nl") == separator_for("de") == ";"


def test_raw_format_keeps_the_machine_readable_columns(
    client_of: Callable[[str], FlaskClient], region: Region, stored_cells: None, app: Flask
) -> None:
    response = client_of("nl").get(f"/dashboards/environments/{region.environment}/values.csv?format=raw")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    expected = _shown_rows(app, region)
    ward = [r for r in rows if r["scope_type"] == "team" and r["scope_id"] == str(region.ward)]
    assert ward
    for row in ward:
        shown = expected[(row["metric_code"], region.ward, row["month"])]
        assert float(row["value"]) == pytest.approx(shown.value)
        assert row["suppressed"] == "no"


def test_an_unknown_format_is_refused_with_a_reason(
    client_of: Callable[[str], FlaskClient], region: Region, stored_cells: None
) -> None:
    response = client_of("nl").get("/dashboards/region/values.csv?format=xlsx")
    assert response.status_code == 400
    assert "raw" in response.get_data(as_text=True)


def test_german_dashboard_and_csv_speak_german(
    client_of: Callable[[str], FlaskClient], region: Region, stored_cells: None
) -> None:
    client = client_of("de")
    page = client.get(f"/dashboards/environments/{region.environment}")
    assert page.status_code == 200  # the number words had no German and the page failed
    assert "verborgen (kleine Gruppe)" in page.get_data(as_text=True)
    text = client.get(f"/dashboards/environments/{region.environment}/values.csv").get_data(as_text=True)
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert header[:3] == ["Kennzahl", "Code", "Ebene"]

"""The manager's CSV upload through the real app: template, preview with every problem, confirm with CSRF."""

from __future__ import annotations

import io
import re

import pytest
from helpers import csrf_token
from sqlalchemy import delete, func, select

from learning.accounts.models import Role
from learning.db import db
from learning.environments.models import ProgrammeTeam
from learning.rpm.fields import Kind
from learning.rpm.ingest import STORAGE
from learning.rpm.models import DailyMeasurement, Enrolment

TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"')


def enrolments_csv(seed, *rows: str) -> bytes:
    header = "programme;patient_pid;team;offered_at;enrolled_at;first_measurement_at;disenrolled_at;disenrol_reason"
    body = rows or (
        f"{seed.hf};P-0001;Hartfalenpoli;2025-02-20;2025-03-01;2025-03-02;;",
        f"{seed.hf};P-0002;{seed.hf_team};2025-02-21;2025-03-03;2025-03-03;2025-06-30;technical",
    )
    return ("\ufeff" + "\r\n".join([header, *body]) + "\r\n").encode()


def upload(client, data: bytes, kind: str = "enrolments", **extra):
    form = {"kind": kind, "file": (io.BytesIO(data), "export.csv"), "csrf_token": csrf_token(client, "/rpm/upload")}
    return client.post("/rpm/upload", data=form | extra, content_type="multipart/form-data")


def confirm(client, preview_html: str):
    token = TOKEN.search(preview_html)
    assert token, "no confirm form"
    return client.post(
        "/rpm/upload/confirm", data={"token": token.group(1), "csrf_token": csrf_token(client, "/rpm/upload")}
    )


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_the_upload_page_lists_programmes_teams_and_columns(manager, seed):
    html = manager.get("/rpm/upload").get_data(as_text=True)
    assert "Hartfalen thuis" in html
    assert f"Hartfalenpoli (<code>{seed.hf_team}</code>)" in html
    assert "<code>received_weight</code>" in html
    assert "Hartfalen wijk" not in html  # the other organisation's programme
    assert 'enctype="multipart/form-data"' in html


def test_the_template_downloads_as_csv(manager, seed):
    response = manager.get("/rpm/upload/eligible-counts/template.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    # the programmes sort by name: "COPD op afstand" comes first
    assert lines == ["programme;period;count;source", f"{seed.copd};2025-03;140;ehr"]
    assert manager.get("/rpm/upload/nonsense/template.csv").status_code == 404


def test_preview_then_confirm_imports_the_file(app, manager, seed):
    preview = upload(manager, enrolments_csv(seed))
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert 'data-testid="preview"' in html
    assert "P-0002" in html
    assert count(app, Enrolment) == 0  # nothing before confirmation
    done = confirm(manager, html)
    assert done.status_code == 302
    assert count(app, Enrolment) == 2
    page = manager.get(done.headers["Location"]).get_data(as_text=True)
    assert "Imported: 2 new, 0 changed, 0 unchanged rows." in page


def test_the_same_file_twice_changes_nothing(app, manager, seed):
    confirm(manager, upload(manager, enrolments_csv(seed)).get_data(as_text=True))
    done = confirm(manager, upload(manager, enrolments_csv(seed)).get_data(as_text=True))
    assert "0 new, 0 changed, 2 unchanged" in manager.get(done.headers["Location"]).get_data(as_text=True)
    assert count(app, Enrolment) == 2


def test_a_confirmed_upload_cannot_be_imported_twice(app, manager, seed):
    html = upload(manager, enrolments_csv(seed)).get_data(as_text=True)
    confirm(manager, html)
    again = confirm(manager, html)
    assert again.status_code == 302
    assert "imported already or has expired" in manager.get(again.headers["Location"]).get_data(as_text=True)


def test_errors_are_listed_by_row_and_column_and_nothing_is_kept(app, manager, seed, tmp_path):
    data = enrolments_csv(
        seed,
        f"{seed.hf};Jan de Vries;Hartfalenpoli;2025-02-20;2025-03-01;;;",
        f"{seed.hf};P-0002;Longpoli;2025-03-05;2025-03-01;;;",
        f"{seed.hf};111222333;;;2025-03-01;;;",
    )
    response = upload(manager, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    problems = re.findall(r"<tr><td>(\d+)</td><td><code>(\w+)</code></td>", html)
    assert problems == [("2", "patient_pid"), ("3", "team"), ("3", "enrolled_at"), ("4", "patient_pid")]
    assert "4 problems. Nothing has been imported." in html
    assert 'name="token"' not in html
    assert count(app, Enrolment) == 0
    assert not list((tmp_path / "rpm_uploads").glob("*.csv"))


def test_a_measurement_value_column_is_refused(app, manager, seed):
    data = (
        f"programme;patient_pid;day;expected;received_weight;weight_kg\n{seed.hf};P-1;2025-03-02;yes;1;82.5\n"
    ).encode()
    response = upload(manager, data, kind="daily")
    assert response.status_code == 422
    assert "<code>weight_kg</code>" in response.get_data(as_text=True)
    assert "Measurement values may not be sent" in response.get_data(as_text=True)
    assert count(app, DailyMeasurement) == 0


def test_a_programme_of_another_organisation_is_forbidden(app, manager, seed):
    response = upload(manager, enrolments_csv(seed, f"{seed.other};P-1;;;2025-03-01;;;"))
    assert response.status_code == 403
    assert "is not a programme of Test Ziekenhuis" in response.get_data(as_text=True)
    assert count(app, Enrolment) == 0


def test_rows_are_checked_again_on_confirmation(app, manager, seed):
    html = upload(manager, enrolments_csv(seed)).get_data(as_text=True)
    with app.app_context():  # the team leaves the programme between preview and confirmation
        db.session.execute(delete(ProgrammeTeam).where(ProgrammeTeam.team_id == seed.hf_team))
        db.session.commit()
    response = confirm(manager, html)
    assert response.status_code == 422
    assert "does not work in programme" in response.get_data(as_text=True)
    assert count(app, Enrolment) == 0


def test_a_file_over_the_size_limit_is_413(app, manager, seed):
    app.config["RPM_CSV_MAX_BYTES"] = 100
    response = upload(manager, enrolments_csv(seed))
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_a_file_over_the_row_limit_is_413(app, manager, seed):
    app.config["RPM_CSV_MAX_ROWS"] = 1
    assert upload(manager, enrolments_csv(seed)).status_code == 413


def test_a_file_that_is_not_csv_text_is_400(manager, seed):
    response = upload(manager, b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    assert response.status_code == 400
    assert "CSV UTF-8" in response.get_data(as_text=True)


def test_upload_without_csrf_token_is_refused(app, manager, seed):
    form = {"kind": "enrolments", "file": (io.BytesIO(enrolments_csv(seed)), "export.csv")}
    assert manager.post("/rpm/upload", data=form, content_type="multipart/form-data").status_code == 400


def test_a_forged_token_imports_nothing(app, manager, seed):
    html = upload(manager, enrolments_csv(seed)).get_data(as_text=True)
    response = confirm(manager, TOKEN.sub(lambda m: f'name="token" type="hidden" value="{m.group(1)[:-2]}xx"', html))
    assert response.status_code == 302
    assert count(app, Enrolment) == 0


def test_another_user_cannot_confirm_someone_elses_upload(app, client, make_user, login, seed):
    login(make_user(Role.MANAGER, locale="en"))
    html = upload(client, enrolments_csv(seed)).get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/rpm/upload")})
    login(make_user(Role.MANAGER, locale="en"))
    assert confirm(client, html).status_code == 302
    assert count(app, Enrolment) == 0


@pytest.mark.parametrize("role", [Role.PROFESSIONAL, Role.PATIENT, Role.AUTHOR])
def test_only_managers_and_admins_may_upload(client, make_user, login, seed, role):
    login(make_user(role))
    assert client.get("/rpm/upload").status_code == 403
    assert client.get("/rpm/upload/daily/template.csv").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, seed):
    assert client.get("/rpm/upload").status_code == 302


def test_a_manager_cannot_upload_for_another_organisation(manager, seed):
    assert manager.get(f"/rpm/upload?organisation={seed.other_organisation_id}").status_code == 403
    response = upload(manager, enrolments_csv(seed), organisation=str(seed.other_organisation_id))
    assert response.status_code == 403


def test_an_admin_chooses_the_organisation(app, client, make_user, login, seed):
    login(make_user(Role.ADMIN, locale="en"))
    html = client.get(f"/rpm/upload?organisation={seed.other_organisation_id}").get_data(as_text=True)
    assert "Hartfalen wijk" in html
    assert 'name="organisation"' in html
    data = enrolments_csv(seed, f"{seed.other};P-1;Wijkteam Noord;;2025-03-01;;;")
    preview = upload(client, data, organisation=str(seed.other_organisation_id))
    assert preview.status_code == 200
    assert confirm(client, preview.get_data(as_text=True)).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Enrolment.programme_id)) == seed.other


def kind_csv(seed, kind: str) -> tuple[str, list[str], str, str]:
    """Return a header, good rows, one bad row and the column the bad row is refused for."""
    hf, copd = seed.hf, seed.copd
    return {
        "enrolments": (
            "programme;patient_pid;team;offered_at;enrolled_at",
            [f"{hf};P-1;Hartfalenpoli;2025-02-20;2025-03-01", f"{copd};P-1;;2025-04-01;"],
            f"{hf};P-3;;2025-03-05;2025-03-01",
            "enrolled_at",
        ),
        "daily": (
            "programme;patient_pid;day;expected;received_weight;received_bp;received_spo2;manual_weight",
            [f"{hf};P-1;2025-03-02;ja;1;0;;1", f"{hf};P-1;2025-03-03;nee;;;;", f"{copd};P-2;2025-03-02;yes;;;2;"],
            f"{hf};P-1;2025-03-04;yes;82.5;;;",
            "received_weight",
        ),
        "alerts": (
            "programme;external_id;patient_pid;team;severity;created_at;first_action_at;action_type;outcome",
            [f"{hf};A-1;P-1;Hartfalenpoli;red;2025-03-02 09:15;2025-03-02 09:40;contacted;contact",
             f"{copd};A-2;P-2;;red;2025-03-02T10:00+01:00;;;"],
            f"{hf};A-3;P-1;;yellow;2025-03-02 11:00;;;",
            "severity",
        ),
        "staff-activity": (
            "programme,staff_pid,day,enrolments,reviews,alerts_handled,contacts",
            [f"{hf},S-1,2025-03-02,1,6,,0", f"{hf},S-2,2025-03-02,0,3,1,1"],
            f"{hf},Pietersen,2025-03-02,1,1,1,1",
            "staff_pid",
        ),
        "eligible-counts": (
            "programme;period;count;source",
            [f"{hf};2025-03;140;ehr", f"{copd};2025-03;20;manual"],
            f"{hf};2025-04;140;guess",
            "source",
        ),
    }[kind]  # fmt: skip


KINDS = ["enrolments", "daily", "alerts", "staff-activity", "eligible-counts"]


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_imports_by_csv_and_a_second_upload_changes_nothing(app, manager, seed, kind):
    header, rows, _, _ = kind_csv(seed, kind)
    data = "\n".join([header, *rows]).encode()
    done = confirm(manager, upload(manager, data, kind=kind).get_data(as_text=True))
    assert f"{len(rows)} new, 0 changed, 0 unchanged" in manager.get(done.headers["Location"]).get_data(as_text=True)
    again = confirm(manager, upload(manager, data, kind=kind).get_data(as_text=True))
    assert f"0 new, 0 changed, {len(rows)} unchanged" in manager.get(again.headers["Location"]).get_data(as_text=True)
    assert count(app, STORAGE[Kind(kind)].model) == len(rows)


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_refuses_a_csv_with_a_bad_row_by_row_and_column(app, manager, seed, kind):
    header, rows, bad, column = kind_csv(seed, kind)
    response = upload(manager, "\n".join([header, *rows, bad]).encode(), kind=kind)
    assert response.status_code == 422
    problems = re.findall(r"<tr><td>(\d+)</td><td><code>(\w+)</code></td>", response.get_data(as_text=True))
    assert problems == [(str(len(rows) + 2), column)]
    assert count(app, STORAGE[Kind(kind)].model) == 0


def test_a_row_with_extra_cells_does_not_hide_the_problems_of_other_rows(app, manager, seed):
    data = (
        b"programme;patient_pid;enrolled_at\n"
        + f"{seed.hf};P-1;2025-03-01;surplus\n{seed.hf};Jansen;2025-03-01\n".encode()
    )
    response = upload(manager, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.findall(r"<tr><td>(\d+)</td>", html) == ["2", "3"]
    assert "more cells than the header" in html
    assert "looks like a name" in html

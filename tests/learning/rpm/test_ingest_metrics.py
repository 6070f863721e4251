"""Imports and the metrics: an import queues the months it changed; the drain recomputes them, not the request."""

from __future__ import annotations

import copy
import io
import re
from datetime import date

from helpers import csrf_token
from metrics_helpers import numbers
from sqlalchemy import func, select

from learning.db import db
from learning.metrics.models import MetricDirty, MetricValue, PatientMonth
from learning.rpm.fields import Kind
from learning.rpm.ingest import import_records

MARCH = date(2025, 3, 1)
TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"')


def queue() -> set[tuple[int | None, date]]:
    return {(team, month) for team, month in db.session.execute(select(MetricDirty.team_id, MetricDirty.period_start))}


def test_an_import_queues_its_months_and_the_same_batch_again_queues_nothing(ctx, seed, good):
    import_records(Kind.ENROLMENTS, seed.organisation_id, good["enrolments"])
    enrolled = queue()
    import_records(Kind.ENROLMENTS, seed.organisation_id, copy.deepcopy(good["enrolments"]))

    assert enrolled == {
        (seed.hf_team, date(2025, 2, 1)), (seed.hf_team, MARCH), (seed.hf_team, date(2025, 6, 1)),
        (None, date(2025, 4, 1)),  # the declined offer has no team
    }  # fmt: skip
    assert db.session.scalar(select(func.count()).select_from(MetricDirty)) == len(enrolled)


def test_an_updated_row_queues_the_months_of_its_old_values_too(ctx, seed, good):
    import_records(Kind.ALERTS, seed.organisation_id, good["alerts"])
    db.session.execute(MetricDirty.__table__.delete())
    moved = copy.deepcopy(good["alerts"][:1])
    moved[0]["created_at"] = "2025-02-27T09:15"  # the platform corrects when the alert was raised

    report = import_records(Kind.ALERTS, seed.organisation_id, moved)

    assert (report.updated, report.problems) == (1, ())
    assert queue() == {(seed.hf_team, date(2025, 2, 1)), (seed.hf_team, MARCH)}


def test_daily_rows_are_folded_into_their_patient_month(ctx, seed, good):
    import_records(Kind.DAILY, seed.organisation_id, good["daily"])

    months = {(m.programme_id, m.patient_pid): (m.present, m.expected, m.received) for m in db.session.scalars(
        select(PatientMonth))}  # fmt: skip
    assert months == {
        (seed.hf, "P-0001"): (0b110, 0b110, {"weight": 0b10}),  # the 2nd and 3rd, a weight on the 2nd
        (seed.copd, "P-0009"): (0b10, 0, {"spo2": 0b10}),
    }
    assert queue() == {(None, MARCH)}


def upload_daily(client, *rows: str) -> int:
    """Upload a daily CSV file and confirm its preview, as a manager does; return the confirmation's status."""
    data = "\r\n".join(["programme;patient_pid;day;expected;received_weight;received_bp", *rows, ""]).encode()
    form = {"kind": "daily", "file": (io.BytesIO(data), "export.csv"), "csrf_token": csrf_token(client, "/rpm/upload")}
    preview = client.post("/rpm/upload", data=form, content_type="multipart/form-data").get_data(as_text=True)
    token = TOKEN.search(preview)
    assert token, preview
    confirm = {"token": token.group(1), "csrf_token": csrf_token(client, "/rpm/upload")}
    return client.post("/rpm/upload/confirm", data=confirm).status_code


def test_an_upload_is_recomputed_by_the_drain_not_by_the_request(app, manager, runner, seed, good, api_headers):
    enrolled = manager.post("/api/rpm/v1/enrolments", json={"records": good["enrolments"]}, headers=api_headers)
    assert enrolled.status_code == 200
    assert upload_daily(manager, f"{seed.hf};P-0001;2025-03-02;yes;1;0", f"{seed.hf};P-0001;2025-03-03;yes;0;1") == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(MetricValue)) == 0  # the request only queued

    drained = runner.invoke(args=["metrics", "recompute", "--pending"])

    assert drained.exit_code == 0, drained.output
    with app.app_context():
        assert numbers("PT_ADHERENCE", "programme", seed.hf) == (1, 2, 0.5)  # weight is daily: met on the 2nd only
        assert db.session.scalar(select(func.count()).select_from(MetricDirty)) == 0
    late = {"programme": seed.hf, "patient_pid": "P-0001", "day": "2025-03-03", "expected": True,
            "received": {"weight": 1}}  # fmt: skip
    assert manager.post("/api/rpm/v1/daily", json={"records": [late]}, headers=api_headers).status_code == 200
    runner.invoke(args=["metrics", "recompute", "--pending"])
    with app.app_context():
        assert numbers("PT_ADHERENCE", "programme", seed.hf) == (2, 2, 1.0)

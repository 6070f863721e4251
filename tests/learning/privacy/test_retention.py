"""Retention: back-dated statements and RPM rows older than the period are deleted by `flask privacy retention`,
recent ones stay, and a shown aggregate of an old month stays while a suppressed one goes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dashboard_helpers import make_region
from sqlalchemy import func, select, update
from xapi_helpers import make_statement

from learning.db import db
from learning.metrics.definitions import sync_definitions
from learning.metrics.models import MetricValue, TrainingEvent
from learning.metrics.services import recompute_all
from learning.privacy.retention import apply_if_due
from learning.rpm.models import DailyMeasurement
from lrs.service.statements import store_statements
from lrs.store.tables import statement

OLD, NEW = datetime(2023, 1, 10, tzinfo=UTC), datetime.now(UTC) - timedelta(days=3)


def cell(code: str, month: date, *, suppressed: bool) -> MetricValue:
    return MetricValue(metric_code=code, definition_version=1, scope_type="region", scope_id=0, period_start=month,
                       period_end=month.replace(day=28), numerator=3, denominator=4, value=0.75,
                       suppressed=suppressed)  # fmt: skip


def test_rows_older_than_the_retention_period_are_deleted_and_shown_aggregates_kept(app, runner):
    engine = app.extensions["lrs"].engine
    old, new = make_statement(), make_statement()
    store_statements(engine, [old, new], authority={"mbox": "mailto:lms@example.test"})
    with engine.begin() as conn:  # back-date one statement's `stored`, as if it came in three years ago
        conn.execute(update(statement).where(statement.c.id == old["id"]).values(stored=OLD.replace(tzinfo=None)))
    with app.app_context():
        programme = make_region().programme
        for at, sid in ((OLD, "old"), (NEW, "new")):
            db.session.add(TrainingEvent(statement_id=sid, actor_pid="p", verb="launched", timestamp=at))
            db.session.add(DailyMeasurement(programme_id=programme, patient_pid="p", day=at.date(), expected=True))
        db.session.add_all(
            [cell("A", date(2023, 1, 1), suppressed=False), cell("B", date(2023, 1, 1), suppressed=True)]
        )
        db.session.commit()

    result = runner.invoke(args=["privacy", "retention"])
    assert result.exit_code == 0, result.output
    assert "Deleted" in result.output

    with engine.connect() as conn:
        assert set(conn.execute(select(statement.c.id)).scalars()) == {new["id"]}
    with app.app_context():
        assert list(db.session.scalars(select(TrainingEvent.statement_id))) == ["new"]
        assert list(db.session.scalars(select(DailyMeasurement.day))) == [NEW.date()]
        assert list(db.session.scalars(select(MetricValue.metric_code))) == ["A"]  # the suppressed cell went


def test_retention_zero_keeps_everything(app, make_app):
    app = make_app(RETENTION_DAYS=0, LRS_RETENTION_DAYS=0)  # `app` emptied the tables
    with app.app_context():
        db.session.add(TrainingEvent(statement_id="old", actor_pid="p", verb="launched", timestamp=OLD))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["privacy", "retention"])
    assert "nothing was deleted" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TrainingEvent)) == 1


def test_a_full_recompute_keeps_the_figures_of_months_before_the_cutoff(ctx):
    versions = sync_definitions()
    kept = cell("MOD_COMPLETION", date(2023, 1, 1), suppressed=False)
    kept.definition_version = versions["MOD_COMPLETION"]
    db.session.add(kept)
    db.session.commit()

    recompute_all()  # no raw data is left for January 2023: without the cutoff its row would be pruned

    assert db.session.scalar(select(func.count()).select_from(MetricValue)) == 1


def test_the_live_job_applies_retention_once_a_day(ctx):
    first = apply_if_due(NEW)
    assert first is not None
    assert apply_if_due(NEW + timedelta(hours=23)) is None
    assert apply_if_due(NEW + timedelta(hours=25)) is not None

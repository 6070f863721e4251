"""Times of the LMS come back aware, in UTC, on either engine (learning/db.py UTCDateTime); on PostgreSQL without a
processing step, because every such column is `timestamp with time zone`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from learning.accounts.models import Role, User
from learning.db import UTCDateTime, db


def test_a_time_comes_back_aware_in_utc(app, make_user):
    amsterdam = timezone(timedelta(hours=1))
    user = make_user(Role.PATIENT, email_confirmed_at=datetime(2026, 12, 6, 17, 30, tzinfo=amsterdam))
    with app.app_context():
        stored = db.session.scalar(select(User.email_confirmed_at).where(User.id == user.id))
    assert stored is not None
    assert stored.utcoffset() == timedelta(0)
    assert stored == datetime(2026, 12, 6, 16, 30, tzinfo=UTC)


@pytest.mark.postgresql_only
def test_every_utc_time_column_is_a_time_zone_column_on_postgresql(app):
    """The PostgreSQL result processor is skipped on this rule: a column without time zone would come back naive."""
    columns = [
        (table.name, column.name)
        for table in db.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, UTCDateTime)
    ]
    assert ("user_account", "created_at") in columns
    assert ("organisation", "name") not in columns
    with app.app_context():
        kinds = {
            (table, column): kind
            for table, column, kind in db.session.execute(
                text(
                    "SELECT table_name, column_name, data_type FROM information_schema.columns"
                    " WHERE table_schema = current_schema()"
                )
            )
        }
    assert {column: kinds.get(column) for column in columns} == dict.fromkeys(columns, "timestamp with time zone")

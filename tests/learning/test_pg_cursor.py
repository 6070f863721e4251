"""The LMS's PostgreSQL cursor describes a result only when the description is read (learning/pg_cursor.py), and
what it gives then is what psycopg's own cursor gives."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from sqlalchemy import bindparam, select, text

from learning import pg_cursor
from learning.accounts.models import Role, User
from learning.db import db
from learning.pg_cursor import DescribedOnUse

pytestmark = pytest.mark.postgresql_only

MIXED = """SELECT 1 AS whole, 'tekst'::varchar(20) AS word, now() AS moment, 2.50::numeric(5, 2) AS amount,
    true AS yes, '{"a": 1}'::jsonb AS doc, NULL::text AS nothing"""


def _fields(description: Any) -> list[tuple[Any, ...]]:
    return [(*tuple(column), column.name, column.type_code, column.type_display) for column in description]


@pytest.fixture
def connections(database_url):
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as plain, psycopg.connect(url, autocommit=True) as ours:
        ours.cursor_factory = DescribedOnUse
        yield plain, ours


@pytest.mark.parametrize("query", [MIXED, "SELECT", "SELECT x, x * 2 AS double FROM generate_series(1, 3) AS x"])
def test_the_description_is_the_one_psycopg_gives(connections, query):
    plain, ours = connections
    expected = plain.execute(query).description
    described = ours.execute(query).description
    assert expected is not None
    assert described is not None
    assert len(described) == len(expected)
    assert _fields(described) == _fields(expected)
    assert _fields(described[1:]) == _fields(expected[1:])
    assert described == list(described)  # compares as the list psycopg gives would


def test_a_statement_without_rows_has_no_description(connections):
    plain, ours = connections
    ours.execute("CREATE TEMPORARY TABLE scratch (id int)")
    assert ours.execute("INSERT INTO scratch VALUES (1)").description is None
    assert plain.execute("SET application_name = 'x'").description is None
    assert ours.execute("SET application_name = 'x'").description is None


def test_a_description_read_after_the_next_statement_still_describes_its_own_result(connections):
    _plain, ours = connections
    cursor = ours.cursor()
    first = cursor.execute("SELECT 1 AS one, 'a' AS two").description
    cursor.execute("SELECT now() AS later")
    assert first is not None
    assert [column.name for column in first] == ["one", "two"]
    assert [column.name for column in cursor.description or []] == ["later"]


def test_the_apps_connections_use_it_and_a_known_statement_builds_no_columns(app, make_user, monkeypatch):
    """SQLAlchemy reads a description after each SELECT; from a statement's second run it describes the rows from
    what it kept and the columns are never made (before: 20 Column objects per account read)."""
    made: list[int] = []
    real_column = pg_cursor.Column

    def counted(of: Any, index: int) -> Any:
        made.append(index)
        return real_column(of, index)

    user = make_user(Role.PATIENT)
    account = select(*User.__table__.c).where(User.__table__.c.id == bindparam("user_id"))
    with app.app_context():
        connection = db.session.connection()
        assert isinstance(connection.connection.dbapi_connection.cursor(), DescribedOnUse)
        assert connection.execute(account, {"user_id": user.id}).one().id == user.id
        monkeypatch.setattr(pg_cursor, "Column", counted)
        row = connection.execute(account, {"user_id": user.id}).one()
        assert row.id == user.id
        assert row.role == Role.PATIENT
        assert made == []  # nothing described: SQLAlchemy knew the columns from the first run
        keys = db.session.execute(text("SELECT 1 AS one, 2 AS two")).keys()
        assert list(keys) == ["one", "two"]
        assert made == [0, 1]


def test_a_cursor_chosen_in_the_engines_options_is_kept(database_url):
    """Only psycopg's own cursor is replaced: a ClientCursor (PgBouncer's transaction pooling) stays."""
    from sqlalchemy import create_engine

    chosen = create_engine(database_url, connect_args={"cursor_factory": psycopg.ClientCursor})
    plain = create_engine(database_url)
    try:
        for engine in (chosen, plain):
            pg_cursor.install(engine)
        with chosen.connect() as connection:
            assert type(connection.connection.dbapi_connection.cursor()) is psycopg.ClientCursor
        with plain.connect() as connection:
            assert type(connection.connection.dbapi_connection.cursor()) is DescribedOnUse
    finally:
        chosen.dispose()
        plain.dispose()

"""The account's read and each page's first read go to psycopg without SQLAlchemy's execution machinery
(learning/direct_reads.py): the same SQL, the same values of the same types, SQLAlchemy's errors and invalidation,
and the engine's cursor listeners still see every statement."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from helpers import csrf_token
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Enum,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    bindparam,
    create_engine,
    event,
    exc,
    func,
    select,
    text,
)

from learning import direct_reads, first_reads
from learning.accounts.loading import _BY_ID
from learning.accounts.models import Role
from learning.db import db

SLUG = "elke-dag-wegen-hartfalen"
MODULE = f"/modules/{SLUG}"
FRAGMENT = {"HX-Request": "true"}
postgresql_only = pytest.mark.postgresql_only


class Colour(enum.Enum):
    RED = "red"
    GREEN = "green"


_TYPES = MetaData()
_TYPED = Table(
    "direct_reads_typed",
    _TYPES,
    Column("id", Integer, primary_key=True),
    Column("colour", Enum(Colour, native_enum=False, length=10)),
    Column("amount", Numeric(10, 3)),
    Column("fraction", Numeric(10, 3, asdecimal=False)),
    Column("data", JSON),
    Column("at", DateTime(timezone=True)),
    Column("label", String(20)),
)


def _both(statement: Any, params: dict[str, Any]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The rows of the direct path and of SQLAlchemy's, on the session's connection, as tuples."""
    connection = db.session.connection()
    direct = [tuple(row) for row in direct_reads.all_rows(connection, statement, params)]
    through_sqlalchemy = [tuple(row) for row in connection.execute(statement, params).all()]
    return direct, through_sqlalchemy


def _same(direct: list[tuple[Any, ...]], expected: list[tuple[Any, ...]]) -> None:
    assert direct == expected
    assert [[type(value) for value in row] for row in direct] == [[type(value) for value in row] for row in expected]


def _a_patient_who_answered(app, client, login, make_user) -> tuple[int, int, str]:  # type: ignore[no-untyped-def]
    """A patient with an open attempt, a step seen and a question answered: (user id, step number, item id)."""
    user = make_user(Role.PATIENT)
    login(user)
    assert client.post(f"{MODULE}/start", data={"csrf_token": csrf_token(client, f"{MODULE}/")}).status_code == 302
    for number in range(1, 9):
        page = client.get(f"{MODULE}/step/{number}", headers=FRAGMENT).get_data(as_text=True)
        found = re.search(r'id="item-([a-z0-9-]+)"', page)
        choice = re.search(r'name="choice" value="([^"]+)"', page)
        if found and choice:
            form = {"csrf_token": csrf_token(client, f"{MODULE}/step/{number}"), "choice": choice.group(1)}
            assert client.post(f"{MODULE}/item/{found.group(1)}", data=form, headers=FRAGMENT).status_code == 200
            return user.id, number, found.group(1)
    raise AssertionError("the module has no choice question")


def _first_reads(user_id: int, number: int, item: str) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """Every statement with_account sends: the account alone, and joined with each registered first read."""
    yield "account", _BY_ID, {"user_id": user_id}
    url = {"slug": SLUG, "number": number, "item_id": item}
    for endpoint, read in first_reads._READS.items():
        shape = first_reads._united if read.many else first_reads._joined
        statement = first_reads._built(shape, _BY_ID, read.statement)
        yield endpoint, statement, {"user_id": user_id} | read.params(url)


@contextmanager
def _cursor_calls(app) -> Iterator[list[tuple[str, dict[str, Any], Any]]]:  # type: ignore[no-untyped-def]
    """What the engine's cursor listeners get for each statement while the block runs: its SQL, its parameters and
    the execution context (None on the direct path). Registered as context-free: it keeps the direct path."""
    seen: list[tuple[str, dict[str, Any], Any]] = []

    def remember(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        seen.append((statement, dict(parameters), context))

    with app.app_context():
        engine = db.engine
    direct_reads.listen_context_free(engine, "before_cursor_execute", remember)
    try:
        yield seen
    finally:
        direct_reads.remove_context_free(engine, "before_cursor_execute", remember)


@contextmanager
def _contexts(app) -> Iterator[list[Any]]:  # type: ignore[no-untyped-def]
    """The execution context of each statement while the block runs (filled when it ends)."""
    contexts: list[Any] = []
    with _cursor_calls(app) as calls:
        yield contexts
    contexts.extend(context for _statement, _parameters, context in calls)


@postgresql_only
def test_each_first_read_gives_the_values_sqlalchemy_gives(app, client, login, make_user, content):
    user_id, number, item = _a_patient_who_answered(app, client, login, make_user)
    with app.app_context():
        for name, statement, params in _first_reads(user_id, number, item):
            with _contexts(app) as contexts:
                direct, expected = _both(statement, params)
            assert contexts[0] is None, name  # the direct path, not SQLAlchemy's
            assert contexts[1] is not None
            width = len(_BY_ID.selected_columns)
            assert expected, name
            if name != "account":  # the page's part has rows too: its values are compared, not only NULLs
                many = first_reads._READS[name].many
                assert any(row[-1] == 1 for row in expected) if many else expected[0][width] is not None, name
            _same(direct, expected)


@postgresql_only
def test_each_first_read_sends_the_sql_sqlalchemy_sends(app, client, login, make_user, content):
    """Including a parameter SQLAlchemy renders into the SQL (the step's packed answers have a separator)."""
    user_id, number, item = _a_patient_who_answered(app, client, login, make_user)
    with app.app_context():
        for name, statement, params in _first_reads(user_id, number, item):
            connection = db.session.connection()
            with _cursor_calls(app) as direct:
                direct_reads.all_rows(connection, statement, params)
            with _cursor_calls(app) as through_sqlalchemy:
                connection.execute(statement, params).all()
            assert [call[:2] for call in direct] == [call[:2] for call in through_sqlalchemy], name
            assert direct[0][2] is None  # the direct path
            assert "POSTCOMPILE" not in direct[0][0]


@pytest.fixture
def typed(app) -> Iterator[None]:  # type: ignore[no-untyped-def]
    with app.app_context():
        _TYPES.create_all(db.engine)
    yield
    with app.app_context():
        _TYPES.drop_all(db.engine)


@postgresql_only
def test_values_of_every_processed_type_are_what_sqlalchemy_gives(app, typed):
    """Types whose values SQLAlchemy's result processes (an enum stored as text, numerics as Decimal or float,
    JSON, timestamps with a zone), and NULLs of each."""
    rows = [
        {
            "id": 1,
            "colour": Colour.GREEN,
            "amount": Decimal("12.345"),
            "fraction": 0.5,
            "data": {"a": [1, "b"]},
            "at": datetime(2026, 12, 7, 4, 30, tzinfo=UTC),
            "label": "één",
        },
        {"id": 2, "colour": None, "amount": None, "fraction": None, "data": None, "at": None, "label": None},
    ]
    with app.app_context():
        db.session.execute(_TYPED.insert(), rows)
        statement = select(_TYPED).where(_TYPED.c.id <= bindparam("most")).order_by(_TYPED.c.id)
        for _ in range(2):  # the first run finds the processors, the second uses them
            direct, expected = _both(statement, {"most": 2})
            _same(direct, expected)
        assert direct[0][1] is Colour.GREEN
        assert direct[0][2] == Decimal("12.345")
        assert isinstance(direct[0][3], float)
        db.session.rollback()


@postgresql_only
def test_a_list_expanded_per_run_takes_sqlalchemys_path_with_the_same_rows(app, typed):
    with app.app_context():
        db.session.execute(_TYPED.insert(), [{"id": n, "label": f"l{n}"} for n in range(1, 5)])
        statement = select(_TYPED.c.id).where(_TYPED.c.id.in_(bindparam("ids", expanding=True))).order_by(_TYPED.c.id)
        assert direct_reads._plan(db.engine.dialect, statement) is None
        direct, expected = _both(statement, {"ids": [2, 4]})
        assert direct == expected == [(2,), (4,)]
        db.session.rollback()


@postgresql_only
def test_a_driver_error_is_sqlalchemys_error_and_reaches_the_error_listeners(app, typed):
    handled: list[Any] = []
    with app.app_context():
        engine = db.engine

        def listener(context: Any) -> None:
            handled.append(context.original_exception)

        event.listen(engine, "handle_error", listener)
        try:
            statement = select(_TYPED.c.id).where(_TYPED.c.id == bindparam("id", type_=String))
            with pytest.raises(exc.ProgrammingError) as raised:  # integer = varchar: the server refuses it
                direct_reads.all_rows(db.session.connection(), statement, {"id": "x"})
            assert "operator does not exist" in str(raised.value)
            assert handled
            assert handled[0] is raised.value.orig
            db.session.rollback()
            assert direct_reads.all_rows(db.session.connection(), select(_TYPED.c.id), {}) == []  # usable again
        finally:
            event.remove(engine, "handle_error", listener)
        db.session.rollback()


@postgresql_only
def test_a_connection_the_server_ended_is_invalidated_as_sqlalchemy_does(app):
    with app.app_context():
        connection = db.session.connection()
        pid = connection.connection.dbapi_connection.info.backend_pid
        with db.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(exc.OperationalError) as raised:
            direct_reads.all_rows(connection, select(bindparam("one", 1)), {})
        assert raised.value.connection_invalidated
        assert connection.invalidated
        db.session.rollback()
        assert db.session.connection().execute(select(bindparam("two", 2))).scalar() == 2  # a new connection


@postgresql_only
def test_the_engines_cursor_listeners_see_the_statement_and_may_change_it(app):
    """As SQLAlchemy calls them: before and after the statement, and one registered to return a statement changes
    what is sent."""
    seen: list[tuple[str, str]] = []
    with app.app_context():
        engine = db.engine

        def before(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> tuple[str, Any]:
            seen.append(("before", statement))
            return statement.replace("AS anon_1", "+ 100 AS anon_1"), parameters

        def after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
            seen.append(("after", statement))

        direct_reads.listen_context_free(engine, "before_cursor_execute", before, retval=True)
        direct_reads.listen_context_free(engine, "after_cursor_execute", after)
        try:
            with _contexts(app) as contexts:
                rows = direct_reads.all_rows(db.session.connection(), select(bindparam("n", 7)), {})
        finally:
            direct_reads.remove_context_free(engine, "before_cursor_execute", before)
            direct_reads.remove_context_free(engine, "after_cursor_execute", after)
        db.session.rollback()
    assert contexts == [None]  # the direct path
    assert rows == [(107,)]
    assert [when for when, _statement in seen] == ["before", "after"]
    assert seen[1][1].endswith("+ 100 AS anon_1")


@postgresql_only
def test_a_listener_that_may_read_the_context_gets_sqlalchemys_path(app):
    """Instrumentation (tracing, logging) reads the execution context: with such a listener, SQLAlchemy runs it."""
    contexts: list[Any] = []
    with app.app_context():
        engine = db.engine

        def reads_context(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, *_: Any) -> None:
            contexts.append(context.execution_options)

        event.listen(engine, "before_cursor_execute", reads_context)
        try:
            assert direct_reads.all_rows(db.session.connection(), select(bindparam("n", 7)), {}) == [(7,)]
        finally:
            event.remove(engine, "before_cursor_execute", reads_context)
        db.session.rollback()
    assert len(contexts) == 1


@postgresql_only
@pytest.mark.parametrize("why", ["before_execute", "echo", "execution options", "sets the rendered separator"])
def test_what_needs_sqlalchemys_execution_gets_it(app, typed, why):
    """Each of these changes what SQLAlchemy does around the statement: its path runs, with its result."""
    statement = select(func.aggregate_strings(_TYPED.c.label, ",")).where(_TYPED.c.id <= bindparam("most"))
    params: dict[str, Any] = {"most": 2}
    seen: list[str] = []
    with app.app_context():
        db.session.execute(_TYPED.insert(), [{"id": 1, "label": "a"}, {"id": 2, "label": "b"}])
        engine = db.engine
        connection = db.session.connection()
        assert direct_reads._plan(engine.dialect, statement) is not None  # else the test would prove nothing

        def before_execute(conn: Any, clause: Any, *_: Any) -> None:
            seen.append(str(clause))

        if why == "before_execute":
            event.listen(engine, "before_execute", before_execute)
        elif why == "echo":
            connection._echo = True
        elif why == "execution options":
            statement = statement.execution_options(vtc_marker=True)
        else:
            separator = next(p for p in statement.compile(dialect=engine.dialect).literal_execute_params)
            params[statement.compile(dialect=engine.dialect).bind_names[separator]] = ";"
        try:
            with _contexts(app) as contexts:
                direct, expected = _both(statement, params)
        finally:
            if why == "before_execute":
                event.remove(engine, "before_execute", before_execute)
            connection._echo = False
        db.session.rollback()
    assert None not in contexts  # neither run took the direct path
    assert direct == expected == ([("a;b",)] if why == "sets the rendered separator" else [("a,b",)])
    assert len(seen) == (2 if why == "before_execute" else 0)


@postgresql_only
def test_a_missing_parameter_is_sqlalchemys_error(app):
    statement = select(bindparam("needed", type_=Integer))
    with app.app_context():
        with pytest.raises(exc.StatementError) as direct:
            direct_reads.all_rows(db.session.connection(), statement, {})
        db.session.rollback()
        with pytest.raises(exc.StatementError) as through_sqlalchemy:
            db.session.connection().execute(statement, {}).all()
        db.session.rollback()
    assert type(direct.value) is type(through_sqlalchemy.value)
    assert str(direct.value.orig) == str(through_sqlalchemy.value.orig)


@postgresql_only
def test_a_driver_connection_closed_underneath_is_invalidated_as_sqlalchemy_does(app):
    """The cursor cannot even be made: still SQLAlchemy's error and an invalidated connection (a 503 page, not a
    500)."""
    with app.app_context():
        connection = db.session.connection()
        connection.connection.dbapi_connection.close()
        with pytest.raises(exc.OperationalError) as raised:
            direct_reads.all_rows(connection, select(bindparam("one", 1)), {})
        assert raised.value.connection_invalidated
        assert connection.invalidated
        db.session.rollback()


@postgresql_only
def test_another_paramstyle_gets_its_own_plan_and_sqlalchemys_path(app):
    """Plans are per dialect object: an engine with positional parameters never reuses one made for named ones."""
    statement = select(bindparam("n", type_=Integer) + 1)
    with app.app_context():
        named = db.engine
    positional = create_engine(named.url, paramstyle="format")
    try:
        for engine in (named, positional, named):
            with engine.connect() as connection, connection.begin():
                assert direct_reads.all_rows(connection, statement, {"n": 41}) == [(42,)]
        assert direct_reads._plan(positional.dialect, statement) is None
        assert direct_reads._plan(named.dialect, statement) is not None
    finally:
        positional.dispose()

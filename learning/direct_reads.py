"""The SELECT every logged-in request sends on PostgreSQL, handed to psycopg without SQLAlchemy's execution machinery.

Why: every logged-in request reads the account, joined with its page's first read (learning/first_reads.py), and
on PostgreSQL SQLAlchemy Core's execute of that cached, compiled statement costs the worker ~100 us of CPU on top
of the driver's own work: the statement's cache key, an execution context, the parameters processed anew, a result
with its metadata and a Row per row (the answer's statement has 47 columns). The driver alone, on the same
connection with the same SQL, costs ~130 us; through SQLAlchemy ~230 us (docs/performance.md, tenth round).

How: per statement, once, the SQL that SQLAlchemy compiles for the dialect (parameters rendered at execution, such
as a constant separator, rendered into it once, as SQLAlchemy renders them each time) and the statement's bind
processors; at its first run, the result processors of its columns for the types the server describes (what
SQLAlchemy's result would apply). Each run then asks the compiled statement for its parameters, sends the SQL on
a cursor of the session's connection (same transaction, same lazy BEGIN: the engine's cursor listeners see it as
any statement) and applies the processors to psycopg's tuples. A driver error goes through SQLAlchemy's own
handling (disconnect detection, the engine's handle_error listeners, invalidation) and is raised as SQLAlchemy's
error, as from `Connection.execute`.

The rows are plain tuples, not Rows: the callers index and slice them. SQLite, statements with lists expanded at
execution (`IN` of a list) and connections with statement-level listeners (before/after_execute) take
SQLAlchemy's path (`Connection.execute(...).all()`), which gives the same values
(tests/learning/test_direct_reads.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import CompoundSelect, Connection, Select
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler

Statement = Select[Any] | CompoundSelect[Any]
Processor = Callable[[Any], Any]


@dataclass
class _Plan:
    """A statement's SQL and processing for one dialect; `results` is filled at its first run."""

    statement: Statement
    compiled: SQLCompiler
    sql: str
    binds: dict[str, Processor]
    literals: frozenset[str]
    results: list[tuple[int, Processor]] | None = field(default=None)


_PLANS: dict[tuple[int, str], _Plan | None] = {}


def all_rows(connection: Connection, statement: Statement, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
    """Every row of a SELECT, on this connection: the values `connection.execute(statement, params).all()` gives."""
    plan = _plan(connection, statement)
    if (
        plan is None
        or not plan.literals.isdisjoint(params)
        or connection.dispatch.before_execute
        or connection.dispatch.after_execute
    ):
        return connection.execute(statement, params).all()
    return _run(connection, plan, params)


def _plan(connection: Connection, statement: Statement) -> _Plan | None:
    """The statement's plan for the connection's dialect, built once (None: SQLAlchemy's path)."""
    dialect = connection.dialect
    key = (id(statement), dialect.name)
    known = _PLANS.get(key, _MISSING)
    if known is not _MISSING and (known is None or known.statement is statement):  # an id is reused once it died
        return known  # type: ignore[no-any-return]
    plan = _new_plan(dialect, statement)
    _PLANS[key] = plan
    return plan


_MISSING: Any = object()


def _new_plan(dialect: Dialect, statement: Statement) -> _Plan | None:
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        return None
    compiled = statement.compile(dialect=dialect)
    if not isinstance(compiled, SQLCompiler) or compiled.post_compile_params or compiled.escaped_bind_names:
        return None  # lists expanded per run, or parameter names SQLAlchemy escapes: its own path does that
    sql = compiled.string
    if compiled.literal_execute_params:
        # Parameters SQLAlchemy renders into the SQL at each run (`literal_execute`, such as aggregate_strings'
        # separator) are the statement's own constants unless a run passes a value for them (then SQLAlchemy's
        # path runs, see all_rows): rendered once here, by SQLAlchemy's own rendering.
        sql = compiled._process_parameters_for_postcompile(compiled.construct_params(_check=False)).statement
    binds: dict[str, Processor] = {}
    for key, processor in compiled._bind_processors.items():
        if not callable(processor):
            return None  # a tuple's processors, one per element: SQLAlchemy's path
        binds[key] = processor
    literals = frozenset(parameter.key for parameter in compiled.literal_execute_params)
    return _Plan(statement, compiled, sql, binds, literals)


def _run(connection: Connection, plan: _Plan, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
    values = plan.compiled.construct_params(params, escape_names=False)
    for key, processor in plan.binds.items():
        if key in values:
            values[key] = processor(values[key])
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is None:  # an invalidated connection: SQLAlchemy's path reconnects or raises as it should
        return connection.execute(plan.statement, params).all()
    cursor = dbapi_connection.cursor()
    try:
        events = connection._has_events or connection.engine._has_events
        if events:
            connection.dispatch.before_cursor_execute(connection, cursor, plan.sql, values, None, False)
        cursor.execute(plan.sql, values)
        rows = cursor.fetchall()
        if events:
            connection.dispatch.after_cursor_execute(connection, cursor, plan.sql, values, None, False)
        if plan.results is None:
            plan.results = _result_processors(connection.dialect, plan.statement, cursor.description)
        cursor.close()
    except Exception as error:  # SQLAlchemy's handling decides, wraps and re-raises every error
        connection._handle_dbapi_exception(error, plan.sql, values, cursor, None)
    if not plan.results:
        return rows
    return [_processed(row, plan.results) for row in rows]


def _processed(row: tuple[Any, ...], processors: list[tuple[int, Processor]]) -> tuple[Any, ...]:
    values = list(row)
    for index, processor in processors:
        values[index] = processor(values[index])
    return tuple(values)


def _result_processors(dialect: Dialect, statement: Statement, description: Any) -> list[tuple[int, Processor]]:
    """What SQLAlchemy's result applies to each column (its type's processor for the server's type code)."""
    found: list[tuple[int, Processor]] = []
    for index, (column, described) in enumerate(zip(statement.selected_columns, description, strict=True)):
        processor = column.type.dialect_impl(dialect).result_processor(dialect, described[1])
        if processor is not None:
            found.append((index, processor))
    return found

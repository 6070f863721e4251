"""The SELECT every logged-in request sends on PostgreSQL, handed to psycopg without SQLAlchemy's execution machinery.

Why: every logged-in request reads the account, joined with its page's first read (learning/first_reads.py), and
on PostgreSQL SQLAlchemy Core's execute of that cached, compiled statement costs the worker ~100 us of CPU on top
of the driver's own work: the statement's cache key, an execution context, the parameters processed anew, a result
with its metadata and a Row per row (the answer's statement has 47 columns). The driver alone, on the same
connection with the same SQL, costs ~130 us; through SQLAlchemy ~230 us (docs/performance.md, tenth round).

How: per statement (a module-level constant, built once) and dialect, once, the SQL SQLAlchemy compiles (a
parameter it renders into the SQL at each run, such as a constant separator, rendered once by its own rendering)
and the statement's bind processors; at its first run, the result processors of its columns for the types the
server describes (what SQLAlchemy's result applies). Each run then asks the compiled statement for its parameters,
sends the SQL on a cursor of the session's connection (same transaction, same lazy BEGIN), lets the engine's
cursor listeners see and change it as SQLAlchemy does, and applies the processors to psycopg's tuples. Every error
goes through SQLAlchemy's own handling (disconnect detection, the `handle_error` listeners, invalidation) and is
raised as SQLAlchemy's error, as from `Connection.execute`.

A cursor listener here gets no execution context (None): only listeners registered with `listen_context_free`
(they never read it) are run this way. Any other cursor listener, a statement-level listener, logging (`echo`),
execution options, a connection outside a transaction, SQLite, a list expanded per run (`IN`), a positional
paramstyle and a run that sets a rendered parameter take SQLAlchemy's path: `Connection.execute(...).all()`, which
gives the same values (tests/learning/test_direct_reads.py). The rows are plain tuples: the callers index and
slice them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import CompoundSelect, Connection, Engine, Select, event
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler

Statement = Select[Any] | CompoundSelect[Any]
Processor = Callable[[Any], Any]
CURSOR_EVENTS = ("before_cursor_execute", "after_cursor_execute")
PLANS_KEPT = 256  # statements per process; the app has four that come here (cleared when full)


@dataclass
class _Plan:
    """A statement's SQL and processing for one dialect; `results` is filled at its first run."""

    statement: Statement
    dialect: Dialect
    compiled: SQLCompiler
    sql: str
    binds: dict[str, Processor]
    rendered: frozenset[str]  # the compiled names of the parameters rendered into `sql`
    settable: frozenset[str]  # the keys a run could set them by (then SQLAlchemy's path renders its value)
    results: list[tuple[int, Processor]] | None = field(default=None)


_PLANS: dict[tuple[int, int], _Plan | None] = {}
_CONTEXT_FREE: WeakKeyDictionary[Engine, dict[str, int]] = WeakKeyDictionary()


def listen_context_free(engine: Engine, identifier: str, listener: Callable[..., Any], *, retval: bool = False) -> None:
    """Listen to a cursor event, promising that the listener never reads its `context` argument (so statements
    keep taking the direct path while it listens). `retval`: as event.listen's (the listener returns the statement
    and parameters to send)."""
    if identifier not in CURSOR_EVENTS:
        raise ValueError(f"{identifier} is not a cursor event")
    event.listen(engine, identifier, listener, retval=retval)
    counts = _CONTEXT_FREE.setdefault(engine, dict.fromkeys(CURSOR_EVENTS, 0))
    counts[identifier] += 1


def remove_context_free(engine: Engine, identifier: str, listener: Callable[..., Any]) -> None:
    """Stop a listener registered with listen_context_free."""
    event.remove(engine, identifier, listener)
    _CONTEXT_FREE[engine][identifier] -= 1


def all_rows(connection: Connection, statement: Statement, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
    """Every row of a SELECT, on this connection: the values `connection.execute(statement, params).all()` gives."""
    plan = _plan(connection.dialect, statement)
    if plan is None or not plan.settable.isdisjoint(params) or not _plain_connection(connection, statement):
        return connection.execute(statement, params).all()
    return _run(connection, plan, params)


def _plain_connection(connection: Connection, statement: Statement) -> bool:
    """Whether nothing on this run needs SQLAlchemy's execution: no listener that may read the execution context,
    no statement-level listener, no logging, no execution options, and a transaction begun (the session's)."""
    if connection._echo or connection._execution_options or statement._execution_options:
        return False
    if not connection.in_transaction():
        return False
    dispatch = connection.dispatch
    if dispatch.before_execute or dispatch.after_execute:
        return False
    known = _CONTEXT_FREE.get(connection.engine)
    for identifier in CURSOR_EVENTS:
        count = len(getattr(dispatch, identifier))
        if count and (known is None or count != known[identifier]):
            return False
    return True


def _plan(dialect: Dialect, statement: Statement) -> _Plan | None:
    """The statement's plan for this dialect, built once (None: SQLAlchemy's path).

    Keyed by ids: a kept plan holds its statement and dialect, so their ids stay theirs while it is kept. A None
    holds neither, and an id reused by a new object only sends that object SQLAlchemy's way: slower, never wrong."""
    key = (id(statement), id(dialect))
    if key not in _PLANS:
        if len(_PLANS) >= PLANS_KEPT:
            _PLANS.clear()
        _PLANS[key] = _new_plan(dialect, statement)
    return _PLANS[key]


def _new_plan(dialect: Dialect, statement: Statement) -> _Plan | None:
    """Compile the statement for psycopg's named parameters, or None where SQLAlchemy's path must run it."""
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        return None
    compiled = statement.compile(dialect=dialect)
    if not isinstance(compiled, SQLCompiler) or compiled.positional:
        return None
    if compiled.post_compile_params or compiled.escaped_bind_names:
        return None  # lists expanded per run, or parameter names SQLAlchemy escapes: its own path does that
    sql = compiled.string
    rendered = frozenset(compiled.bind_names[parameter] for parameter in compiled.literal_execute_params)
    if rendered:
        # Parameters SQLAlchemy renders into the SQL at each run (`literal_execute`, such as aggregate_strings'
        # separator) are the statement's own constants unless a run sets them (then SQLAlchemy's path runs, see
        # all_rows): rendered once here, by SQLAlchemy's own rendering.
        sql = compiled._process_parameters_for_postcompile(compiled.construct_params(_check=False)).statement
    binds: dict[str, Processor] = {}
    for key, processor in compiled._bind_processors.items():
        if not callable(processor):
            return None  # a tuple's processors, one per element: SQLAlchemy's path
        binds[key] = processor
    settable = rendered | {parameter.key for parameter in compiled.literal_execute_params}
    return _Plan(statement, dialect, compiled, sql, binds, rendered, settable)


def _run(connection: Connection, plan: _Plan, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
    """Run the plan on the connection's cursor; every error is SQLAlchemy's, raised as from Connection.execute."""
    dbapi_connection = connection.connection.dbapi_connection  # raises as SQLAlchemy would for a failed connection
    if dbapi_connection is None:  # invalidated: SQLAlchemy's path reconnects or raises as it should
        return connection.execute(plan.statement, params).all()
    sql, cursor = plan.sql, None
    values: Any = params
    try:
        values = plan.compiled.construct_params(params, escape_names=False)
        for key in plan.rendered:
            del values[key]  # in the SQL already, as SQLAlchemy leaves it out of the parameters it sends
        for key, processor in plan.binds.items():
            if key in values:
                values[key] = processor(values[key])
        cursor = dbapi_connection.cursor()
        events = connection._has_events or connection.engine._has_events
        if events:
            for listener in connection.dispatch.before_cursor_execute:  # as SQLAlchemy calls them: each may
                sql, values = listener(connection, cursor, sql, values, None, False)  # change the statement
        cursor.execute(sql, values)
        if events:
            connection.dispatch.after_cursor_execute(connection, cursor, sql, values, None, False)
        rows = cursor.fetchall()
        if plan.results is None:
            plan.results = _result_processors(connection.dialect, plan.statement, cursor.description)
        cursor.close()
    except BaseException as error:  # as SQLAlchemy's execute: it decides, invalidates, wraps and re-raises
        connection._handle_dbapi_exception(error, sql, values, cursor, None)
    if not plan.results:
        return rows  # type: ignore[no-any-return]
    return [_processed(row, plan.results) for row in rows]


def _processed(row: tuple[Any, ...], processors: list[tuple[int, Processor]]) -> tuple[Any, ...]:
    """The row with each processed column's value through its processor."""
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

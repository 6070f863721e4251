"""Reads on the learner pages without the ORM's query machinery: plain rows, and mapped objects built from them.

Why: `session.execute` of a SELECT runs the ORM's compile state and result processing even when the SELECT names
only columns, and loading mapped objects from a row costs more again; on the pages a learner loads most (the
catalogue, a step, an answer, /progress) that was a fifth of a request (docs/performance.md, fourth round).
Running the same SELECT on the session's connection gives the same rows at about half the cost, and a mapped object
built from its columns is the same persistent object a query would have returned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Column, CursorResult, Executable, Table, inspect
from sqlalchemy.orm import Mapper, configure_mappers
from sqlalchemy.orm.attributes import instance_state, set_committed_value

from learning.db import Base, db

M = TypeVar("M", bound=Base)


def column_rows(statement: Executable, params: dict[str, Any]) -> CursorResult[*tuple[Any, ...]]:
    """Run a SELECT of plain columns (no mapped classes) on the session's connection: the rows session.execute
    would give. Changes pending in the session are flushed first, as session.execute does, so the rows see them."""
    session = db.session()
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()
    return session.connection().execute(statement, params)


def all_columns(model: type[Base]) -> list[Column[Any]]:
    """Every column of a model's table, in order: what `persistent` expects to find in a row."""
    table = model.__table__
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} does not map one table")
    return list(table.c)


def persistent(model: type[M], values: Sequence[Any]) -> M:
    """The mapped object of this row (values of `all_columns(model)` in order), persistent in the request's session.

    As a query would: an object of that identity the session holds already is returned, with the row's values for
    any attribute expired since (a commit or rollback expires them; changes not flushed are kept); otherwise one is
    made with every column loaded (no history: nothing to flush), lazy relationships, and the session's identity.
    """
    mapper: Mapper[M] = model.__mapper__
    if not mapper.configured:
        configure_mappers()  # a new worker's first request may come here before any ORM query configured them
    session = db.session()
    keys = _keys(mapper)
    primary = tuple(values[index] for index in _primary_positions(mapper))
    identity = mapper.identity_key_from_primary_key(primary)
    known = session.identity_map.get(identity)
    if known is not None:
        expired = inspect(known).expired_attributes
        if expired:
            for key, value in zip(keys, values, strict=True):
                if key in expired:
                    set_committed_value(known, key, value)
        return known  # type: ignore[no-any-return]
    instance: M = mapper.class_manager.new_instance()
    instance.__dict__.update(zip(keys, values, strict=True))  # loaded values, not changes
    # What SQLAlchemy's own loading does with a new row (orm/loading.py, _instance): the identity, the session, the
    # identity map (no "load" events: the app listens to none). A third of the cost of the public way
    # (make_transient_to_detached, then session.add with its cascades), ~70 us of an answer's four objects
    # (docs/performance.md, fifth round). tests/learning/test_rows.py holds it to what a query's object does.
    state = instance_state(instance)
    state.key = identity
    state.session_id = session.hash_key
    session.identity_map._add_unpresent(state, identity)
    return instance


_KEYS: dict[Mapper[Any], list[str]] = {}
_PRIMARY: dict[Mapper[Any], list[int]] = {}


def _keys(mapper: Mapper[Any]) -> list[str]:
    """The attribute name of each column of the mapper's table, in the table's order (kept per mapper)."""
    keys = _KEYS.get(mapper)
    if keys is None:
        keys = _KEYS[mapper] = [mapper.get_property_by_column(column).key for column in mapper.local_table.c]
    return keys


def _primary_positions(mapper: Mapper[Any]) -> list[int]:
    positions = _PRIMARY.get(mapper)
    if positions is None:
        columns = list(mapper.local_table.c)
        positions = _PRIMARY[mapper] = [  # in the mapper's primary key order, which the identity key follows
            next(n for n, column in enumerate(columns) if column is key) for key in mapper.primary_key
        ]
    return positions

"""A page's first read, asked for in the same statement as the logged-in person's account.

Why: every logged-in request reads the account first (learning/accounts/loading.py), then the view reads what its
page is about. On the pages a learner loads most (a step, an answer) that second read is known from the URL alone,
so both go to the database as one statement: one round trip fewer on PostgreSQL (where a round trip costs the
worker and the server ~0.1 ms of CPU each) and one statement's execution fewer on either engine
(docs/performance.md, fifth round).

How: a feature registers, for an endpoint, a SELECT whose first column is never NULL in a row it returns (a primary
key), and how its parameters follow from the URL and the account's id. The account read joins it (LEFT JOIN ... ON
true: the account row comes back even when the page's SELECT finds nothing) and keeps the page's part for this
request. A page of several rows (the catalogue, /progress) is registered `many=True`: its rows come after the
account's in a UNION ALL instead, each branch with NULLs for the other's columns and a last column saying which
branch a row is from, so the account's twenty columns are sent and loaded once, not once per row.

The view then asks `row(statement, params)` (a SELECT of at most one row) or `rows(statement, params)`: with the
same statement and the same parameters it gets what was kept without a second statement; with anything else
(another person's page, other parameters, nothing kept) the SELECT runs as before. What was kept is used once. Rows
kept this way come in no particular order (neither a join nor a union keeps the page's ORDER BY): a page that reads
several sorts them itself.

The page's data is read a moment earlier than the view would have read it, in the same way (a plain SELECT, before
any write of the request), so it sees what the view's own read would have seen then. Nothing of it is used when
the account does not load (a logged-out or deactivated session).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import g, has_request_context, request
from sqlalchemy import CompoundSelect, Select, literal_column, null, select, true, type_coerce, union_all

from learning.db import db
from learning.direct_reads import all_rows
from learning.rows import column_rows

Params = dict[str, Any]


@dataclass(frozen=True)
class FirstRead:
    """An endpoint's first read: its SELECT and its parameters from the URL (the account's id is added as
    `user_id`)."""

    statement: Select[Any]
    params: Callable[[Mapping[str, Any]], Params]
    many: bool = False


_READS: dict[str, FirstRead] = {}
_BUILT: dict[tuple[str, int, int], tuple[Select[Any], Select[Any], Any]] = {}
_MISSING = object()


def register(
    endpoint: str, statement: Select[Any], params: Callable[[Mapping[str, Any]], Params], *, many: bool = False
) -> None:
    """Read `statement` together with the account on requests to `endpoint` (called once, at import; a test holds
    every registered endpoint to a route of the app, so a renamed view cannot silently lose its joined read).
    `many`: the page reads several rows (see above); its ORDER BY is left out there, so it may not LIMIT them."""
    if many and (statement._limit_clause is not None or statement._offset_clause is not None):
        raise ValueError(f"{endpoint}: a first read of many rows loses its ORDER BY, so it cannot LIMIT or OFFSET")
    _READS[endpoint] = FirstRead(statement, params, many)


def with_account(account: Select[Any], account_params: Params, user_id: int) -> Sequence[Any] | None:
    """Run the account's SELECT (one row, by id), with this request's first read joined when its endpoint has one;
    return the account's columns and keep the page's for `row`.

    Like the account read before, it flushes nothing: Flask-Login may load the account at any point of a request.
    The page's SELECT is joined only on GET and POST and only with parameters every engine takes (no NUL, integers
    that fit a 32-bit column): an odd URL makes the view's own read fail as it did before, never the account load
    (on which the error page itself depends)."""
    read = _READS.get(request.endpoint or "") if has_request_context() else None
    connection = db.session.connection()
    if read is None or request.view_args is None or request.method not in ("GET", "POST"):
        return _first(all_rows(connection, account, account_params))
    params = read.params(request.view_args) | {"user_id": user_id}
    if not all(map(_plain, params.values())):
        return _first(all_rows(connection, account, account_params))
    width = len(account.selected_columns)
    if read.many:
        found = all_rows(connection, _built(_united, account, read.statement), account_params | params)
        mine = [values for values in found if values[-1] == 0]  # the branch a row is from: no order is relied on
        if not mine:
            return None
        g.vtc_first_read = (read.statement, params, [tuple(values[width:-1]) for values in found if values[-1] == 1])
        return mine[0][:width]
    found = all_rows(connection, _built(_joined, account, read.statement), account_params | params)
    if not found:
        return None
    page = [tuple(values[width:]) for values in found if values[width] is not None]
    g.vtc_first_read = (read.statement, params, page)
    return found[0][:width]


def _first(found: Sequence[Sequence[Any]]) -> Sequence[Any] | None:
    return found[0] if found else None


def _plain(value: object) -> bool:
    """A parameter value every engine takes: a str without NUL (PostgreSQL refuses it), an int a 32-bit column can
    compare with (PostgreSQL casts the parameter to the column's type, and a larger one is an error there)."""
    if isinstance(value, str):
        return "\x00" not in value
    if isinstance(value, int):
        return -(2**31) <= value < 2**31
    return False


def _kept(statement: Select[Any], params: Params) -> list[tuple[Any, ...]] | None:
    kept = g.pop("vtc_first_read", _MISSING)
    if kept is not _MISSING and kept[0] is statement and kept[1] == params:
        return kept[2]  # type: ignore[no-any-return]
    return None


def row(statement: Select[Any], params: Params) -> Sequence[Any] | None:
    """The one row of `statement` with `params` (or None): kept from the account's read when that asked for
    exactly this, else read now."""
    kept = _kept(statement, params)
    if kept is not None:
        return kept[0] if kept else None
    return column_rows(statement, params).first()


def rows(statement: Select[Any], params: Params) -> Sequence[Sequence[Any]]:
    """Every row of `statement` with `params`, in no particular order if kept (see above); else read now."""
    kept = _kept(statement, params)
    return kept if kept is not None else column_rows(statement, params).all()


def _built(shape: Callable[[Select[Any], Select[Any]], Any], account: Select[Any], page: Select[Any]) -> Any:
    """`shape(account, page)`, built once per shape and pair (building costs as much as running)."""
    key = (shape.__name__, id(account), id(page))
    known = _BUILT.get(key)
    if known is not None and known[0] is account and known[1] is page:  # ids are reused only after a statement dies
        return known[2]
    built = shape(account, page)
    _BUILT[key] = (account, page, built)
    return built


def _joined(account: Select[Any], page: Select[Any]) -> Select[Any]:
    """The account's SELECT with the page's as a joined subquery."""
    inner = page.subquery()
    froms = account.get_final_froms()
    if len(froms) != 1:
        raise ValueError("the account's SELECT must read one table")
    return account.add_columns(*inner.c).select_from(froms[0].outerjoin(inner, true()))


def _united(account: Select[Any], page: Select[Any]) -> CompoundSelect[Any]:
    """The account's SELECT and the page's, one UNION ALL: the account's row (its columns, NULL for the page's, 0)
    and the page's rows (NULL for the account's columns, theirs, 1). Each NULL carries its column's type, so both
    engines type the columns alike and the page's columns keep their result processing. The page's ORDER BY is left
    out: kept rows come in no particular order (see above)."""
    inner = page.order_by(None).subquery()
    accounts, pages = account.selected_columns, list(inner.c)
    return union_all(
        account.add_columns(*(type_coerce(null(), column.type) for column in pages), literal_column("0")),
        select(*(type_coerce(null(), column.type) for column in accounts), *pages, literal_column("1")),
    )

"""The access-control matrix (docs/access-matrix.md), proven cell by cell over the real app and database.

Test 1: every route of the app has a row, so a route added without deciding who may reach it fails by name.
Test 2: for every cell, the actor (a role logged in, an LRS credential of one scope, an RPM API key or nobody)
requests the route with real ids owned by X or by Y and gets the outcome the matrix says; a refused request leaves
every table and the upload directory unchanged. The world is built once for the module, as cells only read it or
add harmless rows, and each login happens once per role.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from access_matrix import Cell, Row, all_cells, read_matrix
from access_requests import LMS, RPM_API, XAPI, Ask, Builder, Request, rpm_headers, xapi_headers
from access_world import ORGANISATION_X, ORGANISATION_Y, World, awaiting_uploads, build_world, fingerprint
from flask import Flask
from flask.testing import FlaskClient
from helpers import PASSWORD, csrf_token, empty_all_tables, log_in
from sqlalchemy import Engine, delete, event
from werkzeug.test import TestResponse

from app import ROOT, create_app
from learning.accounts.models import Organisation, Role
from learning.db import db

ROWS = read_matrix()
CELLS = all_cells(ROWS)
BUILDERS = {"lms": LMS, "xapi": XAPI, "rpm_api": RPM_API}
LMS_ROLES = [actor for actor in next(row for row in ROWS if row.section == "lms").cells if actor != "anonymous"]
IGNORED_METHODS = {"HEAD", "OPTIONS"}
FORM = "application/x-www-form-urlencoded"
# They end or replace the session they run in; logout and a password change end every session of the account.
FRESH_SESSION = {"POST /login", "POST /logout", "POST /register", "POST /account/password",
                 "POST /password/reset/<token>", "POST /login/link/<token>", "POST /account/erase",
                 "GET /login/sso/callback"}  # fmt: skip


def routes_of(app: Flask) -> set[str]:
    """Every "METHOD rule" the app answers, but static files and the methods Werkzeug adds itself."""
    return {
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in (rule.methods or set()) - IGNORED_METHODS
    }


class WriteCounter:
    """Counts the statements sent through the app's engines that could change a row (anything but a SELECT).

    Rows change only through such a statement, so while the count stands still the last fingerprint still holds:
    a refused request that sent none changed nothing, and the next cell needs no new "before". Re-reading every
    table twice per refused cell was half the matrix's time."""

    def __init__(self, *engines: Engine) -> None:
        self.count = 0
        for engine in engines:
            event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if statement.lstrip()[:6].upper() != "SELECT":
            self.count += 1


@dataclass
class Region:
    app: Flask
    world: World
    clients: dict[str, FlaskClient]
    make_credential: Callable[[str], tuple[str, str]]
    writes: WriteCounter
    known: tuple[int, dict[str, str]] | None = None  # (write count when taken, table digests)

    def _engines(self) -> tuple[Engine, Engine]:
        with self.app.app_context():
            return db.engine, self.app.extensions["lrs"].engine

    def snapshot(self) -> dict[str, str]:
        """Every table's digest (re-read only when a writing statement ran since the last read) and the uploads."""
        if self.known is None or self.known[0] != self.writes.count:
            count = self.writes.count
            self.known = (count, fingerprint(*self._engines()))
        uploads = Path(self.app.config["RPM_UPLOAD_DIR"])  # files change without a statement: always looked at
        return {**self.known[1], **awaiting_uploads(uploads)}


def _log_in(app: Flask, email: str) -> FlaskClient:
    """Log in fully: the password, and for staff roles a real code (tests/helpers.py)."""
    client = app.test_client()
    response = log_in(client, email, PASSWORD, app)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert urlsplit(response.headers["Location"]).path not in {"/login", "/login/code", "/login/setup"}
    return client


@pytest.fixture(scope="module")
def region(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Region]:
    empty_all_tables(database_url)
    config = {
        "TESTING": True, "SECRET_KEY": "test-secret-key", "SQLALCHEMY_DATABASE_URI": database_url,
        "LRS_DATABASE_URI": database_url, "XAPI_BASE_IRI": "https://vtc.test",
        "CONTENT_DIR": str(ROOT / "modules_content"), "RPM_UPLOAD_DIR": str(tmp_path_factory.mktemp("uploads")),
        "LRS_FORWARD_BACKGROUND": False,  # the cells prove who reaches the forwarding pages, not delivery
        # who may reach what, whatever the time since log-in: asking again is proven in tests/learning/accounts
        "REAUTH_MAX_AGE": timedelta(days=1),
    }  # fmt: skip
    app = create_app(config)
    runner = app.test_cli_runner()

    def make_credential(column: str) -> tuple[str, str]:
        scope, _of, organisation = column.partition(" of ")
        reach = (
            ["--organisation", {"X": ORGANISATION_X, "Y": ORGANISATION_Y}[organisation]]
            if organisation
            else ["--regional"]
        )
        result = runner.invoke(args=["lrs", "create-credential", f"matrix {column}", "--scope", scope, *reach])
        assert result.exit_code == 0, result.output
        key, secret = result.output.strip().splitlines()[-1].split(":", 1)
        return key, secret

    world = build_world(app, LMS_ROLES, make_credential)
    clients = {role: _log_in(app, account.email) for role, account in world.users.items()}
    with app.app_context():
        writes = WriteCounter(db.engine, app.extensions["lrs"].engine)
    yield Region(app, world, clients, make_credential, writes)
    with app.app_context():
        db.engine.dispose()
    app.extensions["lrs"].engine.dispose()


def test_every_route_has_a_row_in_the_matrix(region: Region) -> None:
    missing = routes_of(region.app) - {f"{row.method} {row.rule}" for row in ROWS}
    assert not missing, f"routes without a row in docs/access-matrix.md: {sorted(missing)}"


def test_every_row_is_a_route_with_a_way_to_request_it(region: Region) -> None:
    routes = routes_of(region.app)
    stale = sorted({f"{row.method} {row.rule}" for row in ROWS} - routes)
    assert not stale, f"rows in docs/access-matrix.md for routes the app does not have: {stale}"
    unbuilt = sorted(f"{row.method} {row.rule}" for row in ROWS if "<" in row.rule and not _builder_of(row))
    assert not unbuilt, f"no request builder in tests/access_requests.py for: {unbuilt}"


def test_every_role_has_a_column() -> None:
    """A role added to the LMS (e.g. a privacy officer) must be given a column: who may reach what is decided."""
    assert set(LMS_ROLES) == {role.value for role in Role}, f"LMS table columns {LMS_ROLES} differ from the roles"


def test_a_route_without_a_row_is_named() -> None:
    """The coverage check itself can fail: a route added to a fresh app is reported by method and rule."""
    app = Flask(__name__)
    app.add_url_rule("/not-in-the-matrix/", "probe", lambda: "", methods=["GET", "POST"])
    missing = routes_of(app) - {f"{row.method} {row.rule}" for row in ROWS}
    assert missing == {"GET /not-in-the-matrix/", "POST /not-in-the-matrix/"}


def test_a_write_through_the_app_shows_in_the_next_snapshot(region: Region) -> None:
    """The cached snapshot can fail: a row written through the app's engine changes the digest of its table, and
    removing it again restores it."""
    before = region.snapshot()
    with region.app.app_context():
        db.session.add(Organisation(name="Snapshot probe", kind="hospital"))
        db.session.commit()
        during = region.snapshot()
        db.session.execute(delete(Organisation).where(Organisation.name == "Snapshot probe"))
        db.session.commit()
    assert [name for name in before if during[name] != before[name]] == ["organisation"]
    assert region.snapshot() == before


def outcome(response: TestResponse) -> str:
    """Classify a response as the matrix does: ok (2xx, or 3xx not to the log-in page), login, or the status.

    A refusal sends to the log-in page with `next` (to come back after logging in); logging out also lands there,
    without it."""
    if 300 <= response.status_code < 400:
        target = urlsplit(response.headers.get("Location", ""))
        return "login" if target.path == "/login" and "next=" in target.query else "redirect"
    return "ok" if response.status_code < 300 else str(response.status_code)


def _client(region: Region, cell: Cell) -> FlaskClient:
    if cell.row.section != "lms" or cell.actor == "anonymous":
        return region.app.test_client()
    if f"{cell.row.method} {cell.row.rule}" in FRESH_SESSION:
        return _log_in(region.app, region.world.users[cell.actor].email)
    return region.clients[cell.actor]


def _send(client: FlaskClient, row: Row, request: Request, headers: dict[str, str]) -> TestResponse:
    kwargs: dict[str, Any] = {"query_string": request.query, "headers": {**headers, **request.headers}}
    if request.json is not None:
        kwargs["json"] = request.json
    elif request.data is not None:
        kwargs["data"] = request.data
    return client.open(request.path, method=row.method, **kwargs)


def _headers(region: Region, cell: Cell) -> dict[str, str]:
    if cell.row.section == "xapi":
        return xapi_headers(region.world, cell.actor)
    if cell.row.section == "rpm_api":
        return rpm_headers(region.world, cell.actor)
    return {}


def _prove(region: Region, cell: Cell, send: Callable[[], TestResponse]) -> None:
    """Send the request and check its outcome class, and that a refused request changed nothing."""
    before = region.snapshot() if cell.expected != "ok" else None
    response = send()
    got = outcome(response)
    expected = {"ok": {"ok", "redirect"}, "gone": {"redirect"}}.get(cell.expected, {cell.expected})
    body = response.get_data()[:300].decode(errors="replace")
    response.close()  # a file served from disk (module media) stays open until the response is closed
    assert got in expected, f"{cell.id}: expected {cell.expected}, got {response.status_code}: {body}"
    if before is not None:
        after = region.snapshot()
        changed = sorted(name for name in before if after[name] != before[name])
        assert not changed, f"{cell.id}: refused ({response.status_code}) but it changed {changed}"


def _builder_of(row: Row) -> Builder | None:
    return BUILDERS[row.section].get(f"{row.method} {row.rule}")


def builder(cell: Cell) -> Builder:
    """The route's own builder; a route without parameters needs none (GET it, or POST an empty form)."""
    row = cell.row
    return _builder_of(row) or (lambda ask: Request(row.rule, {} if row.method == "POST" else None))


def _request(region: Region, cell: Cell, client: FlaskClient) -> Request:
    ask = Ask(cell, region.world, region.app, client, region.make_credential)
    request = builder(cell)(ask)
    if cell.row.section == "lms" and cell.row.method != "GET" and request.data is not None:
        request.data["csrf_token"] = csrf_token(client, "/login")
    return request


@pytest.mark.parametrize("cell", CELLS, ids=[cell.id for cell in CELLS])
def test_cell(region: Region, cell: Cell) -> None:
    client = _client(region, cell)
    request = _request(region, cell, client)
    _prove(region, cell, lambda: _send(client, cell.row, request, _headers(region, cell)))
    if f"{cell.row.method} {cell.row.rule}" in FRESH_SESSION and cell.actor in region.clients:
        region.clients[cell.actor] = _log_in(region.app, region.world.users[cell.actor].email)


XAPI_CELLS = [cell for cell in CELLS if cell.row.section == "xapi"]


@pytest.mark.parametrize("cell", XAPI_CELLS, ids=[cell.id for cell in XAPI_CELLS])
def test_xapi_cell_in_the_alternate_request_syntax(region: Region, cell: Cell) -> None:
    """The same cell sent as a browser client may (xAPI 1.0.3 alternate syntax: a form POST carrying method,
    headers, parameters and content): the credential in a form field gets no more than in a header."""
    client = region.app.test_client()
    request = _request(region, cell, client)
    form = {**_headers(region, cell), **request.headers, **{name: str(value) for name, value in request.query.items()}}
    if request.json is not None:
        form["content"] = json.dumps(request.json)
    path = f"{request.path}?method={cell.row.method}"
    _prove(region, cell, lambda: client.post(path, data=urlencode(form), content_type=FORM))


HALF_WAY_ROUTES = {"GET /login", "GET /login/code", "POST /login/code", "GET /login/setup", "POST /login/setup"}
# Routes that start or give up a log-in are left out: the half-way state is their own business (test_mfa.py).
HALF_WAY_CELLS = [
    cell
    for cell in CELLS
    if cell.row.section == "lms"
    and cell.actor == "anonymous"
    and f"{cell.row.method} {cell.row.rule}" not in FRESH_SESSION | HALF_WAY_ROUTES
]


def _half_way(region: Region, client: FlaskClient) -> FlaskClient:
    """Put a manager's session after the right password, before the code (the second step of a staff log-in)."""
    email = region.world.users["manager"].email
    form = {"email": email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    assert client.post("/login", data=form).headers["Location"] == "/login/code"
    return client


@pytest.fixture(scope="module")
def half_logged_in(region: Region) -> FlaskClient:
    return _half_way(region, region.app.test_client())


@pytest.mark.parametrize("cell", HALF_WAY_CELLS, ids=[cell.id for cell in HALF_WAY_CELLS])
def test_half_logged_in_reaches_nothing_a_visitor_cannot(
    region: Region, half_logged_in: FlaskClient, cell: Cell
) -> None:
    """Every LMS route answers a session half-way through a staff log-in as it answers a visitor: the password
    alone opens nothing. (The session stays half-way: the form token comes from the code page, not /login.)"""
    ask = Ask(cell, region.world, region.app, half_logged_in, region.make_credential)
    request = builder(cell)(ask)
    if half_logged_in.get("/login/code").status_code != 200:  # the builder visited the log-in page to get a token
        _half_way(region, half_logged_in)
    if cell.row.method != "GET" and request.data is not None:
        request.data["csrf_token"] = csrf_token(half_logged_in, "/login/code")
    _prove(region, cell, lambda: _send(half_logged_in, cell.row, request, {}))
    assert half_logged_in.get("/login/code").status_code == 200, f"{cell.id} ended the half-way session"

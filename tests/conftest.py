"""Shared fixtures: a migrated real database (SQLite file, or PostgreSQL via VTC_TEST_DATABASE_URL), the app,
clients, factories and log-in helpers. Each test starts from empty tables."""

from __future__ import annotations

import base64
import gc
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import rule_builders
from argon2 import PasswordHasher
from flask import Flask, has_request_context
from flask.testing import FlaskClient, FlaskCliRunner
from helpers import (
    FIXTURE_APPROVER,
    PASSWORD,
    TEST_SECRET_KEY,
    TEST_TOTP_SECRET,
    dispose_cleaners,
    empty_all_tables,
    log_in,
)
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from live_server import IN_FLIGHT, LiveServer, serving
from sqlalchemy import event

import lrs
from app import ROOT, create_app
from learning.accounts import services as account_services
from learning.accounts.mfa import MFA_ROLES, encrypt
from learning.accounts.models import Invitation, Organisation, Role, Team, User
from learning.accounts.services import create_user
from learning.content.services import load_content
from learning.db import db, utcnow
from learning.db import upgrade_database as upgrade_lms

# Every test builds an app; Werkzeug's URL builders are compiled once for the run instead (tests/rule_builders.py).
rule_builders.install()

# Hashing every test account's password at the product's cost (argon2id, 64 MiB, ~0.1 s a hash and as much a log-in)
# was about a quarter of the suite's time. The tests use the same algorithm at minimum cost; the product's own
# parameters are held to RFC 9106 by tests/learning/accounts/test_password_cost.py, in a process of its own.
account_services._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

# Servers the tests start in subprocesses (gunicorn, make run) must not sync in the background either.
os.environ.setdefault("LMS_LIVE_SYNC_SECONDS", "0")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each half of the suite leaves out at collection (deselected, not skipped: a skip in CI would hide a missing
    part) what belongs to the other: tests marked `postgresql_only` run in the PostgreSQL half only, tests marked
    `sqlite_only` in the SQLite half only, so CI does not pay for them twice.

    - `postgresql_only`: what needs PostgreSQL itself (fail-over, a read-only server, the direct reads).
    - Browser tests: each runs in one half and carries one of the two marks (check_halves stops a run on a test
      in neither half, and on a browser test in both or without the `browser` mark). A browser
      test proves what a person sees and does in the page; every route is requested on both engines by the access
      matrix, and each feature's own tests (without a browser) run on both. The browser flows that store the
      region's records (a patient's journey, answers of every question type, offline answers sent once, the
      statement outbox, authoring, roles, erasure) run on PostgreSQL, the production engine; the rest, layout and
      reading among them, on SQLite. The split keeps the two halves about as long, and Chromium's CPU out of the
      half that is not using it.
    - The PostgreSQL half also leaves out every test that does not ask for `database_url`: the engine under test is
      reached only through that fixture (the suite's one place that reads VTC_TEST_DATABASE_URL), so such a test
      (xAPI validation, content parsing, readability, a migration or a boot on its own SQLite file) would run the
      same code twice."""
    check_halves(items)
    on_postgresql = (os.environ.get("VTC_TEST_DATABASE_URL") or "").startswith("postgresql")
    other_half = "sqlite_only" if on_postgresql else "postgresql_only"
    dropped = [item for item in items if item.get_closest_marker(other_half) or (on_postgresql and engine_free(item))]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        left = set(map(id, dropped))
        items[:] = [item for item in items if id(item) not in left]


HALVES = ("sqlite_only", "postgresql_only")


def check_halves(items: list[pytest.Item]) -> None:
    """Stop the run on a test that would run in neither half (both marks), and on a browser test (one that drives
    Chromium) without the `browser` mark or without a half: unmarked, it hides from `-m browser`; without a half it
    runs in both and costs CI twice."""
    for item in items:
        marks = {mark.name for mark in item.iter_markers()}
        if set(HALVES) <= marks:
            raise pytest.UsageError(f"{item.nodeid} is marked for both halves, so it would run in neither")
        if "chromium" in getattr(item, "fixturenames", ()) and not ("browser" in marks and marks & set(HALVES)):
            raise pytest.UsageError(f"{item.nodeid}: mark a browser test browser and sqlite_only or postgresql_only")


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what exists once the tests are collected (the imported libraries, ~6,000 test items with their
    parameters): it lives to the end of the run, and every full garbage collection walked it again. Measured on
    tests/lrs and tests/learning/player: 88 s, 73 s with it. Cyclic garbage made while collecting is never freed
    now; a leak at import time would no longer warn."""
    gc.collect()
    gc.freeze()


WAITS_ON_POSTGRESQL = """
    SELECT pid, state, wait_event_type, wait_event, pg_blocking_pids(pid) AS blocked_by, now() - xact_start AS open_for,
           left(query, 300) AS query
    FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() ORDER BY pid"""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed test that served pages adds what its live server was still answering (each request's stack) and,
    on PostgreSQL, every session of the test database with what it waits on: a page that never came (a flake seen
    once in CI) then says why, instead of only that the URL did not change."""
    outcome = yield
    report = outcome.get_result()
    in_flight = item.stash.get(IN_FLIGHT, None)
    if report.when != "call" or not report.failed or in_flight is None:
        return
    report.sections.append(("live server", in_flight.report()))
    url = os.environ.get("VTC_TEST_DATABASE_URL") or ""
    if url.startswith("postgresql"):
        report.sections.append(("PostgreSQL sessions", _postgresql_sessions(url)))


def _postgresql_sessions(url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            return "\n".join(str(dict(row._mapping)) for row in connection.execute(text(WAITS_ON_POSTGRESQL)))
    except Exception as exc:  # a report about a failure must not fail itself
        return f"could not read pg_stat_activity: {exc}"
    finally:
        engine.dispose()


def engine_free(item: pytest.Item) -> bool:
    """True for a test that never reaches the database under test: it does not depend on `database_url`."""
    return "database_url" not in getattr(item, "fixturenames", ()) and not item.get_closest_marker("postgresql_only")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database for the whole run: PostgreSQL when VTC_TEST_DATABASE_URL says so, else SQLite."""
    url = os.environ.get("VTC_TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    upgrade_lms(url)
    lrs.upgrade_database(url)
    yield url
    dispose_cleaners()


@pytest.fixture
def app_config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "PAGE_CACHE_CHECK": True,  # every kept page served is compared with a plain render (learning/page_cache.py)
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "LRS_DATABASE_URI": database_url,
        "XAPI_BASE_IRI": "https://vtc.test",
        "CONTENT_DIR": str(ROOT / "modules_content"),
        "SPEECH_ON_LOAD": False,  # rendering the catalogue's audio takes minutes: tests/learning/speech does it
        "LIVE_SYNC_SECONDS": 0,  # no background sync into the shared test database; tests/learning/live turns it on
        "PSEUDONYM_KEY_FILE": str(tmp_path / "pseudonym_key"),  # a test's rotation must not replace the repo's key
    }


@dataclass(frozen=True)
class UserRef:
    """A test user as plain data: ORM objects must not outlive the app context that loaded them."""

    id: int
    email: str
    xapi_pid: str
    role: Role


def dispose(application: Flask) -> None:
    """Close every pooled connection an app holds (PostgreSQL warns about connections left to the GC), after
    stopping its background threads (live sync, outbox, forwarding): one still running would open a new connection
    on the disposed engine that nobody closes, and PostgreSQL's driver warns about it in some later test."""
    for job in (application.extensions.get("vtc.live_sync"), application.extensions.get("vtc.tracker")):
        if job is not None:
            job.stop()
    application.extensions["lrs"].forwarder.stop()
    with application.app_context():
        db.engine.dispose()
    application.extensions["lrs"].engine.dispose()


class SharedBytecode(BytecodeCache):
    """Compiled templates kept for the whole run: every test builds a new app, and compiling its pages again
    cost about a fifth of an average test. Keyed by template name and source checksum, so an edited template
    is compiled afresh."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self._code.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


SHARED_BYTECODE = SharedBytecode()


def build_app(config: dict[str, Any]) -> Flask:
    """create_app with the run's shared template cache."""
    application = create_app(config)
    application.jinja_env.bytecode_cache = SHARED_BYTECODE
    return application


BACKGROUND_THREADS = {"live-sync", "xapi-outbox", "lrs-forwarding"}


@pytest.fixture(autouse=True)
def no_background_thread_survives() -> Iterator[None]:
    """A background thread left running after its test uses a disposed engine and leaks a connection that fails
    some unrelated later test: fail the test that left it instead."""
    yield
    left = sorted(t.name for t in threading.enumerate() if t.name in BACKGROUND_THREADS)
    assert not left, f"background threads still running after the test: {left}"


@pytest.fixture
def make_app(app_config: dict[str, Any]) -> Iterator[Callable[..., Flask]]:
    """Create extra apps (other configuration) that are cleaned up after the test."""
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        config = {**app_config, **overrides}
        made.append(build_app({k: v for k, v in config.items() if v is not None}))
        return made[-1]

    yield make
    for application in made:
        dispose(application)


@pytest.fixture
def app(app_config: dict[str, Any], database_url: str) -> Iterator[Flask]:
    """A fresh app on empty tables. No app context stays pushed: requests must not share `g` or a session."""
    empty_all_tables(database_url)
    application = build_app(app_config)
    yield application
    dispose(application)


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An app context for tests that call services directly (not for tests that also use the client)."""
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def content(app: Flask) -> None:
    """Load the real modules_content/ into the database."""
    with app.app_context():
        load_content(Path(app.config["CONTENT_DIR"]), FIXTURE_APPROVER)


@pytest.fixture
def organisation_id(app: Flask) -> int:
    with app.app_context():
        org = Organisation(name="Test Ziekenhuis", kind="hospital")
        db.session.add_all([org, Team(organisation=org, name="Hartfalenpoli", kind="outpatient_clinic")])
        db.session.commit()
        return org.id


@pytest.fixture
def make_user(app: Flask, organisation_id: int) -> Callable[..., UserRef]:
    counter = iter(range(1, 10_000))

    def make(role: Role = Role.PATIENT, **fields: Any) -> UserRef:
        email = fields.pop("email", f"{role.value}{next(counter)}@example.test")
        with app.app_context():
            org = db.session.get(Organisation, organisation_id)
            assert org is not None
            fields.setdefault("team", org.teams[0] if role is Role.PROFESSIONAL else None)
            # An established account: its address confirmed, so no bar asks to confirm it on every page of every
            # test. Tests of unconfirmed addresses pass email_confirmed_at=None.
            fields.setdefault("email_confirmed_at", utcnow())
            user = create_user(email, PASSWORD, role, organisation=org, **fields)
            db.session.commit()
            return UserRef(user.id, user.email, user.xapi_pid, user.role)

    return make


@pytest.fixture
def make_invitation(app: Flask, organisation_id: int) -> Callable[..., str]:
    def make(code: str = "WELKOM-01", role: Role = Role.PATIENT, **fields: Any) -> str:
        with app.app_context():
            db.session.add(Invitation(code=code, organisation_id=organisation_id, role=role, **fields))
            db.session.commit()
        return code

    return make


@pytest.fixture
def login(app: Flask, client: FlaskClient) -> Callable[[UserRef], FlaskClient]:
    """Log the test client in: the password, and for staff roles a real code from the authenticator app."""

    def do_login(user: UserRef, password: str = PASSWORD) -> FlaskClient:
        response = log_in(client, user.email, password, app)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do_login


def _enrol_test_staff(_mapper: Any, _connection: Any, user: User) -> None:
    """A staff account a test makes outside a request (fixtures, helpers) has its authenticator app set up with
    TEST_TOTP_SECRET, as a real member of staff would after the first log-in; log_in() then gives real codes.
    Accounts made by the app in a request (registration, the admin pages) are left alone: their set-up is the
    product's own flow, tested as such."""
    if user.mfa_secret is None and user.role in MFA_ROLES and not has_request_context():
        user.mfa_secret = encrypt(TEST_TOTP_SECRET, [TEST_SECRET_KEY])
        user.mfa_enrolled_at = utcnow()


@pytest.fixture(scope="session", autouse=True)
def enrol_test_staff() -> Iterator[None]:
    event.listen(User, "before_insert", _enrol_test_staff)
    yield
    event.remove(User, "before_insert", _enrol_test_staff)


@pytest.fixture
def make_lrs_auth(runner: FlaskCliRunner) -> Callable[..., dict[str, str]]:
    """Create LRS credentials with the real CLI: make(*scopes) returns their Basic-auth headers (no scopes: all).

    Regional unless `organisation` names the organisation whose learners alone it may read.
    """

    def make(*scopes: str, name: str = "test client", organisation: str | None = None) -> dict[str, str]:
        options = [arg for scope in scopes for arg in ("--scope", scope)]
        options += ["--organisation", organisation] if organisation else ["--regional"]
        result = runner.invoke(args=["lrs", "create-credential", name, *options])
        assert result.exit_code == 0, result.output
        key_secret = result.output.strip().splitlines()[-1]
        token = base64.b64encode(key_secret.encode()).decode()
        return {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}

    return make


@pytest.fixture
def lrs_auth(make_lrs_auth: Callable[..., dict[str, str]]) -> dict[str, str]:
    """Basic-auth headers of a fresh LRS credential with the default scope (all), made with the real CLI."""
    return make_lrs_auth()


@pytest.fixture
def live_server(app: Flask, request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """The real app on a free loopback port, served by a threaded WSGI server, for HTTP clients and browsers."""
    with serving(app, request.node) as server:
        yield server

"""Forwarding fixtures: a second instance of our own LRS as the external target, served over real HTTP.

The target has a database of its own (a SQLite file: it stands for another organisation's LRS, so the engine
under test is the source's). A recorder in front of it notes which statement ids each accepted POST carried,
so tests can tell "delivered exactly once, in order" apart from "resent and deduplicated by the target".
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

import lrs
from app import create_app
from learning.db import db
from learning.db import upgrade_database as upgrade_lms
from lrs.xapi.multipart import parse_multipart_statements


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """Deliver only when a test says so (no background thread), and retry rejected statements at once.

    The target LRS runs on loopback, which forwarding refuses unless the setting allows it: these tests do.
    """
    return {
        **app_config,
        "LRS_FORWARD_ALLOW_PRIVATE": True,
        "LRS_FORWARD_BACKGROUND": False,
        "LRS_FORWARD_REJECT_SECONDS": 0,
        "LRS_FORWARD_MAX_ATTEMPTS": 3,
        "LRS_FORWARD_TIMEOUT": 5.0,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def basic(key: str, secret: str, version: str = "1.0.3") -> dict[str, str]:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}", "X-Experience-API-Version": version}


class Recorder:
    """WSGI middleware in front of the target: records the ids of every POST it accepted; can answer a status."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.accepted: list[str] = []
        self.posts = 0
        self.answer_status: str | None = None  # e.g. "503 Service Unavailable": the target is overloaded
        self.conflict_on_known = False  # stand in for an LRS that answers 409 for any id it holds, same or not

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        is_post = environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == "/xapi/statements"
        self.posts += is_post
        if is_post and self.answer_status:
            start_response(self.answer_status, [("Content-Type", "text/plain")])
            return [b"try again later"]
        if is_post and self.conflict_on_known and self._holds_any(environ, body):
            start_response("409 Conflict", [("Content-Type", "application/json")])
            return [b'{"error": "a statement with this id exists"}']
        statuses: list[str] = []

        def record_status(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            statuses.append(status)
            return start_response(status, headers, exc_info)

        result = list(self.app(environ, record_status))
        if is_post and statuses[0].startswith("2"):
            self.accepted += [s["id"] for s in _statements(body, environ.get("CONTENT_TYPE", ""))]
        return result

    def _holds_any(self, environ: dict[str, Any], body: bytes) -> bool:
        headers = {"Authorization": environ["HTTP_AUTHORIZATION"], "X-Experience-API-Version": "1.0.3"}
        client = self.app.test_client()
        return any(
            client.get(f"/xapi/statements?statementId={s['id']}", headers=headers).status_code == 200
            for s in _statements(body, environ.get("CONTENT_TYPE", ""))
        )


def _statements(body: bytes, content_type: str) -> list[dict[str, Any]]:
    if content_type.startswith("multipart/"):
        statements, _parts = parse_multipart_statements(body, content_type)
    else:
        statements = json.loads(body)
    return statements if isinstance(statements, list) else [statements]


@dataclass
class TargetLrs:
    app: Flask
    recorder: Recorder
    port: int
    key: str
    secret: str
    server: BaseWSGIServer | None = None
    threads: list[threading.Thread] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xapi/"

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.recorder, threaded=True)
        thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), name="target-lrs", daemon=True)
        thread.start()
        self.threads.append(thread)

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
        for thread in self.threads:
            thread.join(timeout=10)

    def headers(self, version: str = "1.0.3") -> dict[str, str]:
        return basic(self.key, self.secret, version)

    def stored_ids(self) -> list[str]:
        """The ids of the statements the target holds (voided ones excepted), in the order it stored them."""
        client, headers, ids = self.app.test_client(), self.headers(), []
        url = "/xapi/statements?limit=500&ascending=true"
        while url:
            page = client.get(url, headers=headers).json
            ids += [s["id"] for s in page["statements"]]
            url = page["more"]
        return ids

    def get(self, statement_id: str, *, voided: bool = False) -> Any:
        param = "voidedStatementId" if voided else "statementId"
        return self.app.test_client().get(f"/xapi/statements?{param}={statement_id}", headers=self.headers())


@pytest.fixture(scope="session")
def target_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database for target LRSs, copied per test (migrating each time would be slow)."""
    path = tmp_path_factory.mktemp("target") / "template.db"
    upgrade_lms(f"sqlite:///{path}")
    lrs.upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture
def target_lrs(target_database: Path, tmp_path: Path) -> Iterator[TargetLrs]:
    """Another organisation's LRS (our own code, own database) on a free port; call .start() to bring it up."""
    path = tmp_path / "target.db"
    shutil.copy(target_database, path)
    url = f"sqlite:///{path}"
    config = {"TESTING": True, "SECRET_KEY": "target-secret", "SQLALCHEMY_DATABASE_URI": url, "LRS_DATABASE_URI": url}
    target = create_app(config)
    result = target.test_cli_runner().invoke(args=["lrs", "create-credential", "vtc forwarding", "--regional"])
    key, secret = result.output.strip().splitlines()[-1].split(":", 1)
    made = TargetLrs(target, Recorder(target), free_port(), key, secret)
    yield made
    made.stop()
    target.extensions["lrs"].engine.dispose()
    with target.app_context():
        db.engine.dispose()


@dataclass(frozen=True)
class Client:
    key: str
    headers: dict[str, str]


@pytest.fixture
def make_client(app: Flask) -> Callable[[str], Client]:
    """Create a credential on the source LRS with the real CLI and return its key and Basic-auth headers."""

    def make(name: str = "zgt rpm platform") -> Client:
        result = app.test_cli_runner().invoke(args=["lrs", "create-credential", name, "--regional"])
        key, secret = result.output.strip().splitlines()[-1].split(":", 1)
        return Client(key, basic(key, secret))

    return make


@pytest.fixture
def forwarding(app: Flask, target_lrs: TargetLrs, make_client: Callable[[str], Client]) -> Client:
    """A source credential whose statements are forwarded to target_lrs (set with the real CLI)."""
    client = make_client("forwarding organisation")
    result = app.test_cli_runner().invoke(
        args=["lrs", "set-forwarding", client.key, "--endpoint", target_lrs.endpoint,
              "--target-key", target_lrs.key, "--target-secret", target_lrs.secret]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return client

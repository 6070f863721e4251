"""Start the real app under gunicorn on a free loopback port, with a fresh database and one LRS credential."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def durability(database_url: str) -> str:
    """Describe how safely the database under a benchmark commits, so every printed figure carries it.

    A figure measured with fsync or synchronous_commit off is fast but may lose acknowledged statements on a crash;
    it may be shown only labelled as such.
    """
    from sqlalchemy import text

    from lrs.store.engine import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                level = conn.execute(text("PRAGMA synchronous")).scalar()
                mode = conn.execute(text("PRAGMA journal_mode")).scalar()
                safe = level is not None and int(level) >= 2
                return f"{'durable' if safe else 'NOT DURABLE'} (SQLite journal_mode={mode}, synchronous={level})"
            fsync = conn.execute(text("SHOW fsync")).scalar()
            commit = conn.execute(text("SHOW synchronous_commit")).scalar()
            safe = fsync == "on" and commit != "off"
            return f"{'durable' if safe else 'NOT DURABLE'} (PostgreSQL fsync={fsync}, synchronous_commit={commit})"
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Server:
    url: str
    headers: dict[str, str]
    database_url: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _flask(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout


def organisation_credential(server: Server, name: str, pseudonym: str) -> dict[str, str]:
    """Add an LMS organisation with this pseudonym and return headers of a credential confined to it."""
    from sqlalchemy import create_engine, text

    engine = create_engine(server.database_url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO organisation (name, kind, pseudonym) VALUES (:name, 'hospital', :pseudonym)"),
            {"name": name, "pseudonym": pseudonym},
        )
    engine.dispose()
    env = {**os.environ, "LMS_SQLALCHEMY_DATABASE_URI": server.database_url, "LMS_SECRET_KEY": "bench"}
    key_secret = _flask(env, "lrs", "create-credential", name, "--organisation", name).strip().splitlines()[-1]
    token = base64.b64encode(key_secret.encode()).decode()
    return {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}


@contextmanager
def running_server(
    database_url: str, *, workers: int = 2, threads: int = 1, extra_env: dict[str, str] | None = None
) -> Iterator[Server]:
    """Migrate the database, make a credential, serve with gunicorn; stop it afterwards."""
    env = {**os.environ, "LMS_SQLALCHEMY_DATABASE_URI": database_url, "LMS_SECRET_KEY": "bench", **(extra_env or {})}
    _flask(env, "db", "upgrade")
    key_secret = _flask(env, "lrs", "create-credential", "bench", "--regional").strip().splitlines()[-1]
    port = free_port()
    # No control socket: another bench server would share gunicorn 27's default (~/.gunicorn/ or $XDG_RUNTIME_DIR).
    command = [str(BIN / "gunicorn"), "--workers", str(workers), "--threads", str(threads),
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--no-control-socket",
               "app:create_app()"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{url}/xapi/about", timeout=1).read()  # noqa: S310 (loopback)
                break
            except OSError:
                time.sleep(0.05)
        token = base64.b64encode(key_secret.encode()).decode()
        headers = {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}
        yield Server(url, headers, database_url)
    finally:
        process.terminate()
        process.wait(timeout=30)

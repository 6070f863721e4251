"""The app factory: configuration sources, the generated secret, SQLite in WAL mode, the sink it wires."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

import app as app_module
from learning.db import db
from learning.tracking.client import InProcessSink, RemoteSink


def test_env_prefix_configures_the_app(monkeypatch, make_app):
    monkeypatch.setenv("LMS_XAPI_BASE_IRI", "https://leren.example.nl")
    monkeypatch.setenv("LMS_LRS_TIMEOUT", "2.5")
    application = make_app(XAPI_BASE_IRI=None)
    assert application.config["XAPI_BASE_IRI"] == "https://leren.example.nl"
    assert application.config["LRS_TIMEOUT"] == 2.5


def test_secret_key_is_generated_once_into_instance(monkeypatch, tmp_path, make_app):
    monkeypatch.setattr(app_module, "ROOT", tmp_path)
    first = make_app(SECRET_KEY=None).config["SECRET_KEY"]
    second = make_app(SECRET_KEY=None).config["SECRET_KEY"]
    secret_file = Path(tmp_path / "instance" / "secret_key")
    assert first == second == secret_file.read_text().strip()
    assert len(first) == 64
    assert secret_file.stat().st_mode & 0o777 == 0o600


def test_sqlite_runs_in_wal_mode(tmp_path, make_app):
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    application = make_app(SQLALCHEMY_DATABASE_URI=url, LRS_DATABASE_URI=url)
    with application.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    with application.extensions["lrs"].engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_built_in_lrs_is_the_default_sink(app):
    assert isinstance(app.extensions["vtc.tracker"].sink, InProcessSink)


def test_endpoint_switches_to_remote_sink(make_app):
    application = make_app(LRS_ENDPOINT="http://127.0.0.1:9/xapi/", LRS_KEY="k")
    assert isinstance(application.extensions["vtc.tracker"].sink, RemoteSink)


@pytest.mark.parametrize("path", ["/xapi/about", "/login", "/help"])
def test_public_pages_answer(client, path):
    assert client.get(path).status_code == 200


def test_a_fresh_process_boots_without_the_heavy_libraries_only_some_pages_need(tmp_path):
    """A worker restarted after kill -9 must answer within seconds (docs/operations.md): highspy (the disclosure
    audit's solver), matplotlib and WeasyPrint (exports) are imported where they are used, not at boot."""
    import subprocess
    import sys

    probe = (
        "import sys; from app import create_app; create_app();"
        "print(','.join(m for m in ('highspy', 'scipy', 'matplotlib', 'weasyprint') if m in sys.modules))"
    )
    env = {"PATH": "/usr/bin:/bin", "LMS_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/boot.db",
           "LMS_SECRET_KEY": "boot", "LMS_LIVE_SYNC_SECONDS": "0"}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120,
                          cwd=Path(app_module.__file__).parent)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""

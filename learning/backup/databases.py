"""Copy whole databases to a backup folder and back, by URL: SQLite with its online backup API, PostgreSQL with
pg_dump / pg_restore in their custom format.

A backup is a folder with one file per database and a `manifest.json` that says which roles (lms, lrs) each file
holds, its SHA-256 and the rows of every table at the time of the backup. Restore checks the file against its hash
before it touches anything, refuses a target that holds data unless forced, and compares the restored row counts
with the manifest, so "restored" means "the same rows are there".
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, Connection, make_url

MANIFEST = "manifest.json"
FORMAT = 1
VERSION_TABLES = frozenset({"alembic_version", "lrs_alembic_version"})
"""Tables a freshly migrated, still empty database already has rows in: they do not make a target "in use"."""


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Database:
    """One configured database: the roles it serves (lms, lrs) and its SQLAlchemy URL."""

    roles: tuple[str, ...]
    url: str


@dataclass(frozen=True)
class Copied:
    """What was backed up or restored for one database."""

    roles: tuple[str, ...]
    file: str
    tables: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def group_databases(urls: dict[str, str]) -> list[Database]:
    """Group roles by URL: when the LMS and the LRS share one database (the default) it is copied once."""
    grouped: dict[str, list[str]] = {}
    for role, url in urls.items():
        grouped.setdefault(url, []).append(role)
    return [Database(tuple(roles), url) for url, roles in grouped.items()]


def backup(databases: Sequence[Database], folder: Path) -> list[Copied]:
    """Write every database into a new folder; return what was copied.

    The files are written into a temporary folder beside the target and renamed at the end, so a failed backup
    never leaves a folder that looks complete.
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(f"{folder} already exists and is not empty: choose a new folder for this backup")
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        copied = [_backup_one(database, work) for database in databases]
        manifest = {
            "format": FORMAT,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "databases": [_entry(copy, work) for copy in copied],
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        if folder.exists():
            folder.rmdir()
        work.rename(folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return copied


def restore(folder: Path, databases: Sequence[Database], *, force: bool = False) -> list[Copied]:
    """Restore every configured database from a backup folder; return what was restored.

    :raises BackupError: the backup does not fit this configuration, is damaged, or a target holds data and
        `force` is not set. Nothing is written before all of these are checked.
    """
    entries = _read_manifest(folder)
    plan = [(database, _matching_entry(entries, database)) for database in databases]
    for database, entry in plan:
        _check_file(folder, entry)
        if _dialect(database.url) != entry["dialect"]:
            raise BackupError(
                f"the backup of {'+'.join(database.roles)} is from {entry['dialect']}, "
                f"but the configured database is {_dialect(database.url)}: restore into a {entry['dialect']} database"
            )
        if not force and (used := tables_with_rows(database.url)):
            raise BackupError(
                f"the {'+'.join(database.roles)} database already holds data (in {', '.join(used[:5])}"
                f"{', …' if len(used) > 5 else ''}): restore into an empty database, or add --force to replace it"
            )
    restored = []
    for database, entry in plan:
        source = folder / entry["file"]
        if entry["dialect"] == "sqlite":
            _sqlite_restore(source, _sqlite_path(database.url))
        else:
            _pg_restore(source, database.url, clean=force)
        tables = count_rows(database.url)
        expected = {name: int(rows) for name, rows in entry["tables"].items()}
        if {name: tables.get(name) for name in expected} != expected:
            differ = sorted(name for name in expected if tables.get(name) != expected[name])
            raise BackupError(f"after restoring, these tables do not hold the backed-up rows: {', '.join(differ)}")
        restored.append(Copied(database.roles, entry["file"], tables))
    return restored


def count_rows(url: str) -> dict[str, int]:
    """Rows of every table in the database (the schema the URL opens: PostgreSQL's search path)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return _count(conn)
    finally:
        engine.dispose()


def _count(conn: Connection) -> dict[str, int]:
    names = sorted(inspect(conn).get_table_names())
    # the names come from the database's own catalogue, quoted: no outside text reaches this SQL
    return {name: int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()) for name in names}  # noqa: S608  # nosec B608


def tables_with_rows(url: str) -> list[str]:
    """The tables that hold rows, leaving out the migration version tables (an empty migrated database is empty)."""
    if _dialect(url) == "sqlite" and not Path(_sqlite_path(url)).exists():
        return []
    return [name for name, rows in count_rows(url).items() if rows and name not in VERSION_TABLES]


def _backup_one(database: Database, work: Path) -> Copied:
    name = "+".join(database.roles)
    if _dialect(database.url) == "sqlite":
        file = f"{name}.sqlite3"
        _sqlite_backup(_sqlite_path(database.url), work / file)
        return Copied(database.roles, file, count_rows(f"sqlite:///{work / file}"))
    file = f"{name}.pgdump"
    engine = create_engine(database.url, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as conn:  # the counts and the dump see one snapshot, however busy the app is
            snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            tables = _count(conn)
            options = ["--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
            _run_pg("pg_dump", database.url, [*options, "--file", str(work / file)])
    finally:
        engine.dispose()
    return Copied(database.roles, file, tables)


def _entry(copy: Copied, work: Path) -> dict[str, Any]:
    return {
        "roles": list(copy.roles),
        "dialect": "sqlite" if copy.file.endswith(".sqlite3") else "postgresql",
        "file": copy.file,
        "sha256": _sha256(work / copy.file),
        "tables": copy.tables,
    }


def _sqlite_backup(source: str, target: Path) -> None:
    """Copy a live SQLite database page by page with SQLite's online backup API.

    The copy is one consistent snapshot even while the app writes: in WAL mode the read that copies it does not
    block writers. The copy is switched to a rollback journal, so it is one self-contained file.
    """
    if not Path(source).exists():
        raise BackupError(f"there is no database at {source}: check LMS_SQLALCHEMY_DATABASE_URI")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
        _check_integrity(dst, str(target))
    finally:
        dst.close()
        src.close()
    _fsync(target)


def _sqlite_restore(source: Path, target: str) -> None:
    """Overwrite the target database with the backup, through SQLite (never a file copy under an open database)."""
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=WAL")  # the app's mode (learning/__init__.py, lrs/store/engine.py)
        _check_integrity(dst, target)
    finally:
        dst.close()
        src.close()


def _check_integrity(conn: sqlite3.Connection, name: str) -> None:
    result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    if result != ["ok"]:
        raise BackupError(f"{name} failed SQLite's integrity check: {'; '.join(result[:3])}")


def _pg_restore(source: Path, url: str, *, clean: bool) -> None:
    options = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
    if clean:
        options += ["--clean", "--if-exists"]  # --force: drop what the backup holds, then create it again
    _run_pg("pg_restore", url, [*options, str(source)])


def _run_pg(tool: str, url: str, arguments: list[str]) -> None:
    """Run pg_dump or pg_restore against the database of a SQLAlchemy URL; the password goes in the environment,
    never on a command line that `ps` shows."""
    parsed = make_url(url)
    environment = {**os.environ, **({"PGPASSWORD": parsed.password} if parsed.password else {})}
    libpq = _libpq_url(parsed)
    database = ["--dbname", libpq]
    try:
        result = subprocess.run(  # noqa: S603  # nosec B603
            [str(pg_binary(tool)), *database, *arguments],
            env=environment,
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BackupError(f"{tool} did not finish within an hour") from None
    if result.returncode != 0:
        raise BackupError(f"{tool} failed: {result.stderr.strip()[-800:]}")


def _libpq_url(parsed: URL) -> str:
    """The URL as libpq reads it (pg_dump, pg_restore), the password left out (it goes in PGPASSWORD).

    A high-availability URL names its servers as SQLAlchemy wants them, `?host=db1:5432&host=db2:5432` (see
    docs/high-availability.md); libpq wants them in the authority, `db1:5432,db2:5432`, and reads a `host` query
    parameter as one host name. With `target_session_attrs=read-write` kept, the backup reads the primary.
    """
    hosts = parsed.query.get("host")
    if isinstance(hosts, tuple | list) or (isinstance(hosts, str) and "," not in hosts and ":" in hosts):
        listed = [hosts] if isinstance(hosts, str) else list(hosts)
        user = quote(parsed.username or "", safe="")
        query = {key: value for key, value in parsed.query.items() if key != "host"}
        rest = "&".join(f"{key}={quote(str(value), safe='')}" for key, value in query.items())
        url = f"postgresql://{user + '@' if user else ''}{','.join(listed)}/{quote(parsed.database or '', safe='')}"
        return f"{url}?{rest}" if rest else url
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False)


def pg_binary(tool: str) -> Path:
    """The newest installed PostgreSQL's tool (pg_dump must be at least as new as the server), else one on PATH."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1]
    on_path = shutil.which(tool)
    if on_path is None:
        raise BackupError(f"{tool} is not installed: install PostgreSQL's client programs (Debian: postgresql-client)")
    return Path(on_path)


def _read_manifest(folder: Path) -> list[dict[str, Any]]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{folder} is not a backup: it has no {MANIFEST}") from None
    except ValueError:
        raise BackupError(f"{folder / MANIFEST} is damaged: it is not JSON") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{folder} is a backup in a format this version cannot read ({manifest.get('format')})")
    return list(manifest["databases"])


def _matching_entry(entries: list[dict[str, Any]], database: Database) -> dict[str, Any]:
    for entry in entries:
        if sorted(entry["roles"]) == sorted(database.roles):
            return entry
    held = ", ".join("+".join(entry["roles"]) for entry in entries)
    raise BackupError(
        f"the backup holds {held}, but this configuration keeps {'+'.join(database.roles)} in one database: "
        "set LMS_SQLALCHEMY_DATABASE_URI and LMS_LRS_DATABASE_URI as they were when the backup was made"
    )


def _check_file(folder: Path, entry: dict[str, Any]) -> None:
    path = folder / entry["file"]
    if not path.is_file():
        raise BackupError(f"{path} is missing from the backup")
    if _sha256(path) != entry["sha256"]:
        raise BackupError(f"{path} does not match its SHA-256 in the manifest: the backup is damaged")


def _dialect(url: str) -> str:
    return make_url(url).get_backend_name()


def _sqlite_path(url: str) -> str:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return database


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync(path: Path) -> None:
    with path.open("rb") as file:
        os.fsync(file.fileno())

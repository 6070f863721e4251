"""The stored chain on the real database: appends chain up (also from concurrent writers), and `flask audit verify`
finds a row edited, deleted or slipped in with raw SQL, naming it."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from audit_helpers import fields
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from learning.audit.chain import GENESIS, row_hash
from learning.audit.models import AccessLogEntry
from learning.audit.service import append, verify, verify_newest
from learning.db import db


def test_entries_are_numbered_and_chained_from_the_start(app: Flask, appended: Callable[[int], list[int]]) -> None:
    assert appended(3) == [1, 2, 3]
    with app.app_context():
        rows = db.session.scalars(select(AccessLogEntry).order_by(AccessLogEntry.id)).all()
        assert rows[0].prev_hash == GENESIS
        assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
        assert rows[1].hash == row_hash(2, fields(2), rows[0].hash)


def test_over_long_text_is_cut_to_its_column_and_still_verifies(app: Flask) -> None:
    with app.app_context():
        append(fields(1, subject="x" * 1000, path="/" + "p" * 900))
        row = db.session.scalars(select(AccessLogEntry)).one()
        assert len(row.subject) == 300
        assert row.subject.endswith("…")
        assert verify().intact


def test_untouched_log_verifies(runner: FlaskCliRunner, appended: Callable[[int], list[int]]) -> None:
    appended(5)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "5 entries checked: the access log is intact." in result.output


def test_an_empty_log_verifies(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "0 entries checked" in result.output


def test_a_row_edited_with_raw_sql_is_named(
    runner: FlaskCliRunner, appended: Callable[[int], list[int]], raw_sql: Callable[..., None]
) -> None:
    appended(5)
    raw_sql("UPDATE access_log SET subject = 'environment:99' WHERE id = 3")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at entry 3" in result.output
    assert "changed after it was written" in result.output
    assert "2 entries before it are intact" in result.output


def test_an_edit_that_also_rehashes_the_row_breaks_the_next_link(
    app: Flask, runner: FlaskCliRunner, appended: Callable[[int], list[int]], raw_sql: Callable[..., None]
) -> None:
    appended(5)
    with app.app_context():
        prev = db.session.scalar(select(AccessLogEntry.hash).where(AccessLogEntry.id == 2))
        assert prev is not None
        forged = row_hash(3, fields(3, subject="environment:99"), prev)
    raw_sql("UPDATE access_log SET subject = 'environment:99', hash = :h WHERE id = 3", h=forged)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at entry 4" in result.output


def test_a_deleted_middle_row_is_found(
    runner: FlaskCliRunner, appended: Callable[[int], list[int]], raw_sql: Callable[..., None]
) -> None:
    appended(5)
    raw_sql("DELETE FROM access_log WHERE id = 3")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at entry 4" in result.output


def test_a_row_inserted_out_of_chain_is_found(
    runner: FlaskCliRunner, appended: Callable[[int], list[int]], raw_sql: Callable[..., None]
) -> None:
    appended(3)
    raw_sql(
        "INSERT INTO access_log (id, at, actor, actor_role, action, subject, purpose, path, prev_hash, hash) "
        "VALUES (4, '2026-11-03 10:00:00.000000', 'user:1', 'manager', 'dashboard.read', 'region', 'x', '/', "
        ":prev, :hash)",
        prev="f" * 64,
        hash="e" * 64,
    )
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "broken at entry 4" in result.output


def test_a_fork_after_the_same_row_cannot_be_stored(
    app: Flask, appended: Callable[[int], list[int]], raw_sql: Callable[..., None]
) -> None:
    appended(2)
    with app.app_context():
        first = db.session.scalar(select(AccessLogEntry.hash).where(AccessLogEntry.id == 1))
    with pytest.raises(IntegrityError):
        raw_sql(
            "INSERT INTO access_log (id, at, actor, actor_role, action, subject, purpose, path, prev_hash, hash) "
            "VALUES (9, '2026-11-03 10:00:00', 'a', 'b', 'c', 'd', 'e', 'f', :prev, :hash)",
            prev=first,
            hash="0" * 64,
        )


def test_the_anchor_catches_a_rewritten_or_shortened_log(
    runner: FlaskCliRunner, appended: Callable[[int], list[int]], raw_sql: Callable[..., None]
) -> None:
    appended(4)
    head = runner.invoke(args=["audit", "verify"]).output.strip().splitlines()[-1].split()[-1]
    assert runner.invoke(args=["audit", "verify", "--anchor", head]).exit_code == 0
    raw_sql("DELETE FROM access_log WHERE id = 4")  # the newest row: the chain itself stays intact
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    result = runner.invoke(args=["audit", "verify", "--anchor", head])
    assert result.exit_code == 1
    assert "entry 4 is gone" in result.output
    assert runner.invoke(args=["audit", "verify", "--anchor", "nonsense"]).exit_code == 2


def test_concurrent_writers_keep_one_chain(app: Flask) -> None:
    """Four threads, each with its own connection, append at once: every entry is kept and the chain is intact."""
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with app.app_context():
                for i in range(10):
                    append(fields(n * 10 + i))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with app.app_context():
        verdict = verify()
        assert verdict.intact
        assert verdict.checked == 40


def test_the_newest_entries_alone_are_checked_from_the_stored_row_before_them(
    app: Flask, appended: Callable[[int], list[int]], raw_sql: Callable[..., None]
) -> None:
    """What the page can afford on every view: the newest entries, anchored on the row before them; an edit
    before that window is the full check's to find (`flask audit verify`, from cron)."""
    appended(6)
    raw_sql("UPDATE access_log SET actor = 'user:999' WHERE id = 1")
    with app.app_context():
        newest = verify_newest(3)
        assert (newest.intact, newest.checked, newest.from_start, newest.head_id) == (True, 3, False, 6)
        assert not verify().intact
        assert verify_newest(10).broken_id == 1  # a short log is checked from its first entry
    raw_sql("UPDATE access_log SET actor = 'user:999' WHERE id = 5")
    with app.app_context():
        assert (verify_newest(3).broken_id, verify_newest(3).reason) == (5, "changed")
    raw_sql("DELETE FROM access_log WHERE id = 4")
    with app.app_context():
        assert verify_newest(2).broken_id == 5  # the row before the window is gone: the gap shows at its successor

"""Document and Activity-definition storage against the real database (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, MetaData, create_engine, inspect

from lrs.service.documents import activities_in
from lrs.store import documents as store
from lrs.store.documents import DocumentScope, content_etag, get_activity_definition, upsert_activity_definitions
from lrs.store.engine import MIGRATIONS
from lrs.store.tables import activity, document

ACTIVITY = "https://vtc.test/xapi/module/example"
STATE = DocumentScope("state", ACTIVITY, "mbox:ann@example.org")


@pytest.fixture
def engine(app) -> Engine:
    engine: Engine = app.extensions["lrs"].engine
    return engine


@pytest.fixture
def conn(engine: Engine) -> Iterator[Connection]:
    with engine.begin() as connection:
        yield connection


def test_insert_then_get_keeps_bytes_type_and_sha1_etag(conn):
    assert store.insert_document(conn, STATE, "s1", b"\x00\xff", "application/octet-stream")
    found = store.get_document(conn, STATE, "s1")
    assert found is not None
    assert (found.content, found.content_type) == (b"\x00\xff", "application/octet-stream")
    assert found.etag == content_etag(b"\x00\xff") == store.get_etag(conn, STATE, "s1")


def test_insert_over_an_existing_document_changes_nothing(conn):
    assert store.insert_document(conn, STATE, "s1", b"first", "text/plain")
    assert not store.insert_document(conn, STATE, "s1", b"second", "text/plain")
    found = store.get_document(conn, STATE, "s1")
    assert found is not None
    assert found.content == b"first"


def test_replace_only_writes_over_the_expected_version(conn):
    store.insert_document(conn, STATE, "s1", b"first", "text/plain")
    assert not store.replace_document(conn, STATE, "s1", b"x", "text/plain", expected_etag=content_etag(b"other"))
    assert store.replace_document(conn, STATE, "s1", b"second", "text/csv", expected_etag=content_etag(b"first"))
    found = store.get_document(conn, STATE, "s1")
    assert found is not None
    assert (found.content, found.content_type) == (b"second", "text/csv")


def test_delete_only_removes_the_expected_version(conn):
    store.insert_document(conn, STATE, "s1", b"first", "text/plain")
    assert not store.delete_document(conn, STATE, "s1", expected_etag=content_etag(b"other"))
    assert store.delete_document(conn, STATE, "s1", expected_etag=content_etag(b"first"))
    assert store.get_document(conn, STATE, "s1") is None


def test_scopes_keep_documents_apart(conn):
    scopes = [
        STATE,
        DocumentScope("state", ACTIVITY, "mbox:ann@example.org", "6f1c4b5e-2d7a-4c1e-9b3f-8a2d5c7e9f01"),
        DocumentScope("state", ACTIVITY, "mbox:bob@example.org"),
        DocumentScope("activity_profile", ACTIVITY),
        DocumentScope("agent_profile", "", "mbox:ann@example.org"),
    ]
    for index, scope in enumerate(scopes):
        store.insert_document(conn, scope, "same-id", str(index).encode(), "text/plain")
    for index, scope in enumerate(scopes):
        found = store.get_document(conn, scope, "same-id")
        assert found is not None
        assert found.content == str(index).encode()


def test_keys_cannot_be_forged_by_moving_text_between_parts():
    assert DocumentScope("state", "a", "b").key("c") != DocumentScope("state", "a", "").key("bc")
    assert DocumentScope("state", "a|b").digest != DocumentScope("state", "a", "b").digest


def test_delete_documents_empties_one_scope_only(conn):
    other = DocumentScope("state", ACTIVITY, "mbox:bob@example.org")
    for doc_id in ("a", "b"):
        store.insert_document(conn, STATE, doc_id, b"x", "text/plain")
    store.insert_document(conn, other, "a", b"x", "text/plain")
    store.delete_documents(conn, STATE)
    assert store.list_document_ids(conn, STATE) == ([], None)
    assert store.list_document_ids(conn, other)[0] == ["a"]


def test_listing_since_is_exclusive_and_reports_the_newest_update(conn):
    store.insert_document(conn, STATE, "old", b"x", "text/plain")
    old = store.get_document(conn, STATE, "old")
    assert old is not None
    store.insert_document(conn, STATE, "new", b"y", "text/plain")
    new = store.get_document(conn, STATE, "new")
    assert new is not None
    assert store.list_document_ids(conn, STATE) == (["old", "new"], new.updated)
    assert store.list_document_ids(conn, STATE, old.updated)[0] == (["new"] if new.updated > old.updated else [])
    assert store.list_document_ids(conn, STATE, new.updated - timedelta(days=1))[0] == ["old", "new"]


# ---------------------------------------------------------------------------
# Canonical Activity definitions
# ---------------------------------------------------------------------------


def test_xapi_00254_definitions_from_a_batch_merge_their_language_maps(conn):
    upsert_activity_definitions(
        conn,
        [
            {"id": ACTIVITY, "definition": {"name": {"en-US": "example meeting", "en-GB": "example meeting"}}},
            {"id": ACTIVITY, "definition": {"name": {"fr-FR": "réunion", "en-GB": "meeting"}}},
        ],
    )
    assert get_activity_definition(conn, ACTIVITY) == {
        "name": {"en-US": "example meeting", "en-GB": "meeting", "fr-FR": "réunion"}
    }


def test_later_statements_refine_the_stored_definition(conn):
    upsert_activity_definitions(conn, [{"id": ACTIVITY, "definition": {"name": {"en": "A"}, "type": "https://t/1"}}])
    upsert_activity_definitions(
        conn, [{"id": ACTIVITY, "definition": {"description": {"en": "D"}, "type": "https://t/2"}}]
    )
    assert get_activity_definition(conn, ACTIVITY) == {
        "name": {"en": "A"},
        "description": {"en": "D"},
        "type": "https://t/2",
    }


def test_activities_without_definition_or_too_long_for_the_key_are_skipped(conn):
    long_id = "https://vtc.test/" + "é" * 1100  # within 2048 characters, but over 2048 bytes
    upsert_activity_definitions(
        conn,
        [{"id": ACTIVITY}, {"id": ACTIVITY, "definition": {}}, {"id": long_id, "definition": {"type": "https://t"}}],
    )
    assert get_activity_definition(conn, ACTIVITY) is None
    assert get_activity_definition(conn, long_id) is None


def test_activities_in_finds_objects_substatements_and_context_activities(conn):
    statements = [
        {
            "object": {"id": "https://vtc.test/a", "definition": {"name": {"en": "A"}}},
            "context": {
                "contextActivities": {"parent": {"id": "https://vtc.test/p", "definition": {"type": "https://t"}}}
            },
        },
        {
            "object": {"objectType": "SubStatement", "object": {"objectType": "Activity", "id": "https://vtc.test/s"}},
            "context": {"contextActivities": {"grouping": [{"id": "https://vtc.test/g"}]}},
        },
        {"object": {"objectType": "Agent", "mbox": "mailto:a@example.org"}},
    ]
    found = [activity["id"] for activity in activities_in(statements)]
    assert found == ["https://vtc.test/a", "https://vtc.test/p", "https://vtc.test/s", "https://vtc.test/g"]
    upsert_activity_definitions(conn, activities_in(statements))
    assert get_activity_definition(conn, "https://vtc.test/p") == {"type": "https://t"}


# ---------------------------------------------------------------------------
# Migration 0002
# ---------------------------------------------------------------------------


def _alembic(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def test_migration_0002_matches_the_tables_module(database_url):
    engine = create_engine(database_url)
    with engine.connect() as connection:
        ours = MetaData()
        for table in (document, activity):
            table.to_metadata(ours)
        only_ours = {"include_name": lambda name, type_, _: type_ != "table" or name in ours.tables}
        differences = compare_metadata(MigrationContext.configure(connection, opts=only_ours), ours)
    engine.dispose()
    assert differences == []


def test_migration_downgrades_and_upgrades_again(database_url):
    engine = create_engine(database_url)
    command.downgrade(_alembic(database_url), "0001")
    try:
        tables = set(inspect(engine).get_table_names())
        assert not {"lrs_document", "lrs_activity"} & tables
        assert "lrs_statement" in tables
    finally:
        command.upgrade(_alembic(database_url), "head")
    assert {"lrs_document", "lrs_activity"} <= set(inspect(engine).get_table_names())
    engine.dispose()

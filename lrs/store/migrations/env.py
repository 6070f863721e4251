"""Alembic environment of the LRS schema (own version table, so it can share a database with the LMS)."""

from alembic import context
from sqlalchemy import create_engine

from lrs.store.tables import metadata

url = context.config.get_main_option("sqlalchemy.url") or ""
engine = create_engine(url)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table="lrs_alembic_version",
        include_name=lambda name, type_, parent: type_ != "table" or (name or "").startswith("lrs_"),
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()

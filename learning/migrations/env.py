"""Alembic environment of the LMS schema; the LRS's `lrs_` tables are migrated by the LRS itself."""

from alembic import context
from sqlalchemy import create_engine

import learning.models  # noqa: F401  (registers every model on the metadata)
from learning.db import Base

url = context.config.get_main_option("sqlalchemy.url") or ""
engine = create_engine(url)
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_name=lambda name, type_, parent: type_ != "table" or not (name or "").startswith("lrs_"),
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()

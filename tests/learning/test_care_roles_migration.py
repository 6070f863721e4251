"""Migration 0018 gives every database the region's care roles (a region run without the demo has none otherwise),
keeps labels a region already stored, and goes back down cleanly on SQLite."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from learning.db import MIGRATIONS
from learning.environments.roles import CARE_ROLES


def _alembic(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


def test_care_roles_are_inserted_when_missing_and_removed_again_on_the_way_down(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lms.db'}"
    command.upgrade(_alembic(url), "0017")
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # a demo seed before 0018 stored one role, under a label the region chose
        conn.execute(
            sa.text("INSERT INTO staff_role (code, label_nl, label_en) VALUES ('gp', 'Huisarts (eigen)', 'GP')")
        )
    command.upgrade(_alembic(url), "0018")
    with engine.connect() as conn:
        rows = {r.code: r for r in conn.execute(sa.text("SELECT code, label_nl, label_en, label_de FROM staff_role"))}
    assert set(rows) == set(CARE_ROLES)  # a frozen copy of the same rows the app and the demo use
    assert (rows["gp"].label_nl, rows["gp"].label_en, rows["gp"].label_de) == (
        "Huisarts (eigen)",
        "GP",
        CARE_ROLES["gp"][2],
    )
    assert tuple(rows["hf_nurse"])[1:] == CARE_ROLES["hf_nurse"]
    command.downgrade(_alembic(url), "0017")
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("staff_role")}
        left = list(conn.scalars(sa.text("SELECT code FROM staff_role")))
    engine.dispose()
    assert "label_de" not in columns
    assert left == []

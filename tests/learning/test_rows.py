"""A mapped object built from a Core row (learning/rows.py `persistent`) behaves as the object a query returns: in the
session and its identity map, no changes of its own, lazy relationships, changes and deletes flushed, expired on
commit and read again, kept alive while it has unflushed changes."""

from __future__ import annotations

import gc

from sqlalchemy import inspect, select, update

from learning.accounts.models import Role, User
from learning.db import db
from learning.rows import all_columns, persistent


def user_row(user_id: int):  # type: ignore[no-untyped-def]
    return db.session.connection().execute(select(*all_columns(User)).where(User.id == user_id)).one()


def change_elsewhere(app, user_id: int, **values: object) -> None:  # type: ignore[no-untyped-def]
    """As another request would: its own session, committed."""
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(**values))
        db.session.commit()
        db.session.remove()


def stored_name(app, user_id: int) -> str | None:  # type: ignore[no-untyped-def]
    """The display name as stored, read in a session of its own."""
    with app.app_context():
        name = db.session.scalar(select(User.display_name).where(User.id == user_id))
        db.session.remove()
    return name


def test_an_object_from_a_row_is_the_persistent_object_a_query_gives(app, make_user):
    user = make_user(Role.PROFESSIONAL)
    with app.test_request_context():
        loaded = persistent(User, user_row(user.id))
        state = inspect(loaded)
        assert state.persistent
        assert loaded in db.session
        assert db.session.get(User, user.id) is loaded
        assert persistent(User, user_row(user.id)) is loaded  # one object per row
        assert not db.session.dirty
        assert not state.modified
        assert loaded.team is not None  # a lazy relationship
        assert not state.expired_attributes
        db.session.remove()


def test_its_changes_are_flushed_and_a_commit_expires_it(app, make_user):
    user = make_user(Role.PATIENT)
    with app.test_request_context():
        loaded = persistent(User, user_row(user.id))
        loaded.display_name = "Nieuwe naam"
        assert loaded in db.session.dirty
        db.session.commit()
        change_elsewhere(app, user.id, display_name="Van elders")
        assert loaded.display_name == "Van elders"  # expired by the commit, read again
        db.session.remove()
    assert stored_name(app, user.id) == "Van elders"


def test_a_changed_object_is_kept_until_flushed_and_an_unchanged_one_is_let_go(app, make_user):
    first, second = make_user(Role.PATIENT), make_user(Role.PATIENT)
    with app.test_request_context():
        persistent(User, user_row(first.id)).display_name = "Bewaard"
        persistent(User, user_row(second.id))
        gc.collect()
        identities = {key[1][0] for key in db.session.identity_map}
        assert first.id in identities  # a change not flushed holds its object, as for a query's object
        assert second.id not in identities  # the identity map only refers weakly to an unchanged one
        db.session.commit()
        db.session.remove()
    assert stored_name(app, first.id) == "Bewaard"


def test_it_can_be_deleted_and_a_rollback_expires_it(app, make_user):
    kept, gone = make_user(Role.PATIENT), make_user(Role.PATIENT)
    with app.test_request_context():
        loaded = persistent(User, user_row(kept.id))
        loaded.display_name = "Niet bewaard"
        db.session.rollback()
        assert loaded.display_name != "Niet bewaard"
        db.session.delete(persistent(User, user_row(gone.id)))
        db.session.commit()
        db.session.remove()
    with app.app_context():
        assert db.session.get(User, gone.id) is None
        db.session.remove()

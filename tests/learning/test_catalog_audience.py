"""The catalogue reads only the modules of the learner's audience (learning/catalog/services.py), and shows
exactly those `can_open` allows: each learner role its own, every other role all of them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from learning.accounts.models import Role, User
from learning.catalog import services
from learning.catalog.services import can_open, get_catalog
from learning.content.models import Module
from learning.db import db
from learning.rows import column_rows


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_the_modules_it_may_open(app, make_user, content, role):
    ref = make_user(role)
    with app.test_request_context("/"):
        user = db.session.get(User, ref.id)
        assert user is not None
        shown = [entry.module.slug for entry in get_catalog(user, "nl")]
        modules = db.session.scalars(select(Module).order_by(Module.slug)).all()
        allowed = [module.slug for module in modules if can_open(user, module)]
        read = column_rows(services._PUBLISHED_MODULES, {"user_id": user.id}).all()  # what the page asks for
    assert shown == allowed
    assert len(read) == len(allowed)  # the other audiences' modules are not even read
    assert shown  # every role has modules to see
    if role in (Role.PATIENT, Role.CAREGIVER, Role.PROFESSIONAL):
        assert len(shown) < len(modules)  # not the others' modules
    else:
        assert len(shown) == len([module for module in modules if module.current_version])


def test_a_module_for_two_audiences_is_in_both_catalogues(app, make_user, content):
    with app.test_request_context("/"):
        shared = [m.slug for m in db.session.scalars(select(Module)) if m.audiences == "patient,caregiver"]
    assert shared  # the content has one (modules_content/, front matter)
    for role in (Role.PATIENT, Role.CAREGIVER):
        ref = make_user(role)
        with app.test_request_context("/"):
            user = db.session.get(User, ref.id)
            assert user is not None
            slugs = {entry.module.slug for entry in get_catalog(user, "nl")}
        assert set(shared) <= slugs

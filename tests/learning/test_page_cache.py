"""The catalogue and /progress are kept whole per what they show (learning/page_cache.py): learners in the same
situation share the markup, yet each page carries its own person's form token, address and e-mail address, and
follows their language and preferences. The check that compares every kept page with a plain render (on in the
test suite) fails a template that shows something per request outside its key."""

from __future__ import annotations

import re

import pytest
from flask import get_flashed_messages, session
from flask_login import login_user
from helpers import CSRF_INPUT, PASSWORD, log_in
from jinja2 import ChoiceLoader, DictLoader

from learning import first_reads
from learning.accounts.models import Role, User
from learning.db import db
from learning.page_cache import CHECK, EXTENSION, PageCacheMismatch, cached_page

TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


def kept(app) -> int:  # type: ignore[no-untyped-def]
    return sum(len(pages) for pages in app.extensions[EXTENSION].values())


def logged_in_client(app, user):  # type: ignore[no-untyped-def]
    client = app.test_client()
    assert log_in(client, user.email, PASSWORD, app).status_code == 302
    return client


@pytest.mark.parametrize("path", ["/", "/progress"])
def test_two_learners_in_one_situation_share_the_page_each_with_their_own_values(app, make_user, content, path):
    first = make_user(Role.PATIENT, email="eerste&co@example.test", email_confirmed_at=None)
    second = make_user(Role.PATIENT, email="tweede@example.test", email_confirmed_at=None)
    pages = {}
    for user in (first, second):
        client = logged_in_client(app, user)
        before = kept(app)
        page = client.get(path)
        assert page.status_code == 200
        pages[user.email] = (page.get_data(as_text=True), kept(app) - before)
    first_page, first_new = pages[first.email]
    second_page, second_new = pages[second.email]
    assert first_new == 1
    assert second_new == 0  # the same situation: served from what the first request kept
    assert "eerste&amp;co@example.test" in first_page
    assert "tweede@example.test" in second_page
    assert "eerste" not in second_page
    tokens = {TOKEN.findall(first_page)[0], TOKEN.findall(second_page)[0]}
    assert len(tokens) == 2  # each session its own form token
    for page in (first_page, second_page):
        assert set(CSRF_INPUT.findall(page)) == set(TOKEN.findall(page))
        assert "vtc-mark" not in page


def test_language_and_preferences_each_get_their_own_page(app, make_user, content):
    plain, large = make_user(Role.PATIENT), make_user(Role.PATIENT, text_size="large")
    german = make_user(Role.PATIENT, locale="de")
    seen = {}
    for user in (plain, large, german, plain):
        seen[user.email] = logged_in_client(app, user).get("/").get_data(as_text=True)
    assert 'class="large-text"' in seen[large.email]
    assert "large-text" not in seen[plain.email].split("<head>")[0]
    assert '<html lang="de"' in seen[german.email]
    assert '<html lang="nl"' in seen[plain.email]


def test_a_flashed_message_is_shown_once_and_that_page_is_not_kept(app, make_user, content):
    client = logged_in_client(app, make_user(Role.PATIENT))
    client.get("/")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Een bericht voor deze keer")]
    before = kept(app)
    assert "Een bericht voor deze keer" in client.get("/").get_data(as_text=True)
    assert kept(app) == before
    assert "Een bericht voor deze keer" not in client.get("/").get_data(as_text=True)


def serve_to_two(app, make_user, name: str, template: str):  # type: ignore[no-untyped-def]
    """Serve `template` through cached_page to one patient, then to a second in the same situation: return the
    first person and the second's page, or the check's error."""
    app.jinja_env.loader = ChoiceLoader([DictLoader({name: template}), app.jinja_env.loader])
    assert app.config[CHECK]
    first, second = make_user(Role.PATIENT), make_user(Role.PATIENT)
    pages = []
    for user in (first, second):
        with app.test_request_context("/"):
            login_user(db.session.get(User, user.id))
            try:
                pages.append(cached_page(name, ()))
            except PageCacheMismatch as mismatch:
                pages.append(mismatch)
            finally:
                db.session.remove()
    return first, pages


def test_the_check_fails_a_template_that_shows_something_outside_its_key(app, make_user):
    """A page that prints the person's id itself (not through the USER mark) would show the first person's id to
    the next person in the same situation: the check raises instead."""
    leaky = "{% extends 'base.html' %}{% block content %}{{ current_user.id }}{% endblock %}"
    first, (mine, theirs) = serve_to_two(app, make_user, "test/leaky.html", leaky)
    assert f">{first.id}</main>" in mine.replace("\n", "").replace(" ", "")
    assert isinstance(theirs, PageCacheMismatch)
    assert "test/leaky.html" in str(theirs)


def test_the_check_fails_a_fragment_inside_a_kept_page_that_shows_something_outside_its_key(app, make_user):
    """The check renders the fragments afresh as well: a fragment that prints the person's address itself, with a
    key that does not hold it, would otherwise look the same in both renders (found in review)."""
    leaky = (
        "{% extends 'base.html' %}{% block content %}"
        "{% call(csrf, here, user) frame_fragment('leaky') %}{{ current_user.email }}{% endcall %}{% endblock %}"
    )
    first, (mine, theirs) = serve_to_two(app, make_user, "test/leaky-fragment.html", leaky)
    assert first.email in mine
    assert isinstance(theirs, PageCacheMismatch)
    assert "test/leaky-fragment.html" in str(theirs)


def test_a_message_read_before_the_page_is_shown_and_that_page_is_not_kept(app, make_user, content):
    """Flask moves messages it has handed out from the session to the request: those count as well."""
    user = make_user(Role.PATIENT)
    with app.test_request_context("/"):
        login_user(db.session.get(User, user.id))
        session["_flashes"] = [("info", "Al gelezen bericht")]
        assert get_flashed_messages() == ["Al gelezen bericht"]
        assert "_flashes" not in session
        before = kept(app)
        assert "Al gelezen bericht" in cached_page("progress/index.html", (), rows=[], table_key=())
        assert kept(app) == before
        db.session.remove()


def test_a_first_read_of_many_rows_may_not_limit_them(app):
    """Kept rows come without their ORDER BY, so a LIMIT would keep other rows than the page's own statement."""
    from learning.progress.services import _PROGRESS

    with pytest.raises(ValueError, match="LIMIT"):
        first_reads.register("progress.index", _PROGRESS.limit(3), lambda url: {}, many=True)
    assert first_reads._READS["progress.index"].statement is _PROGRESS  # the one registered stays

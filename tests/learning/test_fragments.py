"""The header and offline texts are rendered once per language, role and text size (learning/fragments.py), yet
every page still carries its own form token, address and user id, and follows the person's language and role."""

from __future__ import annotations

import json
import re

from flask import render_template_string
from helpers import CSRF_INPUT, PASSWORD, csrf_token, log_in

from learning.accounts.models import Role
from learning.fragments import CSRF, HERE, USER

NEXT_INPUT = re.compile(r'name="next" value="([^"]*)"')


def offline_texts(page: str) -> dict[str, str]:
    found = re.search(r'<script type="application/json" id="vtc-offline-text">(.*?)</script>', page, re.S)
    assert found
    return dict(json.loads(found.group(1)))


def test_each_page_carries_its_own_address_and_session_token(app, make_user, login, client):
    user = make_user(Role.PATIENT)
    login(user)
    help_page = client.get("/help").get_data(as_text=True)
    progress = client.get("/progress?sort=a&b=%22x%22").get_data(as_text=True)
    missing = client.get('/no/"such"<page>').get_data(as_text=True)
    assert set(NEXT_INPUT.findall(help_page)) == {"/help"}
    assert set(NEXT_INPUT.findall(progress)) == {"/progress?sort=a&amp;b=%22x%22"}
    assert set(NEXT_INPUT.findall(missing)) == {"/no/&#34;such&#34;&lt;page&gt;"}  # escaped in the attribute
    token = re.search(r'"X-CSRFToken": "([^"]+)"', help_page)
    assert token
    assert set(CSRF_INPUT.findall(help_page)) == {token.group(1)}  # every header form has this session's token
    other = app.test_client()
    login_page = other.get("/login").get_data(as_text=True)
    assert set(CSRF_INPUT.findall(login_page)).isdisjoint(CSRF_INPUT.findall(help_page))
    assert offline_texts(help_page)["user"] == f"{user.id}:0"
    assert offline_texts(login_page)["user"] == ""
    for mark in (CSRF, HERE, USER):
        assert mark not in help_page
        assert mark not in login_page


def test_the_header_follows_language_role_and_text_size(app, make_user, login, client):
    login(make_user(Role.MANAGER))
    dutch = client.get("/help").get_data(as_text=True)
    assert "Dashboards</a>" in dutch
    assert "Uitloggen" in dutch
    assert 'aria-pressed="false"' in dutch
    client.post("/settings/large-text", data={"csrf_token": csrf_token(client, "/help"), "next": "/help"})
    large = client.get("/help").get_data(as_text=True)
    assert 'aria-pressed="true"' in large
    client.post("/language/de", data={"csrf_token": csrf_token(client, "/help"), "next": "/help"})
    german = client.get("/help").get_data(as_text=True)
    assert "Abmelden" in german
    assert "Uitloggen" not in german
    assert offline_texts(german)["noChoice"] != offline_texts(dutch)["noChoice"]
    patient = app.test_client()
    form = {"email": make_user(Role.PATIENT).email, "password": PASSWORD, "csrf_token": csrf_token(patient)}
    assert patient.post("/login", data=form).status_code == 302
    assert "Dashboards</a>" not in patient.get("/help").get_data(as_text=True)


def test_a_fragment_renders_its_body_once_per_key(app):
    calls: list[int] = []
    template = "{% call(csrf, here, user) frame_fragment('probe', flag) %}{{ count(flag) }}[{{ here }}]{% endcall %}"

    def count(flag: bool) -> str:
        calls.append(1)
        return "on" if flag else "off"

    with app.test_request_context("/a"):
        assert render_template_string(template, flag=True, count=count) == "on[/a]"
    with app.test_request_context("/b"):
        assert render_template_string(template, flag=True, count=count) == "on[/b]"
        assert render_template_string(template, flag=False, count=count) == "off[/b]"
    assert len(calls) == 2  # once per key (flag), not per request


def test_fragments_with_many_keys_never_push_the_page_frame_out(app, monkeypatch):
    """The catalogue's card lists take a key per learner's situation; when their own smaller cache fills up, it is
    emptied on its own and the frame's fragments stay rendered."""
    from learning import fragments

    monkeypatch.setattr(fragments, "VARIED_CACHE_SIZE", 3)
    monkeypatch.setattr(fragments, "FRAGMENT_CACHE_SIZE", 5)  # one shared cache would overflow and lose the frame
    renders: list[str] = []

    def rendered(name: str) -> str:
        renders.append(name)
        return name

    template = (
        '{% call(c, h, u) frame_fragment("frame") %}{{ note("frame") }}{% endcall %}'
        '{% call(c, h, u) frame_fragment("cards", key, many=True) %}{{ note("cards") }}{% endcall %}'
    )
    with app.test_request_context("/"):
        for key in range(10):  # ten learners' situations: the small cache is emptied twice
            render_template_string(template, note=rendered, key=key)
    assert renders.count("frame") == 1  # rendered once, kept throughout
    assert renders.count("cards") == 10


def test_the_confirm_banner_names_each_persons_own_address_escaped(app, make_user):
    """The banner is rendered once per language and role and the address put in per request: two people of the
    same role each read their own, escaped, with their own form token and this page's address."""
    seen = {}
    for email in ("o'brien+zorg@example.test", "a&b@example.test"):
        user = make_user(Role.PATIENT, email=email, email_confirmed_at=None)
        client = app.test_client()
        assert log_in(client, user.email, PASSWORD, app).status_code == 302
        page = client.get("/progress?x=1").get_data(as_text=True)
        banner = re.search(r'<aside class="confirm-bar".*?</aside>', page, re.S)
        assert banner
        seen[email] = banner.group(0)
        token = re.search(r'"X-CSRFToken": "([^"]+)"', page)
        assert token
        assert CSRF_INPUT.findall(banner.group(0)) == [token.group(1)]
        assert NEXT_INPUT.findall(banner.group(0)) == ["/progress?x=1"]
    assert "o&#39;brien+zorg@example.test" in seen["o'brien+zorg@example.test"]
    assert "a&amp;b@example.test" in seen["a&b@example.test"]
    assert "a&amp;b" not in seen["o'brien+zorg@example.test"]
    assert "vtc-mark" not in "".join(seen.values())


def test_a_page_address_holding_a_mark_keeps_it_as_it_is(app, make_user):
    """Values are put in in one pass: an address that holds a mark is not filled again with the person's e-mail
    address or id (found in review: `next` carried the address into a redirect URL)."""
    user = make_user(Role.PATIENT, email="kim@example.test", email_confirmed_at=None)
    client = app.test_client()
    assert log_in(client, user.email, PASSWORD, app).status_code == 302
    page = client.get("/progress?a=vtc-mark-email-8c1e&b=vtc-mark-user-8c1e").get_data(as_text=True)
    assert set(NEXT_INPUT.findall(page)) == {"/progress?a=vtc-mark-email-8c1e&amp;b=vtc-mark-user-8c1e"}
    assert page.count("kim@example.test") == 1  # in the banner's sentence only

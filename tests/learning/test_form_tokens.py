"""A session's form token is signed once per worker and kept (learning/form_tokens.py): the kept token is the one
the session's forms accept, and no other session's."""

from __future__ import annotations

import json
import re
import time

import flask_wtf.csrf
from helpers import csrf_token, log_in

from learning import form_tokens
from learning.accounts.models import Role


def header_token(client, path: str) -> str:
    found = re.search(r'"X-CSRFToken": "([^"]+)"', client.get(path).get_data(as_text=True))
    assert found
    return found.group(1)


def test_each_session_keeps_its_own_token_and_only_its_own_is_accepted(app, make_user):
    ann, bob = app.test_client(), app.test_client()
    for client, user in ((ann, make_user(Role.PATIENT)), (bob, make_user(Role.PATIENT))):
        assert log_in(client, user.email, app=app).status_code == 302
    ann_token, bob_token = csrf_token(ann, "/help"), csrf_token(bob, "/help")
    time.sleep(1.1)  # a new signature would carry a later second
    assert csrf_token(ann, "/progress") == ann_token  # kept: the same signature on her next page
    assert header_token(ann, "/progress") == ann_token  # also where a template asks for it (htmx's header)
    assert ann_token != bob_token
    refused = bob.post("/settings/large-text", data={"csrf_token": ann_token, "next": "/help"})
    assert refused.status_code == 400  # Ann's token is no good in Bob's session
    accepted = bob.post("/settings/large-text", data={"csrf_token": bob_token, "next": "/help"})
    assert accepted.status_code == 302


def test_with_a_time_limit_every_page_signs_afresh(make_app, make_user):
    """A deployment that gives tokens a time limit gets Flask-WTF's own behaviour: a new signature per request."""
    app = make_app(WTF_CSRF_TIME_LIMIT=3600)
    client = app.test_client()
    assert log_in(client, make_user(Role.PATIENT).email, app=app).status_code == 302
    first = csrf_token(client, "/help")
    time.sleep(1.1)  # signatures carry whole seconds
    assert csrf_token(client, "/help") != first


class SignatureChecks:
    """Counts Flask-WTF's signature checks (its validate_csrf, called through as is)."""

    def __init__(self, monkeypatch) -> None:
        self.count = 0
        original = flask_wtf.csrf.validate_csrf

        def counted(*args, **kwargs):
            self.count += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(flask_wtf.csrf, "validate_csrf", counted)


def large_text(client, token: str, **options):
    return client.post("/settings/large-text", data={"csrf_token": token, "next": "/help"}, **options)


def test_a_kept_token_is_not_verified_again_and_a_token_from_elsewhere_once(app, make_user, monkeypatch):
    client = app.test_client()
    assert log_in(client, make_user(Role.PATIENT).email, app=app).status_code == 302
    token = csrf_token(client, "/help")
    checks = SignatureChecks(monkeypatch)
    assert large_text(client, token).status_code == 302
    assert checks.count == 0  # this worker signed it for this session
    form_tokens._signed.clear()  # as if another worker had shown the form
    assert large_text(client, token).status_code == 302
    assert checks.count == 1  # verified once, then kept
    assert large_text(client, token).status_code == 302
    assert checks.count == 1
    assert large_text(client, token[:-2] + ("AA" if not token.endswith("AA") else "BB")).status_code == 400
    assert checks.count == 2  # a token not kept gets the full check, and fails it


def test_a_kept_token_over_https_still_needs_a_referrer_of_this_host(app, make_user):
    client = app.test_client()
    assert log_in(client, make_user(Role.PATIENT).email, app=app).status_code == 302
    token = csrf_token(client, "/help")
    https = {"base_url": "https://localhost"}
    assert large_text(client, token, **https).status_code == 400  # no referrer
    assert large_text(client, token, headers={"Referer": "https://elsewhere.test/"}, **https).status_code == 400
    assert large_text(client, token, headers={"Referer": "https://localhost/help"}, **https).status_code == 302


def test_an_exempt_api_keeps_its_form_encoded_body_when_the_browser_has_a_session(app, make_user, lrs_auth):
    """The LRS reads its documents' raw bodies and is exempt from the form token. The kept-token check once read the
    form (and so the body) before looking at exemptions: a state document sent form-encoded by content in the same
    browser (which carries the LMS session) was stored empty."""
    client = app.test_client()
    assert log_in(client, make_user(Role.PATIENT).email, app=app).status_code == 302
    csrf_token(client, "/help")  # the session now holds a raw form token
    agent = json.dumps({"account": {"homePage": "https://vtc.example.test", "name": "learner-1"}})
    query = {"activityId": "http://x.test/a", "agent": agent, "stateId": "s"}
    form = {**lrs_auth, "Content-Type": "application/x-www-form-urlencoded"}
    stored = client.put("/xapi/activities/state", query_string=query, headers=form, data=b"answer=3&step=2")
    assert stored.status_code == 204
    assert client.get("/xapi/activities/state", query_string=query, headers=lrs_auth).get_data() == b"answer=3&step=2"

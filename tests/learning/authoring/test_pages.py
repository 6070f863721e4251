"""The authoring and review pages through the real HTTP app: roles, saves, conflicts, review preview, banner."""

from __future__ import annotations

import re

from helpers import csrf_token

from learning.accounts.models import Role
from learning.authoring.models import Draft
from learning.db import db

SLUG = "elke-dag-wegen-hartfalen"


def post(client, path, data, **kwargs):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/help")}, **kwargs)


def logout(client):
    post(client, "/logout", {})


def new_draft(client) -> int:
    response = post(client, f"/author/modules/{SLUG}/draft", {})
    assert response.status_code == 302
    return int(re.search(r"/author/drafts/(\d+)/nl", response.headers["Location"]).group(1))


def test_an_author_writes_saves_and_sends_a_draft_and_a_reviewer_approves_it(client, login, make_user, content):
    author, reviewer = make_user(Role.AUTHOR), make_user(Role.REVIEWER)
    login(author)
    assert "/author/" in client.get("/help").get_data(as_text=True)  # the menu leads to the workspace
    draft_id = new_draft(client)
    page = client.get(f"/author/drafts/{draft_id}/nl").get_data(as_text=True)
    source = re.search(r'<textarea[^>]*name="source"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)
    saved = post(client, f"/author/drafts/{draft_id}/nl", {"source": "x" + source, "revision": revision},
                 headers={"Accept": "application/json"})  # fmt: skip
    assert saved.status_code == 200
    assert saved.get_json()["revision"] == int(revision) + 1
    stale = post(client, f"/author/drafts/{draft_id}/nl", {"source": "mine", "revision": revision})
    assert stale.status_code == 409
    body = stale.get_data(as_text=True)
    assert 'role="alert"' in body
    assert ">mine</textarea>" in body  # what they typed is kept beside the saved text
    stale_json = post(client, f"/author/drafts/{draft_id}/nl", {"source": "mine", "revision": revision},
                      headers={"Accept": "application/json"})  # fmt: skip
    assert stale_json.status_code == 409
    assert stale_json.get_json()["yours"] == "mine"
    refused = post(client, f"/author/drafts/{draft_id}/submit", {})
    assert refused.status_code == 400  # "x---" is no front matter: the problems are listed
    assert "front matter" in refused.get_data(as_text=True)
    post(client, f"/author/drafts/{draft_id}/nl", {"source": source.replace("&#34;", '"').replace("&#39;", "'")
         .replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"), "revision": int(revision) + 1})  # fmt: skip
    assert post(client, f"/author/drafts/{draft_id}/submit", {}).status_code == 302
    assert client.get("/review/").status_code == 403
    logout(client)
    login(reviewer)
    queue = client.get("/review/").get_data(as_text=True)
    assert f"/review/drafts/{draft_id}/nl/1" in queue
    empty = post(client, f"/review/drafts/{draft_id}/nl/1/comment", {"message": " "})
    assert empty.status_code == 400
    assert 'role="alert"' in empty.get_data(as_text=True)
    assert (
        post(client, f"/review/drafts/{draft_id}/nl/2/comment", {"message": "Korter <b>graag</b>"}).status_code == 302
    )
    assert post(client, f"/review/drafts/{draft_id}/decision", {"decision": "approve"}).status_code == 302
    logout(client)
    login(author)
    editor = client.get(f"/author/drafts/{draft_id}/nl").get_data(as_text=True)
    assert "Korter &lt;b&gt;graag&lt;/b&gt;" in editor  # the comment beside the text, escaped
    published = post(client, f"/author/drafts/{draft_id}/publish", {})
    assert published.status_code == 302
    history = client.get(f"/author/modules/{SLUG}/").get_data(as_text=True)
    assert "Cursisten zien deze versie" in history  # the new version, in the Dutch interface of a new account


def test_the_review_preview_starts_no_attempt_and_sends_no_statement(client, login, make_user, content, lrs_auth, app):
    author, reviewer = make_user(Role.AUTHOR), make_user(Role.REVIEWER)
    login(author)
    draft_id = new_draft(client)
    assert post(client, f"/author/drafts/{draft_id}/submit", {}).status_code == 302
    logout(client)
    login(reviewer)
    before = client.get("/xapi/statements", headers=lrs_auth).get_json()["statements"]
    pages = 0
    number = 1
    while True:
        response = client.get(f"/review/drafts/{draft_id}/nl/{number}")
        if response.status_code == 404:
            break
        assert response.status_code == 200
        assert "<form" in response.get_data(as_text=True)
        pages += 1
        number += 1
    assert pages > 3
    after = client.get("/xapi/statements", headers=lrs_auth).get_json()["statements"]
    assert after == before
    with app.app_context():
        from learning.player.models import Attempt

        assert db.session.scalar(db.select(db.func.count(Attempt.id))) == 0
        assert db.session.get(Draft, draft_id) is not None


def test_a_learner_sees_the_no_clinician_banner_on_every_step(client, login, make_user, content):
    login(make_user(Role.PATIENT))
    post(client, f"/modules/{SLUG}/start", {})
    for number in (1, 2):
        page = client.get(f"/modules/{SLUG}/step/{number}").get_data(as_text=True)
        assert 'class="review-banner"' in page
    assert 'class="review-banner"' in client.get(f"/modules/{SLUG}/").get_data(as_text=True)


def test_learners_do_not_reach_an_unapproved_module_step_or_picture(client, login, make_user, app):
    from pathlib import Path

    from learning.content.services import load_content

    with app.app_context():
        load_content(Path(app.config["CONTENT_DIR"]))
    login(make_user(Role.PATIENT))
    assert SLUG not in client.get("/").get_data(as_text=True)
    assert client.get(f"/modules/{SLUG}/").status_code == 404
    assert client.post(f"/modules/{SLUG}/start", data={"csrf_token": csrf_token(client, "/help")}).status_code == 404
    assert client.get(f"/modules/{SLUG}/step/1").status_code == 404
    assert client.get(f"/modules/{SLUG}/media/weegschaal.svg").status_code == 404


def test_a_patient_or_reviewer_cannot_write_and_an_author_cannot_review(client, login, make_user, content):
    login(make_user(Role.PATIENT))
    assert client.get("/author/").status_code == 403
    assert post(client, "/author/drafts", {"slug": "x", "audience": "patient"}).status_code == 403
    logout(client)
    login(make_user(Role.REVIEWER))
    assert client.get("/author/").status_code == 200  # reviewers read drafts and history
    assert post(client, "/author/drafts", {"slug": "x", "audience": "patient"}).status_code == 403
    logout(client)
    login(make_user(Role.AUTHOR))
    assert client.get("/review/").status_code == 403
    bad = post(client, "/author/drafts", {"slug": "Geen Slug", "audience": "patient"})
    assert bad.status_code == 400
    assert 'role="alert"' in bad.get_data(as_text=True)
    assert 'value="Geen Slug"' in bad.get_data(as_text=True)


def test_a_learner_mid_way_keeps_the_version_and_pictures_they_started(client, login, make_user, content, app):
    from learning.accounts.models import User
    from learning.authoring import workflow
    from learning.authoring.services import create_from_published, draft_sources, save_file

    patient = make_user(Role.PATIENT)
    login(patient)
    post(client, f"/modules/{SLUG}/start", {})
    old_picture = client.get(f"/modules/{SLUG}/media/weegschaal.svg")
    assert old_picture.status_code == 200
    with app.app_context():
        author = db.session.get(User, make_user(Role.AUTHOR).id)
        reviewer = db.session.get(User, make_user(Role.REVIEWER).id)
        draft = create_from_published(SLUG, author)
        text = draft_sources(draft)["nl"].replace("## Waarom elke dag wegen?", "## Nieuwe titel van stap 1")
        save_file(draft, "nl.md", text.encode(), draft.revision, author)
        save_file(draft, "weegschaal.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", draft.revision, author)
        workflow.submit(draft, author)
        workflow.approve(draft, reviewer)
        workflow.publish(draft, author)
    step = client.get(f"/modules/{SLUG}/step/1").get_data(as_text=True)
    assert "Waarom elke dag wegen?" in step
    assert "Nieuwe titel van stap 1" not in step
    assert client.get(f"/modules/{SLUG}/media/weegschaal.svg").data == old_picture.data
    logout(client)
    login(make_user(Role.PATIENT))  # a learner starting now gets the new version
    post(client, f"/modules/{SLUG}/start", {})
    assert "Nieuwe titel van stap 1" in client.get(f"/modules/{SLUG}/step/1").get_data(as_text=True)
    assert client.get(f"/modules/{SLUG}/media/weegschaal.svg").data == b"<svg xmlns='http://www.w3.org/2000/svg'/>"

"""The workspace list: titles in the reader's language, my drafts first, what waits for a reviewer first, and the
state of each draft (being written, sent for review, sent back, approved)."""

from __future__ import annotations

from pathlib import Path

from analysis_helpers import SLUG, write_module
from helpers import FIXTURE_APPROVER

from learning.authoring import workflow
from learning.authoring.services import create_from_published, create_from_template, draft_sources, save_file
from learning.authoring.workspace import workspace
from learning.content.services import load_content


def test_titles_my_drafts_first_review_first_and_states(actx, tmp_path: Path):
    write_module(tmp_path, "1.0.0")
    load_content(tmp_path, FIXTURE_APPROVER)
    author, other, reviewer = actx("author"), actx("author2"), actx("reviewer")
    waiting = create_from_published(SLUG, other)
    workflow.submit(waiting, other)
    own_new = create_from_template("nieuwe-oefening", "patient", author)
    edited = create_from_published(SLUG, other)
    save_file(edited, "nl.md", draft_sources(edited)["nl"].encode() + b"\nExtra.\n", edited.revision, author)
    returned = create_from_published(SLUG, other)
    workflow.submit(returned, other)
    workflow.send_back(returned, reviewer, "Maak stap 2 korter.")
    approved = create_from_published(SLUG, other)
    workflow.submit(approved, other)
    workflow.approve(approved, reviewer)

    mine = workspace(author, "nl")
    assert mine.to_review == []  # an author reviews nothing
    assert {row.draft.id for row in mine.mine} == {own_new.id, edited.id}  # created or edited by me
    assert next(row.draft.id for row in mine.mine) == edited.id  # the newest change first
    assert {row.draft.id for row in mine.others} == {waiting.id, returned.id, approved.id}
    states = {row.draft.id: row.state for row in mine.mine + mine.others}
    assert states == {own_new.id: "draft", edited.id: "draft", waiting.id: "submitted", returned.id: "sent_back",
                      approved.id: "approved"}  # fmt: skip
    titles = {row.draft.id: row.title for row in mine.mine + mine.others}
    assert titles[own_new.id] == "Nieuwe module"
    assert titles[waiting.id] == "Oefenen met meten"
    assert [(m.title, m.shown_version) for m in mine.modules] == [("Oefenen met meten", "1.0.0")]

    english = workspace(author, "en")
    assert next(r.title for r in english.mine if r.draft.id == own_new.id) == "New module"
    assert next(r.title for r in english.others if r.draft.id == waiting.id) == "Oefenen met meten"  # no English

    review = workspace(reviewer, "nl")
    assert [row.draft.id for row in review.to_review] == [waiting.id]  # waiting for review: listed first
    assert waiting.id not in {row.draft.id for row in review.others}


def test_a_reviewer_sees_the_queue_first_in_the_page(client, login, make_user, app, tmp_path: Path):
    from learning.accounts.models import Role, User
    from learning.db import db

    other, reviewer = make_user(Role.AUTHOR), make_user(Role.REVIEWER)
    with app.app_context():
        write_module(tmp_path, "1.0.0")
        load_content(tmp_path, FIXTURE_APPROVER)
        draft = create_from_published(SLUG, db.session.get(User, other.id))
        workflow.submit(draft, db.session.get(User, other.id))
        draft_id = draft.id
    login(reviewer)
    html = client.get("/author/").get_data(as_text=True)
    assert html.index("Wacht op jouw beoordeling") < html.index("Mijn concepten")
    assert "Oefenen met meten" in html
    assert f">{SLUG}<" not in html
    queue = client.get("/review/").get_data(as_text=True)
    assert "Oefenen met meten</a>" in queue  # the queue names the draft by its title
    review = client.get(f"/review/drafts/{draft_id}/nl/1").get_data(as_text=True)
    assert "<h1>Oefenen met meten <small>" in review  # and so does the page of the draft
    assert f"<h1>{SLUG}" not in review

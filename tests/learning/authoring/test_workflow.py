"""The review workflow's rules, called as services: who may do what, stale saves, approvals of exact content."""

from __future__ import annotations

import pytest

from app import ROOT
from learning.authoring import workflow
from learning.authoring.models import DraftStatus
from learning.authoring.services import (
    AuthoringError,
    NotAllowed,
    StaleSave,
    create_from_published,
    create_from_template,
    draft_hash,
    draft_media,
    draft_sources,
    save_file,
)
from learning.catalog.services import get_catalog
from learning.content.models import ModuleApproval, ModuleText
from learning.content.publishing import folder_files
from learning.content.services import get_module, load_content
from learning.db import db

SLUG = "elke-dag-wegen-hartfalen"
REAL = ROOT / "modules_content"


def submitted(who, slug="nieuw-module", audience="patient"):
    draft = create_from_template(slug, audience, who("author"))
    return workflow.submit(draft, who("author"))


def test_every_starter_passes_the_checks_so_it_can_be_sent_at_once(actx):
    for audience in ("patient", "caregiver", "professional"):
        draft = create_from_template(f"start-{audience}", audience, actx("author"))
        assert workflow.check_draft(draft) == []
        assert set(draft_sources(draft)) == {"nl", "en"}


def test_an_author_cannot_approve_their_own_draft_not_even_as_admin(actx):
    draft = create_from_template("eigen-module", "patient", actx("admin"))
    workflow.submit(draft, actx("admin"))
    with pytest.raises(AuthoringError, match="another reviewer"):
        workflow.approve(draft, actx("admin"))
    assert draft.status is DraftStatus.SUBMITTED
    workflow.approve(draft, actx("reviewer"))
    assert draft.status is DraftStatus.APPROVED


def test_an_editor_of_the_draft_cannot_approve_it_either(actx):
    draft = create_from_template("samen-module", "patient", actx("author"))
    text = draft_sources(draft)["nl"]
    save_file(draft, "nl.md", text.replace("Nieuwe module", "Samen").encode(), draft.revision, actx("admin"))
    workflow.submit(draft, actx("author"))
    with pytest.raises(AuthoringError, match="another reviewer"):
        workflow.approve(draft, actx("admin"))


def test_roles_only_authors_edit_only_reviewers_approve(actx):
    with pytest.raises(NotAllowed):
        create_from_template("x-module", "patient", actx("reviewer"))
    draft = submitted(actx)
    with pytest.raises(NotAllowed):
        workflow.approve(draft, actx("author2"))
    with pytest.raises(NotAllowed):
        save_file(draft, "nl.md", b"x", draft.revision, actx("reviewer"))
    with pytest.raises(NotAllowed):
        workflow.publish(draft, actx("patient"))


def test_a_stale_save_is_refused_and_keeps_both_texts(actx):
    draft = create_from_template("twee-auteurs", "patient", actx("author"))
    opened = draft.revision
    first = draft_sources(draft)["nl"].replace("Nieuwe module", "Versie van Anna")
    save_file(draft, "nl.md", first.encode(), opened, actx("author"))
    second = draft_sources(draft)["nl"].replace("Versie van Anna", "Versie van Bas")
    with pytest.raises(StaleSave) as refused:
        save_file(draft, "nl.md", second.encode(), opened, actx("author2"))
    assert refused.value.theirs == first
    assert refused.value.yours == second
    assert refused.value.revision == opened + 1
    assert draft_sources(draft)["nl"] == first  # nothing overwritten


def test_an_edit_after_approval_needs_a_new_approval(actx):
    draft = submitted(actx)
    workflow.approve(draft, actx("reviewer"))
    text = draft_sources(draft)["nl"].replace("Wat ga je doen?", "Wat doe je?")
    save_file(draft, "nl.md", text.encode(), draft.revision, actx("author"))
    assert draft.status is DraftStatus.EDITING
    with pytest.raises(AuthoringError, match="approved"):
        workflow.publish(draft, actx("author"))
    workflow.submit(draft, actx("author"))
    workflow.approve(draft, actx("reviewer"))
    assert workflow.publish(draft, actx("author")) == "0.1.0"


def test_a_draft_with_problems_cannot_be_sent_for_review(actx):
    draft = create_from_template("kapot-module", "patient", actx("author"))
    save_file(draft, "nl.md", b"no front matter", draft.revision, actx("author"))
    with pytest.raises(AuthoringError) as refused:
        workflow.submit(draft, actx("author"))
    assert any(p.path == "nl.md" for p in refused.value.problems)


def test_send_back_needs_a_reason_and_returns_the_draft_to_its_authors(actx):
    draft = submitted(actx)
    workflow.comment(draft, actx("reviewer"), "nl", 1, "Stap 1 is te lang.")
    with pytest.raises(AuthoringError):
        workflow.send_back(draft, actx("reviewer"), "  ")
    workflow.send_back(draft, actx("reviewer"), "Zie opmerkingen.")
    assert draft.status is DraftStatus.EDITING
    kinds = [(e.kind, e.user_id) for e in draft.events]
    assert [k for k, _ in kinds] == ["created", "submitted", "comment", "sent_back"]
    assert all(e.at is not None for e in draft.events)


def test_publish_creates_an_immutable_version_that_records_its_reviewer(actx, content):
    module = get_module(SLUG)
    old = module.current_version
    old_text = db.session.scalar(
        db.select(ModuleText.source).where(ModuleText.module_id == module.id, ModuleText.version == old,
                                           ModuleText.language == "nl"))  # fmt: skip
    draft = create_from_published(SLUG, actx("author"))
    text = draft_sources(draft)["nl"].replace("## ", "## Nieuw: ", 1)
    save_file(draft, "nl.md", text.encode(), draft.revision, actx("author"))
    workflow.submit(draft, actx("author"))
    workflow.approve(draft, actx("reviewer"))
    version = workflow.publish(draft, actx("author"))
    major, minor, _ = (int(x) for x in old.split("."))
    assert version == f"{major}.{minor + 1}.0"
    assert module.current_version == version
    new_text = db.session.scalar(
        db.select(ModuleText.source).where(ModuleText.module_id == module.id, ModuleText.version == version,
                                           ModuleText.language == "nl"))  # fmt: skip
    assert "## Nieuw: " in new_text
    assert "review: reviewed\n" in new_text
    assert 'reviewed_by: "reviewer-' in new_text
    assert "reviewed_at: " in new_text
    assert actx("reviewer").email not in new_text
    approval = db.session.scalar(db.select(ModuleApproval).where(ModuleApproval.version == version))
    assert approval.reviewer_id == actx("reviewer").id
    stored_old = db.session.scalar(
        db.select(ModuleText.source).where(ModuleText.module_id == module.id, ModuleText.version == old,
                                           ModuleText.language == "nl"))  # fmt: skip
    assert stored_old == old_text  # the earlier version is untouched
    with pytest.raises(AuthoringError):
        save_file(draft, "nl.md", b"later", draft.revision, actx("author"))  # a published draft is read-only


def test_learners_see_only_approved_versions(actx, tmp_path):
    load_content(REAL)  # the git path without an approval
    assert get_module(SLUG).current_version == ""
    assert get_catalog(actx("patient"), "nl") == []
    draft = create_from_published(SLUG, actx("author"))
    workflow.submit(draft, actx("author"))
    workflow.approve(draft, actx("reviewer"))
    version = workflow.publish(draft, actx("author"))
    assert [entry.module.slug for entry in get_catalog(actx("patient"), "nl")] == [SLUG]
    assert get_module(SLUG).current_version == version


def test_draft_media_and_sources_split_the_folder(actx, content):
    draft = create_from_published(SLUG, actx("author"))
    files = folder_files(REAL / SLUG)
    assert set(draft_sources(draft)) == {"nl", "en"}
    assert draft_media(draft) == {p: d for p, d in files.items() if not p.endswith(".md")}
    assert draft_hash(draft)

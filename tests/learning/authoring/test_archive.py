"""Zip import and export, `flask content export`, and the round trip folder -> web -> publish -> folder."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from app import ROOT
from learning.authoring import workflow
from learning.authoring.archive import MAX_FILES, import_zip, read_zip, to_zip
from learning.authoring.history import diff
from learning.authoring.services import AuthoringError, draft_files
from learning.content.publishing import folder_files

REAL = ROOT / "modules_content"
SLUGS = sorted(p.name for p in REAL.iterdir() if (p / "nl.md").is_file())
STAMPED = re.compile(r"^(version|review|reviewed_by|reviewed_at): ")


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("slug", SLUGS)
def test_round_trip_folder_web_publish_export_keeps_every_byte(actx, runner, tmp_path, slug):
    original = folder_files(REAL / slug)
    draft = import_zip(to_zip(slug, original), actx("author"))
    assert draft_files(draft) == original  # the draft is the folder, byte for byte
    assert read_zip(to_zip(slug, draft_files(draft))) == (slug, original)  # and so is its zip
    workflow.submit(draft, actx("author"))
    workflow.approve(draft, actx("reviewer"))
    version = workflow.publish(draft, actx("author"))
    result = runner.invoke(args=["content", "export", slug, "--to", str(tmp_path)])
    assert result.exit_code == 0, result.output
    exported = {p.relative_to(tmp_path / slug).as_posix(): p.read_bytes() for p in (tmp_path / slug).rglob("*")}
    assert exported.keys() == original.keys()
    for path, data in original.items():
        if not path.endswith(".md"):
            assert exported[path] == data, path
            continue
        old, new = data.decode().splitlines(keepends=True), exported[path].decode().splitlines(keepends=True)
        # only the approval's own lines differ: the version, review: reviewed, who and when
        assert [line for line in old if not STAMPED.match(line)] == [line for line in new if not STAMPED.match(line)]
        assert f"version: {version}\n" in new
        assert "review: reviewed\n" in new


def test_an_import_refuses_what_a_module_folder_cannot_hold(actx):
    nl = (REAL / "elke-dag-wegen-hartfalen" / "nl.md").read_bytes()
    cases = {
        "points outside": {"m/../evil.md": b"x", "m/nl.md": nl},
        "not a file a module can hold": {"m/nl.md": nl, "m/run.sh": b"#!/bin/sh"},
        "exactly one module folder": {"a/nl.md": nl, "b/nl.md": nl},
        "no nl.md": {"m/en.md": nl},
        "not a zip": None,
    }
    for reason, entries in cases.items():
        data = b"plain text" if entries is None else zipped(entries)
        with pytest.raises(AuthoringError, match=reason):
            import_zip(data, actx("author"))
    too_many = {f"m/p{i}.svg": b"<svg/>" for i in range(MAX_FILES + 1)} | {"m/nl.md": nl}
    with pytest.raises(AuthoringError, match="more than"):
        read_zip(zipped(too_many))


def test_a_diff_escapes_html_and_marks_lines(app):
    with app.test_request_context():
        changes = diff({"nl.md": b"a\n<script>x</script>\n"}, {"nl.md": b"a\n<img src=x onerror=alert(1)>\n"})
    html = str(changes[0].html)
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'class="diff-added"' in html
    assert 'class="diff-removed"' in html


def test_content_load_without_approval_hides_and_approve_as_shows(app, runner, make_user):
    from learning.accounts.models import Role
    from learning.content.services import get_module
    from learning.db import db

    reviewer = make_user(Role.REVIEWER)
    result = runner.invoke(args=["content", "load"])
    assert result.exit_code == 0, result.output
    assert "Not shown to learners" in result.output
    with app.app_context():
        assert get_module("elke-dag-wegen-hartfalen").current_version == ""
        db.session.remove()
    refused = runner.invoke(args=["content", "approve", "--as", make_user(Role.AUTHOR).email])
    assert refused.exit_code != 0
    assert "no reviewer" in refused.output
    result = runner.invoke(args=["content", "approve", "--as", reviewer.email])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert get_module("elke-dag-wegen-hartfalen").current_version != ""


def test_export_writes_the_folder_of_an_approved_version(runner, content, tmp_path: Path):
    result = runner.invoke(args=["content", "export", "bloeddruk-thuis-meten", "--to", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert folder_files(tmp_path / "bloeddruk-thuis-meten") == folder_files(REAL / "bloeddruk-thuis-meten")
    assert runner.invoke(args=["content", "export", "geen-module", "--to", str(tmp_path)]).exit_code != 0


def test_the_demo_seed_approves_loaded_modules_as_the_demo_reviewer_who_is_no_clinician(app, runner):
    from sqlalchemy import select

    from learning.content.models import Module, ModuleApproval
    from learning.db import db

    assert runner.invoke(args=["content", "load"]).exit_code == 0
    result = runner.invoke(args=["demo", "seed", "--scale", "0.02"])
    assert result.exit_code == 0, result.output
    assert "as the demo reviewer" in result.output
    with app.app_context():
        modules = db.session.scalars(select(Module)).all()
        assert modules
        assert all(module.current_version for module in modules)
        approvals = db.session.scalars(select(ModuleApproval)).all()
        assert len(approvals) == len(modules)
        assert not any(approval.clinical for approval in approvals)  # every step shows the banner

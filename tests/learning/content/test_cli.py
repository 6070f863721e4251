"""`flask content check|load` through Flask's CLI runner, on the real modules and on broken trees in tmp_path."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from sqlalchemy import func, select

from app import ROOT
from learning.content.models import Module, ModuleText
from learning.db import db

REAL = ROOT / "modules_content"
MODULES = len([folder for folder in REAL.iterdir() if (folder / "nl.md").is_file()])
PROBLEM_LINE = re.compile(r"^(?P<path>.+?\.md|.+?):(?P<line>\d+): (?P<message>\S.*)$")


def problem_lines(stderr: str) -> list[tuple[str, int, str]]:
    """Every problem line of the output as (path, line, message); any other line but click's summary fails."""
    found = []
    for raw in stderr.splitlines():
        if raw.startswith("Error: "):
            continue
        match = PROBLEM_LINE.match(raw)
        assert match, f"not a 'path:line: problem' line: {raw!r}"
        found.append((match["path"], int(match["line"]), match["message"]))
    return found


def counts(app) -> tuple[int, int]:
    with app.app_context():
        modules = db.session.scalar(select(func.count()).select_from(Module))
        texts = db.session.scalar(select(func.count()).select_from(ModuleText))
        db.session.remove()
    return modules or 0, texts or 0


def broken_tree(tmp_path: Path, write_module, nl_text, en_text, line_of):
    """One good module and one with four mistakes in two files (one bad YAML); returns root, expected problems."""
    root = tmp_path / "modules"
    write_module("goede-module", root=root)
    nl = (
        nl_text.replace("::: tip", "::: foo")
        .replace("![Een weegschaal op een harde vloer.]", "![]")
        .replace('    feedback: "Nee. Weeg jezelf \'s ochtends."', "   feedback: [kapot")
    )
    en = en_text.replace("(weegschaal.svg)", "(gone.svg)")
    folder = write_module("kapotte-module", nl=nl, en=en, root=root)
    expected = {
        (str(folder / "nl.md"), line_of(nl, "::: foo")),
        (str(folder / "nl.md"), line_of(nl, "![](weegschaal.svg)")),
        (str(folder / "nl.md"), line_of(nl, "   feedback: [kapot")),
        (str(folder / "en.md"), line_of(en, "gone.svg")),
    }
    return root, expected


def test_check_real_modules_exits_zero(runner):
    result = runner.invoke(args=["content", "check", str(REAL)])
    assert result.exit_code == 0, result.output
    assert "All modules are fine." in result.stdout
    assert result.stderr == ""


def test_check_without_path_uses_the_configured_folder(runner, app):
    assert Path(app.config["CONTENT_DIR"]) == REAL
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "All modules are fine." in result.stdout


def test_check_broken_tree_prints_path_line_problem(runner, tmp_path, write_module, nl_text, en_text, line_of):
    root, expected = broken_tree(tmp_path, write_module, nl_text, en_text, line_of)

    result = runner.invoke(args=["content", "check", str(root)])

    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), "a clean exit, not a traceback"
    assert "All modules are fine." not in result.output
    problems = problem_lines(result.stderr)
    assert {(path, line) for path, line, _ in problems} == expected
    assert len(problems) == len(expected)
    messages = " | ".join(message for _, _, message in problems)
    for fragment in ("unknown block '::: foo'", "no alt text", "not valid YAML", "'gone.svg' does not exist"):
        assert fragment in messages
    assert f"{len(expected)} problem(s) found" in result.stderr
    assert "goede-module" not in result.stderr


def test_check_missing_folder_says_so(runner, tmp_path):
    missing = tmp_path / "bestaat-niet"
    result = runner.invoke(args=["content", "check", str(missing)])
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception
    ((path, line, message),) = problem_lines(result.stderr)
    assert (path, line) == (str(missing), 1)
    assert "not found" in message


def test_load_broken_tree_stores_nothing(runner, app, tmp_path, write_module, nl_text, en_text, line_of):
    root, expected = broken_tree(tmp_path, write_module, nl_text, en_text, line_of)

    result = runner.invoke(args=["content", "load", str(root)])

    assert result.exit_code != 0
    assert "modules not loaded" in result.stderr
    assert {(path, line) for path, line, _ in problem_lines(result.stderr)} == expected
    assert counts(app) == (0, 0), "not even the good module is stored"


def test_load_real_modules_then_again(runner, app):
    first = runner.invoke(args=["content", "load", str(REAL)])
    assert first.exit_code == 0, first.output
    assert f"{MODULES} new, 0 updated, 0 unchanged" in first.stdout
    assert counts(app) == (MODULES, 2 * MODULES)

    second = runner.invoke(args=["content", "load"])
    assert second.exit_code == 0, second.output
    assert f"0 new, 0 updated, {MODULES} unchanged" in second.stdout
    assert counts(app) == (MODULES, 2 * MODULES)


def test_load_refuses_a_change_without_bump_and_keeps_the_old_text(runner, app, tmp_path):
    root = tmp_path / "content"
    shutil.copytree(REAL, root)
    assert runner.invoke(args=["content", "load", str(root)]).exit_code == 0
    path = root / "naaste-helpen-thuismeten" / "en.md"
    path.write_text(path.read_text(encoding="utf-8").replace("\n```likert", "\nOne more line.\n\n```likert"))

    result = runner.invoke(args=["content", "load", str(root)])

    assert result.exit_code != 0
    ((where, line, message),) = problem_lines(result.stderr)
    assert where.endswith("naaste-helpen-thuismeten/en.md")
    assert line == 1
    assert "bump" in message
    assert counts(app) == (MODULES, 2 * MODULES)

    for language in ("nl", "en"):
        file = root / "naaste-helpen-thuismeten" / f"{language}.md"
        text = file.read_text(encoding="utf-8")
        version = re.search(r"^version: (\d+)\.(\d+)\.(\d+)$", text, re.MULTILINE)
        assert version is not None
        major, minor, patch = version.groups()
        file.write_text(text.replace(version.group(0), f"version: {major}.{minor}.{int(patch) + 1}"))
    bumped = runner.invoke(args=["content", "load", str(root)])
    assert bumped.exit_code == 0, bumped.output
    assert f"0 new, 1 updated, {MODULES - 1} unchanged" in bumped.stdout
    assert counts(app) == (MODULES, 2 * MODULES + 2)


def test_check_of_one_module_folder_runs_the_checks_load_runs(
    runner, tmp_path, write_module, nl_text, en_text, line_of
):
    # regression: `check DIR` on a module's own folder found no module under it and said "All modules are fine"
    # while `load` of the same module refused it
    root, expected = broken_tree(tmp_path, write_module, nl_text, en_text, line_of)
    folder = root / "kapotte-module"
    checked = runner.invoke(args=["content", "check", str(folder)])
    loaded = runner.invoke(args=["content", "load", str(folder)])
    assert checked.exit_code == loaded.exit_code == 1
    assert "All modules are fine." not in checked.stdout
    assert {(path, line) for path, line, _ in problem_lines(checked.stderr)} == expected
    assert problem_lines(checked.stderr) == problem_lines(loaded.stderr)


def test_check_reports_a_changed_text_without_a_version_bump_as_load_does(runner, app, tmp_path, write_module, nl_text):
    root = tmp_path / "modules"
    write_module("weeg-test", root=root)
    assert runner.invoke(args=["content", "load", str(root)]).exit_code == 0
    write_module("weeg-test", nl=nl_text.replace("Ook als je je goed voelt.", "Ook als je je prima voelt."), root=root)
    checked = runner.invoke(args=["content", "check", str(root)])
    loaded = runner.invoke(args=["content", "load", str(root)])
    assert checked.exit_code == loaded.exit_code == 1
    (problem,) = problem_lines(checked.stderr)
    assert problem == (
        str(root / "weeg-test" / "nl.md"),
        1,
        "text changed but version 1.0.0 was already published: bump 'version'",
    )
    assert problem_lines(loaded.stderr) == [problem]


def test_check_of_a_folder_without_modules_is_a_problem(runner, tmp_path):
    (tmp_path / "leeg").mkdir()
    result = runner.invoke(args=["content", "check", str(tmp_path / "leeg")])
    assert result.exit_code == 1
    assert "no module found" in result.stderr

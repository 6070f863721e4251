"""The parsed-folder cache never serves a module whose files changed (it keys on every file's size and time)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from app import ROOT
from learning.content.cached import module_documents, module_readability
from learning.content.loader import ContentError

MODULE = "beeldbellen-met-patienten"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return Path(shutil.copytree(ROOT / "modules_content" / MODULE, tmp_path / MODULE))


def test_an_edited_text_is_parsed_again(folder: Path) -> None:
    first = module_documents(folder)
    assert module_documents(folder) == first  # unchanged files: the same documents
    nl = folder / "nl.md"
    nl.write_text(nl.read_text(encoding="utf-8").replace(first["nl"].title, "Een nieuwe titel", 1), encoding="utf-8")
    assert module_documents(folder)["nl"].title == "Een nieuwe titel"


def test_a_removed_picture_is_a_problem_again(folder: Path) -> None:
    module_documents(folder)
    (folder / "camera-licht.svg").unlink()
    with pytest.raises(ContentError, match=r"camera-licht\.svg"):
        module_documents(folder)


def test_a_file_replaced_within_the_same_second_and_size_is_still_seen(folder: Path) -> None:
    nl = folder / "nl.md"
    text = nl.read_text(encoding="utf-8")
    title = module_documents(folder)["nl"].title
    stat = nl.stat()
    same_size = text.replace(title, title[::-1], 1)  # another text of exactly the same length
    nl.write_text(same_size, encoding="utf-8")
    os.utime(nl, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))  # a file system that keeps nanoseconds tells them apart
    assert module_documents(folder)["nl"].title == title[::-1]


def test_readability_follows_the_text(tmp_path: Path) -> None:
    folder = Path(shutil.copytree(ROOT / "modules_content" / "bewegen-met-artrose", tmp_path / "bewegen-met-artrose"))
    assert module_readability(folder) == []  # a patient module: held to B1
    nl = folder / "nl.md"
    long_sentence = " ".join(["woord"] * 40) + "."
    nl.write_text(nl.read_text(encoding="utf-8") + f"\n{long_sentence}\n", encoding="utf-8")  # in the last step
    assert any("40 words" in problem.message for problem in module_readability(folder))

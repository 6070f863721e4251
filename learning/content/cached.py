"""Module folders parsed once per process while their files stay the same.

`flask content load` reads every folder three times (the file check, the check against what is published, the
load itself), and the test suite loads the catalogue for about a thousand tests: parsing the Markdown was ~0.4 s of
each load. The cache key is every file under the folder with its size and modification time, so an edited text,
an added or removed picture, or a replaced file is parsed afresh. The documents are frozen dataclasses; callers get
their own dict.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path
from typing import TypeVar

from learning.content.document import ModuleDocument
from learning.content.loader import Problem, load_module_folder
from learning.content.readability import readability_problems

Stamp = tuple[tuple[str, int, int], ...]
T = TypeVar("T")
_LIMIT = 256  # folders kept; the catalogue has 13, tests add copies in temporary folders
_documents: OrderedDict[str, tuple[Stamp, dict[str, ModuleDocument]]] = OrderedDict()
_readability: OrderedDict[str, tuple[Stamp, list[Problem]]] = OrderedDict()


def folder_stamp(folder: Path) -> Stamp:
    """Every file below `folder` with its size and modification time (ns), sorted."""
    found = []
    for directory, _dirs, files in os.walk(folder):
        for name in files:
            info = os.stat(os.path.join(directory, name))
            found.append((os.path.join(directory, name), info.st_size, info.st_mtime_ns))
    return tuple(sorted(found))


def module_documents(folder: Path) -> dict[str, ModuleDocument]:
    """load_module_folder, from the cache when no file under the folder changed (errors are never cached)."""
    key, stamp = str(folder.resolve()), folder_stamp(folder)
    hit = _documents.get(key)
    if hit is not None and hit[0] == stamp:
        _documents.move_to_end(key)
        return dict(hit[1])
    documents = load_module_folder(folder)
    _remember(_documents, key, (stamp, dict(documents)))
    return documents


def module_readability(folder: Path) -> list[Problem]:
    """readability_problems of the folder's nl.md, from the cache when no file under the folder changed."""
    key, stamp = str(folder.resolve()), folder_stamp(folder)
    hit = _readability.get(key)
    if hit is not None and hit[0] == stamp:
        _readability.move_to_end(key)
        return list(hit[1])
    problems = readability_problems(folder / "nl.md")
    _remember(_readability, key, (stamp, list(problems)))
    return problems


def _remember(cache: OrderedDict[str, tuple[Stamp, T]], key: str, value: tuple[Stamp, T]) -> None:
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > _LIMIT:
        cache.popitem(last=False)

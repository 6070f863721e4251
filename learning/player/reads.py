"""What every step view and answer reads first, in one statement each: the module, the learner's open attempt at it,
and what the page needs besides (whether a step was seen; the item's stored answer).

Why one statement, and why Core rows made into mapped objects (learning/rows.py): these are the pages a learner
loads most, and building the expressions, then the ORM's loading of two or three objects, cost more than the
queries themselves (docs/performance.md, third and fourth rounds).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, bindparam, cast, exists, func, select

from learning import first_reads
from learning.accounts.models import User
from learning.content.items import ITEM_ID
from learning.content.models import Module
from learning.player.models import Attempt, AttemptAnswer, AttemptStep
from learning.rows import all_columns, column_rows, persistent

# Built once: these run on every step view and answer, and building the expression cost as much as running it. Their
# rows become the Module and Attempt objects a query would have returned (learning/rows.py: the ORM's loading of two
# objects per request cost more than the query).
_MODULE_COLUMNS, _ATTEMPT_COLUMNS = all_columns(Module), all_columns(Attempt)
_MODULE_AND_OPEN_ATTEMPT = (
    select(*_MODULE_COLUMNS, *_ATTEMPT_COLUMNS)
    .select_from(Module)
    .outerjoin(
        Attempt,
        (Attempt.module_id == Module.id) & (Attempt.user_id == bindparam("user_id")) & Attempt.finished_at.is_(None),
    )
    .where(Module.slug == bindparam("slug"))
    .limit(1)
)
# A step view also shows which of its questions the attempt answered (and a likert answer itself): every stored
# answer of the open attempt, packed into one column of the same row ("<item id>:<length>:<response>" each; an item
# id is a slug, and the length makes any response safe), so a step view asks the database once, not twice
# (docs/performance.md, sixth round). `aggregate_strings` is string_agg on PostgreSQL, group_concat on SQLite.
_PACKED_ANSWERS = (
    select(
        func.aggregate_strings(
            AttemptAnswer.item_id
            + ":"
            + cast(func.length(AttemptAnswer.response), String)
            + ":"
            + AttemptAnswer.response,
            "",
        )
    )
    .where(AttemptAnswer.attempt_id == Attempt.id)
    .scalar_subquery()
)
_WITH_STEP_SEEN = _MODULE_AND_OPEN_ATTEMPT.add_columns(
    exists().where(AttemptStep.attempt_id == Attempt.id, AttemptStep.step_number == bindparam("number")),
    _PACKED_ANSWERS,
)
_ATTEMPT_ID = [column.key for column in _ATTEMPT_COLUMNS].index("id")
# An answer also needs the item's stored answer in that attempt, if any: the same row, one statement fewer.
_ANSWER_COLUMNS = all_columns(AttemptAnswer)
_WITH_STORED_ANSWER = _MODULE_AND_OPEN_ATTEMPT.add_columns(*_ANSWER_COLUMNS).outerjoin(
    AttemptAnswer, (AttemptAnswer.attempt_id == Attempt.id) & (AttemptAnswer.item_id == bindparam("item_id"))
)


# A step and an answer are read with the learner's account, in one statement (learning/first_reads.py).
first_reads.register("player.step", _WITH_STEP_SEEN, lambda url: {"slug": url["slug"], "number": url["number"]})
first_reads.register("player.answer", _WITH_STORED_ANSWER, lambda url: {"slug": url["slug"], "item_id": url["item_id"]})


def _module_and_attempt(row: Sequence[Any]) -> tuple[Module, Attempt | None]:
    """The Module and the open Attempt (None when the outer join found none) of a row of the queries above."""
    modules, attempts = len(_MODULE_COLUMNS), len(_ATTEMPT_COLUMNS)
    module = persistent(Module, row[:modules])
    attempt_values = row[modules : modules + attempts]
    attempt = None if attempt_values[_ATTEMPT_ID] is None else persistent(Attempt, attempt_values)
    return module, attempt


def module_and_open_attempt(user: User, slug: str) -> tuple[Module | None, Attempt | None]:
    """Return the module with this slug and the learner's unfinished attempt at it (either may be None).

    One query for what every step view and answer needs first: these pages are the ones a learner loads most.
    """
    row = column_rows(_MODULE_AND_OPEN_ATTEMPT, {"user_id": user.id, "slug": slug}).first()
    return (None, None) if row is None else _module_and_attempt(row)


StoredAnswers = dict[str, str]
"""An attempt's stored answers: item id -> response (xAPI's format)."""


def module_attempt_and_seen(
    user: User, slug: str, number: int
) -> tuple[Module | None, Attempt | None, bool, StoredAnswers | None]:
    """As module_and_open_attempt, whether the attempt has shown step `number` already (for view_step's `seen`: a
    step view then loads no list of steps seen) and the attempt's stored answers (for the step's questions; None
    if they could not be unpacked: the caller then reads them itself)."""
    row = first_reads.row(_WITH_STEP_SEEN, {"slug": slug, "number": number, "user_id": user.id})
    if row is None:
        return None, None, False, {}
    module, attempt = _module_and_attempt(row)
    return module, attempt, bool(row[-2]), unpack_answers(row[-1])


def unpack_answers(packed: str | None) -> StoredAnswers | None:
    """The answers `_PACKED_ANSWERS` put in one string, by item id; None when the string is not what was packed
    (a response with NUL, which SQLite's length() stops counting at: the forms refuse NUL, so never in practice)."""
    answers: StoredAnswers = {}
    if not packed:
        return answers
    at = 0
    try:
        while at < len(packed):
            item_end = packed.index(":", at)
            length_end = packed.index(":", item_end + 1)
            start = length_end + 1
            stop = start + int(packed[item_end + 1 : length_end])
            item_id = packed[at:item_end]
            if stop > len(packed) or not ITEM_ID.fullmatch(item_id):
                return None
            answers[item_id] = packed[start:stop]
            at = stop
    except ValueError:
        return None
    return answers


def module_attempt_and_answer(
    user: User, slug: str, item_id: str
) -> tuple[Module | None, Attempt | None, AttemptAnswer | None]:
    """As module_and_open_attempt, and the open attempt's stored answer to `item_id` (None if not answered yet), for
    answer_item's `stored`: an answer then asks the database once for all three."""
    row = first_reads.row(_WITH_STORED_ANSWER, {"slug": slug, "item_id": item_id, "user_id": user.id})
    if row is None:
        return None, None, None
    module, attempt = _module_and_attempt(row)
    values = row[-len(_ANSWER_COLUMNS) :]
    return module, attempt, None if attempt is None or values[0] is None else persistent(AttemptAnswer, values)

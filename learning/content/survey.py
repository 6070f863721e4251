"""Survey (likert) items: their id says what they measure, because the learning metrics read them by id.

`confidence-<topic>` asks after the module how confident the learner is; `pre-confidence-<topic>` asks the same
question before it (the metrics pair the two per learner: CONF_GAIN); `relevance-<topic>` asks whether the module
was of use (RELEVANCE). See learning/metrics/training.py and modules_content/README.md section 6.
"""

from __future__ import annotations

from collections.abc import Sequence

from learning.content.document import Item, Likert

PRE = "pre-"
CONFIDENCE = "confidence-"
RELEVANCE = "relevance-"


def survey_problems(placed: Sequence[tuple[Item, int]]) -> list[tuple[int, str]]:
    """Return (line, message) for every 'pre-confidence-x' likert that the metrics could not pair with 'confidence-x'.

    `placed` is every item of a module in reading order, with the line its block starts on.
    """
    where = {item.id: (index, item) for index, (item, _line) in enumerate(placed)}
    problems = []
    for index, (item, line) in enumerate(placed):
        if not isinstance(item, Likert) or not item.id.startswith(PRE + CONFIDENCE):
            continue
        after_id = item.id.removeprefix(PRE)
        after_index, after = where.get(after_id, (-1, None))
        if not isinstance(after, Likert):
            problems.append(
                (line, f"'{item.id}' needs a likert '{after_id}' later in the module: the same question after it")
            )
        elif after_index < index:
            problems.append((line, f"'{item.id}' must come before '{after_id}'"))
        elif after.question != item.question:
            problems.append((line, f"'{item.id}' must ask the same question as '{after_id}'"))
    return problems

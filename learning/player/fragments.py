"""A step fragment and an answered question rendered once per content and state; the learner's values put in.

Why: rendering a step with its questions (Jinja, ~40 template calls, gettext, url_for, hyphenation) was about half
the CPU of a step view and of an answer (docs/performance.md, third round), and that markup is the same for every
learner who sees the same step of the same text in the same language with the same questions answered. So it is
rendered once per key and kept as a string; what differs per learner is put in afterwards, HTML-escaped:

- the form token (csrf_token()): rendered as a mark, replaced by this session's token;
- the attempt's registration (on the player and on each question's form): replaced by a mark after rendering (a
  UUID, so it cannot occur in the text by chance) and put back per request.

The key holds everything else the templates read: the text's identity (slug, language and content hash: a new
`content load` that changes a text changes its hash, so a reload never serves old markup), the version, the step
or question, the interface language (its strings and the "not in your language" note), the script root (URLs),
whether a clinician checked the version (the banner), whether the attempt is finished (the finish button), and
each question's state (answered before, a likert answer given, the feedback shown). A typed answer (fill-in) is
never part of a key: such a question is rendered afresh, so no learner's words are kept.

Re-reading a finished attempt shows the learner's answers in review rows: not cached. Escaping is unchanged:
the templates render with autoescaping as before, and the values put in are escaped here
(tests/learning/player/test_fragments.py).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from flask import current_app, render_template, request
from markupsafe import Markup, escape
from sqlalchemy import bindparam, select

from learning.content.document import Item, ModuleDocument, Step, interaction_type
from learning.content.models import Module
from learning.content.publishing import clinically_checked
from learning.content.services import PublishedText
from learning.form_tokens import form_token
from learning.player.models import Attempt, AttemptAnswer
from learning.player.services import AnswerOutcome
from learning.rendering import current_locale
from learning.rows import column_rows

CACHE_SIZE = 4_096  # steps x languages x answer states of the steps learners are on; cleared when full
CSRF, REGISTRATION = "vtc-mark-csrf-3f7b", "vtc-mark-registration-3f7b"

# Built once: a step view asks which of its questions this attempt answered (plain rows, no ORM objects).
_ANSWERS = select(AttemptAnswer.item_id, AttemptAnswer.response).where(
    AttemptAnswer.attempt_id == bindparam("attempt_id"), AttemptAnswer.item_id.in_(bindparam("ids", expanding=True))
)


def _text_key(text: PublishedText, attempt: Attempt) -> tuple[Hashable, ...]:
    return (request.script_root, current_locale(), text.slug, text.language, text.content_hash, attempt.version)


def _filled(key: tuple[Hashable, ...], registration: str, template: str, context: Mapping[str, Any]) -> Markup:
    """The template's output for this key, rendered on a miss, with this request's token and registration in."""
    # per app (the tests build many apps in one process, each with its own configuration), as frame_fragment's
    cache: dict[tuple[Hashable, ...], str] = current_app.extensions.setdefault("vtc_player_fragments", {})
    body = cache.get(key)
    if body is None:
        html = render_template(template, csrf_token=lambda: CSRF, **context)
        body = html.replace(registration, REGISTRATION) if registration else html
        if len(cache) >= CACHE_SIZE:
            cache.clear()
        cache[key] = body
    body = body.replace(CSRF, escape(form_token())).replace(REGISTRATION, escape(registration))
    return Markup(body)  # noqa: S704 — rendered by our autoescaping templates; the values put in are escaped


def _item_states(
    attempt: Attempt, step: Step, answers: Mapping[str, str] | None
) -> tuple[tuple[Hashable, ...], Mapping[str, str]]:
    """Each question of the step: answered before or not, and for a likert question the answer (it is shown); and
    the stored answers they were made of, which the markup is then rendered from (never a later read: an answer
    committed in between would be kept under the key of "not answered" and shown to every learner in that state).

    `answers` are the attempt's stored answers when the caller read them already (None: read them here)."""
    if not step.items:
        return (), {}
    if answers is None:
        ids = [item.id for item in step.items]
        answers = dict(column_rows(_ANSWERS, {"attempt_id": attempt.id, "ids": ids}).all())
    states = tuple(
        (item.id, item.id in answers, answers.get(item.id) if interaction_type(item) == "likert" else None)
        for item in step.items
    )
    return states, answers


def step_fragment(
    module: Module,
    attempt: Attempt,
    text: PublishedText,
    document: ModuleDocument,
    step: Step,
    answers: Mapping[str, str] | None = None,
) -> Markup:
    """The player fragment of one step (player/_player.html) for this learner; `answers` as for _item_states."""
    checked = clinically_checked(module, document.version, document.review)
    states, stored = _item_states(attempt, step, answers)
    key = ("step", *_text_key(text, attempt), step.number, attempt.is_finished, checked, states)
    context = {"module": module, "attempt": attempt, "document": document, "step": step, "stored_answers": stored}
    return _filled(key, attempt.registration, "player/_player.html", context)


def answered_item(module: Module, attempt: Attempt, text: PublishedText, document: ModuleDocument,
                  outcome: AnswerOutcome) -> Markup:  # fmt: skip
    """A question with the feedback on the answer just given (player/_item.html) for this learner."""
    item: Item = outcome.item
    context = {"module": module, "attempt": attempt, "document": document, "item": item, "outcome": outcome}
    kind = interaction_type(item)
    if kind == "fill-in":  # the learner's own words: never kept
        return Markup(render_template("player/_item.html", **context))  # noqa: S704 — autoescaped template output
    key = ("item", *_text_key(text, attempt), item.id, kind, tuple(outcome.given.values), outcome.chosen,
           outcome.correct, outcome.missed)  # fmt: skip
    return _filled(key, attempt.registration, "player/_item.html", context)

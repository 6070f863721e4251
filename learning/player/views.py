"""The module player: steps as pages that htmx swaps in place, answers with immediate feedback."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime

from flask import Blueprint, abort, flash, jsonify, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from learning.catalog.services import can_open, get_visible_module
from learning.content.document import Item, interaction_type
from learning.content.judging import AnswerProblem, mixed_order
from learning.content.models import Module
from learning.content.services import get_document
from learning.player import fragments, reads, review, services
from learning.player.models import Attempt
from learning.player.seen import SeenEntry, SeenRefused, record_seen
from learning.rendering import current_locale
from learning.web import is_htmx_fragment_request

bp = Blueprint("player", __name__, url_prefix="/modules/<slug>")


@bp.app_template_filter("interaction_type")
def _interaction_type(item: Item) -> str:
    return interaction_type(item)


@bp.app_template_filter("mixed_order")
def _mixed_order(item_id: str, size: int) -> list[int]:
    return mixed_order(item_id, size)


def _problem_message(code: str) -> str:
    """What the learner must do about an answer the player cannot judge (AnswerProblem.code)."""
    messages = {
        "choose-one": _("Choose one answer."),
        "each-once": _("Use each step once: two places have the same step."),
        "too-long": _("Your answer is too long. Type a short answer."),
        "type": _("Type an answer first."),
    }
    if code in messages:
        return messages[code]
    return _("Choose an answer first.")


def _language() -> str:
    """The interface language ("nl"), formatted once per request (Flask-Babel's get_locale() formats it anew)."""
    return current_locale()


def _module(slug: str) -> Module:
    return get_visible_module(current_user, slug) or abort(404)


def _module_and_attempt(slug: str) -> tuple[Module, Attempt]:
    """The module (404 unless this learner may open it) and the open attempt (else back to the module's page)."""
    return _checked(*reads.module_and_open_attempt(current_user, slug))


def _checked(module: Module | None, attempt: Attempt | None) -> tuple[Module, Attempt]:
    if module is None or not can_open(current_user, module):
        abort(404)
    if attempt is None:
        abort(redirect(url_for("catalog.detail", slug=module.slug)))
    return module, attempt


def _field(data: Mapping[str, object], name: str) -> str:
    return str(data.get(name) or "").strip()


def _uuid(raw: str, name: str) -> str:
    """A UUID a device sends (an answer's or a seen step's statement id, a registration), in canonical form.

    Each becomes part of an xAPI statement, so a malformed one must be refused here, not stored.

    :raises ValueError: naming the field, for the caller to answer 400 in its own way.
    """
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise ValueError(f"{name} must be a UUID") from None


def _answer_id() -> str | None:
    """The answer's id fixed on the device (offline.js); a malformed one is a bad request (HTML, as the form's)."""
    raw = _field(request.form, "answer_id")
    try:
        return _uuid(raw, "answer_id") if raw else None
    except ValueError as exc:
        abort(400, description=str(exc))


def _vary(response: Response) -> Response:
    response.headers["Vary"] = "HX-Request"
    return response


@bp.post("/start")
@login_required
def start(slug: str) -> Response:
    """Begin or resume the module at its bookmark."""
    module = _module(slug)
    attempt = services.start_session(current_user, module, _language())
    return redirect(url_for(".step", slug=slug, number=attempt.current_step))


@bp.get("/step/<int(max=999):number>")  # at most 8 steps: a larger number is a 404, not an overflow
@login_required
def step(slug: str, number: int) -> Response:
    """Show one step; htmx gets only the player fragment."""
    module, attempt, seen, answers = reads.module_attempt_and_seen(current_user, slug, number)
    module, attempt = _checked(module, attempt)
    text = services.text_for(attempt, _language())  # once, before view_step may commit and expire the attempt
    document = get_document(text)
    if request.headers.get("X-VTC-Prefetch") == "1":
        # The service worker keeps the module's steps for offline use: that is not the learner seeing them, so no
        # bookmark moves and no `experienced` is reported.
        if not 1 <= number <= len(document.steps):
            abort(404)
        shown = document.steps[number - 1]
    else:
        try:
            shown = services.view_step(current_user, attempt, number, _language(), seen=seen)
        except services.PlayerError:
            abort(404)
    html: str
    if is_htmx_fragment_request():  # the page learners load most: rendered once per step and state (fragments.py)
        html = fragments.step_fragment(module, attempt, text, document, shown, answers)
    else:
        html = render_template("player/step.html", module=module, attempt=attempt, document=document, step=shown)
    return _vary(make_response(html))


@bp.post("/item/<item_id>")
@login_required
def answer(slug: str, item_id: str) -> Response | tuple[str, int]:
    """Record an answer and show its feedback in place."""
    found_module, found_attempt, stored = reads.module_attempt_and_answer(current_user, slug, item_id)
    module, attempt = _checked(found_module, found_attempt)
    values = request.form.getlist("choice")
    sent_for = request.form.get("registration", "")
    if sent_for and sent_for != attempt.registration:
        # sent (or queued offline) in an earlier try of the module: it must not count for this one
        error = _("This question belongs to an earlier try of the module. Reload the page to go on.")
        return _refused(module, attempt, item_id, values, error), 409
    try:
        outcome = services.answer_item(
            current_user, attempt, item_id, values, _language(), statement_id=_answer_id(), stored=stored
        )
    except (services.PlayerError, AnswerProblem) as problem:
        error = _problem_message(problem.code if isinstance(problem, AnswerProblem) else "")
        return _refused(module, attempt, item_id, values, error), 400
    if not is_htmx_fragment_request():
        return redirect(url_for(".step", slug=slug, number=attempt.current_step) + f"#item-{item_id}")
    html = fragments.answered_item(module, attempt, outcome.text, get_document(outcome.text), outcome)
    return _vary(make_response(html))


def _refused(module: Module, attempt: Attempt, item_id: str, values: list[str], error: str) -> str:
    """The question again, with what the learner sent and what to do about it."""
    document = services.document_for(attempt, _language())
    item = document.item(item_id) or abort(404)
    return render_template(
        "player/_item.html", module=module, attempt=attempt, document=document, item=item, error=error, values=values
    )


@bp.post("/finish")
@login_required
def finish(slug: str) -> Response:
    """Close the attempt and show the result."""
    attempt = _module_and_attempt(slug)[1]
    missing = services.unanswered_items(attempt, _language())
    if missing:
        flash(
            _("Answer every question first. Still open: step %(steps)s.", steps=", ".join(str(n) for n, _q in missing)),
            "error",
        )
        return redirect(url_for(".step", slug=slug, number=missing[0][0]))
    services.finish_attempt(current_user, attempt, _language())
    return redirect(url_for(".result", slug=slug, attempt_id=attempt.id))


@bp.get("/result/<int:attempt_id>")
@login_required
def result(slug: str, attempt_id: int) -> str:
    """Show how the learner did: every question with their first answer, the right answer and why.

    Only the learner's own attempt is found here, and an own read is not logged (docs/access-log.md)."""
    module = _module(slug)
    attempt = review.finished_attempt(current_user, module, attempt_id) or abort(404)
    document = services.document_for(attempt, _language())
    rows = review.review_rows(attempt, document)
    return render_template("player/result.html", module=module, attempt=attempt, document=document, rows=rows)


@bp.get("/read-again/<int:attempt_id>/step/<int(max=999):number>")
@login_required
def reread(slug: str, attempt_id: int, number: int) -> Response:
    """Read a finished module again, step by step, with the answers given; no new attempt is started."""
    module = _module(slug)
    attempt = review.finished_attempt(current_user, module, attempt_id) or abort(404)
    try:
        shown = review.reread_step(current_user, attempt, number, _language(), session)
    except services.PlayerError:
        abort(404)
    document = services.document_for(attempt, _language())
    rows = {row.item.id: row for row in review.review_rows(attempt, document)}
    template = "player/_player.html" if is_htmx_fragment_request() else "player/step.html"
    context = {"module": module, "attempt": attempt, "document": document, "step": shown, "review_rows": rows}
    return _vary(make_response(render_template(template, **context)))


@bp.post("/again")
@login_required
def again(slug: str) -> Response:
    """Start the module once more (a new attempt)."""
    module = _module(slug)
    services.restart(current_user, module)
    return redirect(url_for("catalog.detail", slug=slug))


def _seen_entry(number: int) -> SeenEntry:
    """Read a seen entry from a JSON body or a form; bad input is a 400 with the reason, nothing stored."""
    data = request.get_json(silent=True) if request.is_json else request.form
    if not isinstance(data, dict) and data is not request.form:
        abort(_json_refusal(400, "send a JSON object or a form"))
    try:
        seen_id = _uuid(_field(data, "seen_id"), "seen_id")
        seen_at = _seen_at(_field(data, "seen_at"))
        raw_registration = _field(data, "registration")
        registration = _uuid(raw_registration, "registration") if raw_registration else None
    except ValueError as exc:
        abort(_json_refusal(400, str(exc)))
    return SeenEntry(number=number, seen_id=seen_id, seen_at=seen_at, registration=registration)


def _seen_at(raw: str) -> datetime:
    """:raises ValueError: with the reason, when raw is not an ISO 8601 time that names its zone."""
    try:
        seen_at = datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError("seen_at must be an ISO 8601 time") from None
    if seen_at.tzinfo is None:
        raise ValueError("seen_at must name its time zone (e.g. end in Z)")
    return seen_at


def _json_refusal(status: int, reason: str) -> Response:
    return make_response(jsonify(error=reason), status)


@bp.post("/seen/<int(max=999):number>")
@login_required
def seen_offline(slug: str, number: int) -> Response:
    """A step the learner read offline (from the service worker's copy): report it `experienced` once.

    404 and 409 tell the device to drop the entry (no such attempt or step, or the attempt is finished).
    """
    module = get_visible_module(current_user, slug)
    if module is None:
        return _json_refusal(404, "no such module")
    entry = _seen_entry(number)
    try:
        recorded = record_seen(current_user, module, entry, _language())
    except SeenRefused as refused:
        return _json_refusal(refused.status, refused.reason)
    return make_response(jsonify(recorded=recorded), 201 if recorded else 200)

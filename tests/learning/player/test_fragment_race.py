"""A step fragment is kept under the answer states it was read with, and rendered from those same states
(learning/player/fragments.py): an answer committed by another request of the same learner while the step renders
(an offline answer replayed, a second tab) can never put "answered" markup under the key of "not answered", which
every learner who has not answered would then be served. Found in review; failed before the fix."""

from __future__ import annotations

import re

from helpers import PASSWORD, csrf_token, log_in
from sqlalchemy import select

from learning.accounts.models import Role
from learning.db import db, utcnow
from learning.player import services
from learning.player.models import Attempt, AttemptAnswer, AttemptStep

MODULE = "/modules/elke-dag-wegen-hartfalen"
FRAGMENT = {"HX-Request": "true"}
ANSWERED = "Je hebt deze vraag al beantwoord"
JUDGED_ITEM = re.compile(r'id="item-([a-z0-9-]+)" class="item item-(?:choice|true-false)')


def _learner(app, make_user):  # type: ignore[no-untyped-def]
    client = app.test_client()
    user = make_user(Role.PATIENT)
    assert log_in(client, user.email, PASSWORD, app).status_code == 302
    assert client.post(f"{MODULE}/start", data={"csrf_token": csrf_token(client, f"{MODULE}/")}).status_code == 302
    return client, user


def test_an_answer_committed_while_a_step_renders_is_not_shown_to_other_learners(app, make_user, content, monkeypatch):
    first, user = _learner(app, make_user)
    for number in range(1, 9):
        found = JUDGED_ITEM.search(first.get(f"{MODULE}/step/{number}", headers=FRAGMENT).get_data(as_text=True))
        if found:
            break
    assert found, "the module has a judged question"
    item = found.group(1)
    app.extensions["vtc_player_fragments"].clear()  # no markup kept yet
    with app.app_context():
        db.session.execute(AttemptStep.__table__.delete())  # not seen yet: the view writes and commits
        db.session.commit()
    view_step = services.view_step

    def then_another_request_answers(*args, **kwargs):  # type: ignore[no-untyped-def]
        shown = view_step(*args, **kwargs)
        with db.engine.begin() as other:  # the learner's other request, on its own connection
            attempt_id = other.execute(select(Attempt.id).where(Attempt.user_id == user.id)).scalar_one()
            other.execute(
                AttemptAnswer.__table__.insert().values(
                    attempt_id=attempt_id, item_id=item, response="0", correct=False, answered_at=utcnow()
                )
            )
        return shown

    monkeypatch.setattr(services, "view_step", then_another_request_answers)
    during = first.get(f"{MODULE}/step/{number}", headers=FRAGMENT).get_data(as_text=True)
    monkeypatch.setattr(services, "view_step", view_step)
    assert ANSWERED not in during  # rendered as it was read: not answered yet
    second, _ = _learner(app, make_user)  # never answered anything
    assert ANSWERED not in second.get(f"{MODULE}/step/{number}", headers=FRAGMENT).get_data(as_text=True)
    assert ANSWERED in first.get(f"{MODULE}/step/{number}", headers=FRAGMENT).get_data(as_text=True)  # now she has

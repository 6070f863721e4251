"""A step fragment and an answered question are kept per content and state (learning/player/fragments.py): each
learner still gets their own form token and registration, text is escaped, and a new text is never served old."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from helpers import FIXTURE_APPROVER, csrf_token
from sqlalchemy import select

from app import ROOT
from learning.accounts.models import Role, User
from learning.content.services import load_content
from learning.db import db
from learning.player.models import Attempt

SLUG = "elke-dag-wegen-hartfalen"
MODULE = f"/modules/{SLUG}"
HTMX = {"HX-Request": "true"}
QUESTION = '"Wanneer weeg je jezelf?"'
HOSTILE = "\"Wanneer weeg je jezelf? <script>alert('x')</script> & <b>nu</b>\""


def start(client) -> None:
    assert client.post(f"{MODULE}/start", data={"csrf_token": csrf_token(client, f"{MODULE}/")}).status_code == 302


def quiz_step(client) -> tuple[int, str]:
    """The number of the step with the first quiz, and its fragment."""
    for number in range(1, 20):
        page = client.get(f"{MODULE}/step/{number}", headers=HTMX).get_data(as_text=True)
        if 'id="item-when-to-weigh"' in page:
            return number, page
    raise AssertionError("the module has no when-to-weigh quiz")


def registration(app, email: str) -> str:
    with app.app_context():
        query = select(Attempt.registration).join(User, User.id == Attempt.user_id).where(User.email == email)
        return db.session.scalars(query).one()


def own_values_out(page: str, token: str, registration: str) -> str:
    return page.replace(token, "TOKEN").replace(registration, "REGISTRATION")


def test_two_learners_on_the_same_step_get_their_own_token_and_registration(app, client, login, make_user, content):
    pages = []
    for learner in (make_user(Role.PATIENT), make_user(Role.PATIENT)):
        login(learner)
        start(client)
        number, _first = quiz_step(client)
        again = client.get(f"{MODULE}/step/{number}", headers=HTMX).get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', again)
        assert token
        own = registration(app, learner.email)
        assert f'data-registration="{own}"' in again
        assert f'name="registration" value="{own}"' in again
        # the token put in is this session's: the answer it carries is accepted
        answer = {"csrf_token": token.group(1), "choice": "0", "registration": own}
        response = client.post(f"{MODULE}/item/when-to-weigh", data=answer, headers=HTMX)
        assert response.status_code == 200
        assert f'name="registration" value="{own}"' in response.get_data(as_text=True)
        pages.append(own_values_out(again, token.group(1), own))
        client.post("/logout", data={"csrf_token": token.group(1)})
    assert pages[0] == pages[1]  # the same markup around each learner's own values
    assert "vtc-mark" not in pages[0]


def test_markup_in_a_new_text_is_escaped_and_a_learner_on_the_old_version_keeps_the_old_text(
    app, client, login, make_user, content, tmp_path: Path
):
    earlier = make_user(Role.PATIENT)
    login(earlier)
    start(client)
    number, old_page = quiz_step(client)
    assert "Wanneer weeg je jezelf?</legend>" in old_page.replace("\xad", "")

    folder = tmp_path / SLUG
    shutil.copytree(ROOT / "modules_content" / SLUG, folder)
    for name in ("nl.md", "en.md"):
        text = (folder / name).read_text()
        (folder / name).write_text(text.replace("version: 1.1.0", "version: 1.1.1").replace(QUESTION, HOSTILE))
    with app.app_context():
        load_content(tmp_path, FIXTURE_APPROVER)

    kept = client.get(f"{MODULE}/step/{number}", headers=HTMX).get_data(as_text=True)
    assert "script" not in kept  # the attempt keeps the version it started on

    login(make_user(Role.PATIENT))
    start(client)
    page = client.get(f"{MODULE}/step/{number}", headers=HTMX).get_data(as_text=True).replace("\xad", "")
    assert "<script>alert" not in page
    assert "<b>nu" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;nu&lt;/b&gt;</legend>" in page

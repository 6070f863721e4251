"""Author and reviewer text is shown as text on every authoring page: comments, Markdown, front matter, alt text,
file names. Each payload must come back escaped (or dropped by the sanitiser), never as markup."""

from __future__ import annotations

import re

from helpers import csrf_token
from markupsafe import escape

from learning.accounts.models import Role, User
from learning.authoring import workflow
from learning.authoring.services import create_from_template, draft_sources, save_file
from learning.db import db

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '"><script>alert(1)</script>',
    "javascript:alert(1)",
    "<iframe src=javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "</textarea><script>alert(1)</script>",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "{{ 7*7 }}<style>*{display:none}</style>",
    "<input autofocus onfocus=alert(1)>",
    "<object data=javascript:alert(1)>",
    "<base href=//evil.example/>",
]
# what would run: a script with the payload's body, an element with an event handler, a javascript: URL, or an
# element the page itself never has
LIVE = re.compile(
    r"<script>alert|<[a-z][^<>]*\son[a-z]+=|<[a-z][^<>]*(href|src|data)=\"?javascript:|<(iframe|object|base|style|math)[\s>]",
    re.I,
)


def test_no_payload_in_a_draft_or_comment_becomes_markup(app, client, login, make_user):
    """All payloads at once (one draft, one comment each): the pages are read once, the test stays fast."""
    author_ref, reviewer_ref = make_user(Role.AUTHOR), make_user(Role.REVIEWER)
    with app.app_context():
        author, reviewer = db.session.get(User, author_ref.id), db.session.get(User, reviewer_ref.id)
        draft = create_from_template("veilig-test", "patient", author)
        text = draft_sources(draft)["nl"]
        text = text.replace("Schrijf hier de eerste stap.", "Schrijf hier de eerste stap. " + " ".join(PAYLOADS))
        text = text.replace('title: "Nieuwe module"', f"title: {PAYLOADS[0]!r}")
        text = text.replace("  - Je weet wat je moet doen.", f"  - {PAYLOADS[1]!r}")
        save_file(draft, "nl.md", text.encode(), draft.revision, author)
        for payload in PAYLOADS:
            workflow.comment(draft, reviewer, "nl", 1, payload)
        draft_id = draft.id
    login(reviewer_ref)
    for path in (f"/review/drafts/{draft_id}/nl/1", f"/author/drafts/{draft_id}/nl"):
        body = client.get(path).get_data(as_text=True)
        found = LIVE.search(body)
        assert found is None, (path, body[found.start() - 80 : found.end() + 80] if found else "")
        for payload in PAYLOADS:
            assert str(escape(payload)) in body, (path, payload)  # each comment, as text
    bad = client.post(
        f"/review/drafts/{draft_id}/nl/1/comment", data={"message": "", "csrf_token": csrf_token(client, "/help")}
    )
    assert bad.status_code == 400

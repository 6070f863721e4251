"""Author text never runs: XSS payloads in Markdown, front matter, blocks, alt texts, captions, SVG uploads and file
names go through the live preview of the try page and the upload check, in Chromium with the page's CSP switched
off, so the sanitiser alone has to stop them. None may open a dialog, log an error, or leave a script element, an
on* attribute or a javascript:/data: address in the DOM."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator

import pytest
from browser.conftest import BrowserLog, phone_tab
from browser.test_patient_journey import log_in
from playwright.sync_api import Browser, Page, Route, expect

from app import ROOT
from learning.accounts.models import Role, User
from learning.authoring import workflow
from learning.authoring.services import create_from_published
from learning.db import db

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]  # one half only: tests/conftest.py
SLUG = "elke-dag-wegen-hartfalen"

FRONT = """---
title: "<script>alert('title')</script>"
summary: "<img src=x onerror=alert('summary')>"
audience: [professional]
minutes: 5
version: 1.0.0
objectives: ["<svg onload=alert('objective')>"]
sources:
  - title: "<a href=javascript:alert('source')>bron</a>"
    url: "javascript:alert('source-url')"
---
"""
BODY = """
## <img src=x onerror=alert('step-title')>

Marker-body

<script>alert('raw-block')</script>

Text <img src=x onerror=alert('inline-html')> and <svg onload=alert('inline-svg')>.

[link](javascript:alert('md-link')) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
[entity](&#106;avascript:alert('entity-link')) <javascript:alert('autolink')> [ref][1]

[1]: javascript:alert('reference-link')

![" onerror="alert('alt-quote')](weegschaal.svg) ![<img src=x onerror=alert('alt-html')>](weegschaal.svg)
![pic](javascript:alert('img-src'))

<iframe src="javascript:alert('iframe')"></iframe>

::: tip" onmouseover="alert('callout-info')
Box <b onmouseover=alert('box')>text</b>
:::

```quiz
id: xss-quiz
question: "<img src=x onerror=alert('question')>"
choices:
  - text: "<script>alert('choice')</script>"
    correct: true
    feedback: "<svg onload=alert('feedback')>"
  - text: "</label><img src=x onerror=alert('label-break')>"
    feedback: "ok"
```

```matching
id: xss-matching
question: "Q"
pairs:
  - left: "<b onmouseover=alert('left')>l</b>"
    right: "</option></select><img src=x onerror=alert('option-break')>"
  - left: "b"
    right: "c"
feedback: {right: "r", wrong: "w"}
```

```video
id: xss-video
title: "</figcaption><script>alert('video-title')</script>"
sources: [wegen.webm]
captions: {nl: wegen.nl.vtt, en: wegen.en.vtt}
transcript: "<img src=x onerror=alert('transcript')>"
```

```video
id: xss-caption-name
title: "t"
sources: [wegen.webm]
captions: {nl: "wegen.nl.vtt\\" onload=\\"alert('caption-name')", en: wegen.en.vtt}
transcript: "t"
```
"""

# SVG uploads: each is refused, or cleaned and then opened as a document of its own (where script would run).
OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:i="urn:x" viewBox="0 0 9 9"'
SVGS = [
    OPEN + " onload=\"alert('svg-onload')\"/>",
    OPEN + '><script>alert("svg-script")</script></svg>',
    OPEN + "><a href=\"javascript:alert('svg-a')\"><rect/></a></svg>",
    OPEN
    + '><foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:alert(1)"/></foreignObject></svg>',
    OPEN + '><set attributeName="onmouseover" to="alert(\'svg-set\')"/></svg>',
    OPEN + '><metadata><script>alert(1)</script></metadata><rect i:onload="alert(\'ns-attr\')" width="9" height="9"/>'
    "<title>&lt;/title&gt;&lt;script&gt;alert(2)&lt;/script&gt;</title></svg>",
]
FILE_NAMES = ["\"><svg onload=alert('file-name')>.svg", "../../<script>alert('path')</script>.svg"]
CLEAN_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><rect width="9" height="9"/></svg>'

DOM_CHECK = """(root) => {
  const found = [];
  for (const el of [root, ...root.querySelectorAll('*')]) {
    if (el.tagName.toLowerCase() === 'script' || el.tagName.toLowerCase() === 'iframe') found.push(el.outerHTML);
    for (const attr of el.attributes) {
      const value = attr.value.replace(/\\s/g, '').toLowerCase();
      if (attr.name.toLowerCase().startsWith('on')) found.push(el.tagName + ' ' + attr.name);
      if (['href', 'src', 'action', 'xlink:href', 'poster'].includes(attr.name.toLowerCase())
          && (value.startsWith('javascript:') || value.startsWith('data:'))) found.push(el.tagName + ' ' + attr.value);
    }
  }
  return found;
}"""


def serving(body: bytes) -> Callable[[Route], None]:
    """A route handler that answers with an upload as the server would store it (no CSP header on it either)."""
    return lambda route: route.fulfill(body=body, content_type="image/svg+xml")


@pytest.fixture
def unguarded_page(chromium: Browser, live_server, browser_log: BrowserLog) -> Iterator[Page]:
    """A phone tab that ignores the Content-Security-Policy: only the sanitiser stands between payload and page."""
    context, tab = phone_tab(chromium, browser_log, base_url=live_server.url, bypass_csp=True, service_workers="block")
    yield tab
    context.close()
    assert not browser_log.problems, "the browser reported errors:\n" + "\n".join(browser_log.problems)


def test_no_payload_runs_in_the_preview_or_from_an_upload(unguarded_page: Page, make_user, content, browser_log):
    page = unguarded_page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, make_user(Role.AUTHOR).email)
    page.goto(f"/editor/try?slug={SLUG}")
    preview = page.locator("#editor-nl-preview")
    expect(preview.locator("[data-editor-count]")).to_be_visible()

    english = (ROOT / "modules_content" / SLUG / "en.md").read_text(encoding="utf-8")
    assert english  # the other language is posted too: its comparison messages quote ids, never markup
    with page.expect_response("**/editor/preview"):
        page.get_by_label("Tekst van de module in Markdown").fill(FRONT + BODY)
    expect(preview.get_by_text("Marker-body")).to_be_visible()
    expect(preview.locator("[data-preview-step]")).to_have_count(1)
    expect(preview.locator("form[data-preview-item]")).to_have_count(2)
    expect(preview.locator("figure.video video")).to_have_count(1)  # the video with a script in its title is shown
    preview.locator("label.choice").first.hover()
    page.mouse.move(5, 5)
    assert page.evaluate(DOM_CHECK, preview.element_handle()) == []
    assert "alert(" in preview.inner_text()  # the payloads are shown as text, so the author sees what they wrote

    token = json.loads(page.locator("body").get_attribute("hx-headers") or "{}")["X-CSRFToken"]
    outcomes = []
    for svg, name in [*((s, "x.svg") for s in SVGS), *((CLEAN_SVG, n) for n in FILE_NAMES)]:
        response = page.request.post(
            "/editor/upload-check",
            headers={"X-CSRFToken": token},
            multipart={
                "kind": "picture",
                "alt": "<img src=x onerror=alert('alt-upload')>",
                "file": {"name": name, "mimeType": "image/svg+xml", "buffer": svg.encode()},
            },
        )
        outcomes.append(response.status)
        if response.status != 200:
            assert response.status == 422, response.text()
            continue
        [file] = response.json()["files"]
        assert "<" not in file["filename"]
        assert "/" not in file["filename"]
        assert "<img" not in file["markdown"].split("](")[1]
        page.route("**/uploaded.svg", serving(base64.b64decode(file["data_base64"])))
        page.goto(f"{page.url.split('/editor')[0]}/uploaded.svg")
        page.mouse.move(20, 20)
        assert page.evaluate(DOM_CHECK, page.locator(":root").element_handle()) == []
        assert dialogs == [], name
        page.unroute("**/uploaded.svg")
    assert outcomes.count(422) == 5, outcomes  # the five that can act are refused; the rest are cleaned
    assert dialogs == []


COMMENTS = [
    "<img src=x onerror=alert('comment-img')>",
    "<script>alert('comment-script')</script>",
    "\"><svg onload=alert('comment-attr')>",
    "[klik](javascript:alert('comment-link'))",
]


def test_no_payload_runs_from_a_reviewers_comments(unguarded_page: Page, app, make_user, content):
    """A reviewer's comments and the message that sends a draft back are shown beside the author's text as text."""
    page = unguarded_page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    author, reviewer = make_user(Role.AUTHOR), make_user(Role.REVIEWER)
    with app.app_context():
        writer, checker = db.session.get(User, author.id), db.session.get(User, reviewer.id)
        draft = create_from_published(SLUG, writer)
        workflow.submit(draft, writer)
        for number, payload in enumerate(COMMENTS[:-1], start=1):
            workflow.comment(draft, checker, "nl", number, payload)
        workflow.send_back(draft, checker, COMMENTS[-1])
        draft_id = draft.id
    log_in(page, author.email)
    page.goto(f"/author/drafts/{draft_id}/nl")
    main = page.locator("main")
    for payload in COMMENTS:
        expect(main.get_by_text(payload, exact=False).first).to_be_visible()  # shown as the reviewer typed it
    main.hover()
    found = page.evaluate(DOM_CHECK, main.element_handle())
    own = ('<script type="application/json" id="vtc-', '<script src="/static/js/')  # the page's own data and code
    ours = [f for f in found if f.startswith(own)]
    assert [f for f in found if f not in ours] == []
    assert dialogs == []

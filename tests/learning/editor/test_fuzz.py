"""Whatever an author types, the preview and the upload check answer without a 5xx: text half written, blocks
with any YAML in them, files of any bytes."""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient
from helpers import csrf_token
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learning.accounts.models import Role

FUZZ = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
words = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=40)
yaml_bits = st.sampled_from(
    ["id: a", "id: a-b", "question: ", "choices:", "  - text: x", "    correct: true", "steps: [", "pairs:",
     "  - left: a", "    right: b", "feedback: {right: r, wrong: w}", "answer: yes", "accepted: [1, 2]",
     "sources: [wegen.webm]", "captions: {nl: a.vtt}", "transcript: |", "  tekst", ": :", "- - -", "&a *a", "!!python"]
)  # fmt: skip
blocks = st.one_of(
    st.builds(lambda h: f"## {h}", words),
    st.builds(lambda k, lines: f"```{k}\n" + "\n".join(lines) + "\n```",
              st.sampled_from(["quiz", "true-false", "sequencing", "matching", "fill-in", "likert", "video", "x", ""]),
              st.lists(st.one_of(yaml_bits, words), max_size=8)),
    st.builds(lambda k, t: f"::: {k}\n{t}\n:::", st.sampled_from(["tip", "warning", "call", "", "x"]), words),
    st.builds(lambda a, s: f"![{a}]({s})", words, words),
    words,
)  # fmt: skip
fronts = st.one_of(
    st.just("---\ntitle: T\nsummary: S\naudience: [patient]\nminutes: 5\nversion: 1.0.0\nobjectives: [O]\n"
            "sources:\n  - title: B\n---\n"),
    st.builds(lambda lines: "---\n" + "\n".join(lines) + "\n---\n", st.lists(st.one_of(yaml_bits, words), max_size=6)),
    st.just(""),
)  # fmt: skip
sources = st.builds(lambda front, body: front + "\n\n".join(body), fronts, st.lists(blocks, max_size=10))


@pytest.fixture
def author(make_user, login) -> tuple[FlaskClient, str]:
    """One author logged in for all examples of a test (fixtures run once per test, not per example)."""
    client = login(make_user(Role.AUTHOR))
    return client, csrf_token(client, "/editor/try")


@FUZZ
@given(source=sources, other=st.one_of(st.just(""), sources), language=st.sampled_from(["nl", "en", "de", ""]))
def test_the_preview_never_fails(author, source, other, language):
    client, token = author
    data = {"csrf_token": token, "source": source, "language": language, "other_en": other, "other_nl": other,
            "slug": "elke-dag-wegen-hartfalen", "scope": "cursor", "line": "3"}  # fmt: skip
    response = client.post("/editor/preview", data=data)
    assert response.status_code in {200, 400}, response.get_data(as_text=True)[:500]


@FUZZ
@given(
    kind=st.sampled_from(["picture", "captions", "video", "x"]),
    head=st.sampled_from([b"", b"<svg", b"<?xml", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF", b"WEBVTT\n\n",
                          b"\x1a\x45\xdf\xa3", b"\x00\x00\x00\x18ftyp"]),
    body=st.binary(max_size=300),
    name=words,
    alt=words,
)  # fmt: skip
def test_the_upload_check_never_fails(author, kind, head, body, name, alt):
    client, token = author
    data = {"csrf_token": token, "kind": kind, "alt": alt, "file": (io.BytesIO(head + body), name or "f"),
            "captions_nl": (io.BytesIO(head + body), "n.vtt"),
            "captions_en": (io.BytesIO(b"WEBVTT\n"), "e.vtt")}  # fmt: skip
    response = client.post("/editor/upload-check", data=data, content_type="multipart/form-data")
    assert response.status_code in {200, 400, 422}, response.get_data(as_text=True)[:500]

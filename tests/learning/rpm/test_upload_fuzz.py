"""Hypothesis-driven uploads and confirmations through the real app: whatever file or token a manager sends, the
answer is a page or a 4xx, never a 5xx."""

from __future__ import annotations

import io

from helpers import csrf_token
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

HEADER = b"programme,patient_pid,day,expected,received.weight,manual.weight\n"
FUZZ = settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
csv_like = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda text: HEADER + text.encode("utf-8", "surrogatepass")),
    st.lists(st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=12), max_size=8), max_size=20).map(
        lambda rows: HEADER + "\n".join(",".join(row) for row in rows).encode("utf-8")
    ),
)


@FUZZ
@given(
    content=csv_like,
    kind=st.one_of(
        st.sampled_from(["daily", "enrolments", "alerts", "staff-activity", "eligible-counts"]), st.text(max_size=10)
    ),
    filename=st.text(max_size=30),
)
def test_any_upload_is_a_page_or_a_4xx(manager, seed, content, kind, filename):
    data = {
        "kind": kind,
        "file": (io.BytesIO(content), filename or "x.csv"),
        "csrf_token": csrf_token(manager, "/rpm/upload"),
    }
    response = manager.post("/rpm/upload", data=data, content_type="multipart/form-data")
    assert response.status_code < 500, response.get_data(as_text=True)[:300]


@FUZZ
@given(token=st.one_of(st.text(max_size=200), st.just("")))
def test_any_confirmation_token_is_a_page_or_a_4xx(manager, seed, token):
    response = manager.post(
        "/rpm/upload/confirm", data={"token": token, "csrf_token": csrf_token(manager, "/rpm/upload")}
    )
    assert response.status_code < 500, response.get_data(as_text=True)[:300]

"""Hypothesis-driven posts of the assessment form through the real app: a 2xx/3xx or a 400 with messages, never 5xx."""

from __future__ import annotations

from helpers import csrf_token
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

GOOD = {
    "framework": "NASSS",
    "domain": "2 technology",
    "rating": "complicated",
    "rationale": "Koppeling met het EPD is nog handmatig; twee leveranciers.",
    "assessed_by_role": "hf_nurse",
    "assessed_on": "2025-01-15",
}
odd = st.one_of(
    st.text(max_size=40),
    st.text(min_size=900, max_size=2500),
    st.sampled_from(["", "\x00", "CFIR", "NASSS", "-3", "3", "2025-02-30", "0001-01-01", "9999-12-31", "1e9"]),
)


@settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=st.dictionaries(st.sampled_from([*GOOD, "extra"]), st.one_of(st.none(), odd, st.lists(odd, max_size=3))))
def test_the_assessment_form_never_fails(manager, seed, changes):
    url = f"/programmes/{seed.programme}/assessments/new"
    data = {key: value for key, value in (GOOD | changes).items() if value is not None}
    response = manager.post(url, data={**data, "csrf_token": csrf_token(manager, url)})
    assert response.status_code < 500, response.get_data(as_text=True)[:300]

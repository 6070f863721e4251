"""The assessment pages through the real app: access, the form's happy path, every bad input, CSRF, escaping."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from helpers import csrf_token
from sqlalchemy import func, select

from learning.accounts.models import Role
from learning.assessments.services import local_today
from learning.db import db
from learning.environments.models import Assessment, Framework

GOOD = {
    "framework": "NASSS",
    "domain": "2 technology",
    "rating": "complicated",
    "rationale": "Koppeling met het EPD is nog handmatig; twee leveranciers.",
    "assessed_by_role": "hf_nurse",
    "assessed_on": "2025-01-15",
}


def new_url(programme_id: int) -> str:
    return f"/programmes/{programme_id}/assessments/new"


def post(client, programme_id: int, **changes: str | None):
    """Post the form with a real CSRF token; a change of None leaves that field out."""
    data = {key: value for key, value in (GOOD | changes).items() if value is not None}
    data["csrf_token"] = csrf_token(client, new_url(programme_id))
    return client.post(new_url(programme_id), data=data)


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Assessment)) or 0


def test_the_form_offers_both_frameworks_with_their_domains_and_rubrics(manager, seed):
    html = manager.get(new_url(seed.programme)).get_data(as_text=True)
    assert '<optgroup label="NASSS domains">' in html
    assert '<optgroup label="CFIR constructs">' in html
    assert '<option value="7 embedding and adaptation">7. Embedding and adaptation over time</option>' in html
    assert "Complex</strong>: dynamic, unpredictable" in html
    assert "+2</strong>: strongly positive influence on implementation" in html
    assert '<option value="hf_nurse">Heart failure nurse</option>' in html
    assert 'value="patient"' not in html
    assert 'max="' + local_today().isoformat() + '"' in html
    assert "doi.org/10.2196/jmir.8775" in html


def test_a_valid_assessment_is_stored_and_shown(app, manager, seed):
    response = post(manager, seed.programme)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/programmes/{seed.programme}/assessments"
    with app.app_context():
        [stored] = db.session.scalars(select(Assessment)).all()
        assert (stored.programme_id, stored.framework, stored.domain, stored.rating) == (
            seed.programme,
            Framework.NASSS,
            "2 technology",
            "complicated",
        )
        assert (stored.assessed_by_role, stored.assessed_on) == ("hf_nurse", date(2025, 1, 15))
        assert stored.created_by_user_id is not None
    page = manager.get(response.headers["Location"]).get_data(as_text=True)
    assert "The assessment has been saved." in page
    assert 'data-testid="latest-nasss"' in page
    assert "multiple interacting components or issues" in page
    assert "Koppeling met het EPD is nog handmatig" in page
    assert "Heart failure nurse" in page


def test_a_cfir_rating_is_stored_unsigned_and_shown_signed(app, manager, seed):
    response = post(manager, seed.programme, framework="CFIR", domain="available resources", rating="2")
    assert response.status_code == 303
    page = manager.get(response.headers["Location"]).get_data(as_text=True)
    assert '<strong class="rating">+2</strong>' in page
    assert "strongly positive influence on implementation" in page


def test_the_dates_a_year_before_the_start_and_today_are_accepted(app, manager, seed):
    assert post(manager, seed.programme, assessed_on="2023-06-01").status_code == 303
    assert post(manager, seed.programme, assessed_on=local_today().isoformat()).status_code == 303
    assert count(app) == 2


TOMORROW = (local_today() + timedelta(days=1)).isoformat()
BAD = [
    ("framework", None, "Choose NASSS or CFIR."),
    ("framework", "RE-AIM", "Choose NASSS or CFIR."),
    ("domain", None, "Choose a domain or construct."),
    ("domain", "", "Choose a domain or construct."),
    ("domain", "8 weather", "Choose a domain or construct from the list."),
    ("domain", "engaging", "This is not a NASSS domain: choose one under NASSS."),
    ("rating", None, "Choose a rating."),
    ("rating", "2", "A NASSS rating is simple, complicated or complex."),
    ("rating", "very complex", "A NASSS rating is simple, complicated or complex."),
    ("rationale", None, "Write why you chose this rating."),
    ("rationale", "   \r\n  ", "Write why you chose this rating."),
    ("rationale", "Te kort.", "Write between 10 and 2000 characters."),
    ("rationale", "x" * 2001, "Write between 10 and 2000 characters."),
    ("rationale", "Tekst met een\x00nul-teken erin.", "Use plain text only."),
    ("assessed_by_role", None, "Choose a role."),
    ("assessed_by_role", "wizard", "Choose a role from the list."),
    ("assessed_by_role", "patient", "Choose a role from the list."),
    ("assessed_on", None, "Enter the date of the assessment."),
    ("assessed_on", "", "Enter a date as YYYY-MM-DD."),
    ("assessed_on", "15-01-2025", "Enter a date as YYYY-MM-DD."),
    ("assessed_on", TOMORROW, "The date cannot be in the future."),
    ("assessed_on", "2023-05-31", "The date cannot be before 2023-06-01, a year before the programme started."),
]


@pytest.mark.parametrize(("name", "value", "message"), BAD, ids=[f"{n}={v!r}"[:40] for n, v, _ in BAD])
def test_each_bad_input_is_refused_with_a_message_at_its_field(app, manager, seed, name, value, message):
    response = post(manager, seed.programme, **{name: value})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'<p class="error" id="{name}-error">{message}</p>' in html
    assert html.count('class="error"') == 1  # only the bad field
    assert "The assessment was not saved." in html
    assert count(app) == 0


@pytest.mark.parametrize(
    ("changes", "name", "message"),
    [
        ({"framework": "CFIR", "domain": "2 technology", "rating": "1"}, "domain", "This is not a CFIR domain"),
        ({"framework": "CFIR", "domain": "engaging", "rating": "complex"}, "rating", "A CFIR rating is a whole"),
        ({"framework": "CFIR", "domain": "engaging", "rating": "3"}, "rating", "A CFIR rating is a whole"),
        ({"framework": "CFIR", "domain": "engaging", "rating": "+2"}, "rating", "A CFIR rating is a whole"),
    ],
)
def test_domain_and_rating_must_belong_to_the_chosen_framework(app, manager, seed, changes, name, message):
    response = post(manager, seed.programme, **changes)
    assert response.status_code == 400
    assert f'<p class="error" id="{name}-error">{message}' in response.get_data(as_text=True)
    assert count(app) == 0


def test_an_empty_form_shows_every_error(app, manager, seed):
    response = post(manager, seed.programme, **dict.fromkeys(GOOD))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    for name in GOOD:
        assert f'id="{name}-error"' in html
    assert count(app) == 0


def test_a_post_without_csrf_token_is_refused(app, manager, seed):
    response = manager.post(new_url(seed.programme), data=GOOD)
    assert response.status_code == 400
    assert "This form has expired or was not sent from this site." in response.get_data(as_text=True)
    assert count(app) == 0


def test_a_rationale_with_markup_is_shown_as_text(manager, seed):
    rationale = '<script>alert("x")</script> & <b onmouseover=alert(1)>vet</b>'
    response = post(manager, seed.programme, rationale=rationale)
    assert response.status_code == 303
    page = manager.get(response.headers["Location"]).get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b onmouseover=alert(1)&gt;vet&lt;/b&gt;" in page
    assert "<script>alert" not in page
    assert "<b onmouseover" not in page


def test_a_refused_rationale_with_markup_is_escaped_in_the_form(manager, seed):
    response = post(manager, seed.programme, rationale="</textarea><script>alert(1)</script>", assessed_on="")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "&lt;/textarea&gt;&lt;script&gt;" in html
    assert "<script>alert(1)" not in html


def test_the_record_groups_by_framework_and_lists_newest_first(manager, seed):
    for on, rating in (("2024-07-01", "simple"), ("2025-01-01", "complex"), ("2024-10-01", "complicated")):
        assert post(manager, seed.programme, assessed_on=on, rating=rating).status_code == 303
    post(manager, seed.programme, framework="CFIR", domain="engaging", rating="-1")
    html = manager.get(f"/programmes/{seed.programme}/assessments").get_data(as_text=True)
    nasss = html[html.index('data-testid="record-nasss"') : html.index('data-testid="record-cfir"')]
    assert nasss.index("2025-01-01") < nasss.index("2024-10-01") < nasss.index("2024-07-01")
    latest = html[html.index('data-testid="latest-nasss"') : html.index('data-testid="latest-cfir"')]
    assert "2025-01-01" in latest
    assert "2024-10-01" not in latest
    assert "Complex</strong>" in latest


def test_a_partner_manager_reads_but_may_not_add(app, make_account, login, seed):
    client = login(make_account(Role.MANAGER, seed.partner))
    page = client.get(f"/programmes/{seed.programme}/assessments")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-testid="read-only"' in html
    assert new_url(seed.programme) not in html
    assert client.get(new_url(seed.programme)).status_code == 403
    token = csrf_token(client, f"/programmes/{seed.programme}/assessments")
    assert client.post(new_url(seed.programme), data=GOOD | {"csrf_token": token}).status_code == 403
    assert count(app) == 0


@pytest.mark.parametrize(("role", "whose"), [(Role.MANAGER, "stranger"), (Role.PATIENT, "organisation")])
def test_others_are_refused(make_account, login, seed, role, whose):
    client = login(make_account(role, getattr(seed, whose)))
    assert client.get(f"/programmes/{seed.programme}/assessments").status_code == 403
    assert client.get(new_url(seed.programme)).status_code == 403


def test_an_admin_may_add_for_any_programme(app, make_account, login, seed):
    client = login(make_account(Role.ADMIN, None))
    assert client.get(f"/programmes/{seed.stranger_programme}/assessments").status_code == 200
    assert post(client, seed.stranger_programme).status_code == 303
    assert count(app) == 1


def test_anonymous_visitors_are_sent_to_log_in(client, seed):
    response = client.get(f"/programmes/{seed.programme}/assessments")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_an_unknown_programme_is_not_found(manager):
    assert manager.get("/programmes/999999/assessments").status_code == 404
    assert manager.get(new_url(999999)).status_code == 404

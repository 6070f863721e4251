"""Assessment rules and queries against the real database: who may see and add, and which one is the latest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from flask import Flask

from learning.accounts.models import Role, User
from learning.assessments.services import (
    CFIR_CONSTRUCTS,
    DOMAIN_LABELS,
    NASSS_DOMAINS,
    RATINGS,
    NewAssessment,
    add_assessment,
    assessment_history,
    earliest_assessment_date,
    latest_assessments,
    may_assess,
    may_view_assessments,
    role_labels,
)
from learning.db import db
from learning.environments.models import Assessment, Framework, Programme


@pytest.fixture
def store(app: Flask, seed) -> Callable[..., int]:
    """Insert one assessment row directly, as the demo does; return its id."""

    def insert(
        domain: str,
        on: date,
        rating: str = "complex",
        programme_id: int = seed.programme,
        framework: Framework | None = None,
    ) -> int:
        framework = framework or (Framework.NASSS if domain in NASSS_DOMAINS else Framework.CFIR)
        with app.app_context():
            row = Assessment(
                programme_id=programme_id,
                framework=framework,
                domain=domain,
                rating=rating,
                rationale="Een reden van genoeg tekens.",
                assessed_by_role="manager",
                assessed_on=on,
            )
            db.session.add(row)
            db.session.commit()
            return row.id

    return insert


@pytest.fixture
def session(app: Flask) -> Iterator[None]:
    """An app context for reading ORM objects after the rows are made."""
    with app.app_context():
        yield
        db.session.remove()


def _rule(make_account, role: Role, organisation_id: int | None, programme_id: int) -> tuple[bool, bool]:
    user_id = make_account(role, organisation_id).id
    user, programme = db.session.get(User, user_id), db.session.get(Programme, programme_id)
    assert user is not None
    assert programme is not None
    return may_view_assessments(user, programme), may_assess(user, programme)


@pytest.mark.parametrize(
    ("role", "whose", "expected"),
    [
        (Role.MANAGER, "organisation", (True, True)),  # the organisation that runs the programme
        (Role.MANAGER, "partner", (True, False)),  # has a programme in the same environment: read-only
        (Role.MANAGER, "stranger", (False, False)),  # only in another environment
        (Role.MANAGER, None, (False, False)),  # a manager without an organisation
        (Role.ADMIN, None, (True, True)),
        (Role.ADMIN, "stranger", (True, True)),
        (Role.PROFESSIONAL, "organisation", (False, False)),
        (Role.PATIENT, "organisation", (False, False)),
        (Role.AUTHOR, "organisation", (False, False)),
    ],
)
def test_who_may_view_and_assess(session, make_account, seed, role, whose, expected):
    organisation_id = getattr(seed, whose) if whose else None
    assert _rule(make_account, role, organisation_id, seed.programme) == expected


def test_a_deactivated_manager_may_do_nothing(session, make_account, seed):
    user = db.session.get(User, make_account(Role.MANAGER).id)
    programme = db.session.get(Programme, seed.programme)
    user.is_active_account = False
    assert (may_view_assessments(user, programme), may_assess(user, programme)) == (False, False)


def test_latest_assessments_picks_the_latest_per_domain(session, store, seed):
    store("2 technology", date(2024, 7, 1), "simple")
    newest = store("2 technology", date(2025, 1, 1), "complex")
    store("2 technology", date(2024, 10, 1), "complicated")  # entered later, but judged earlier
    condition = store("1 condition", date(2024, 7, 1))
    cfir = store("engaging", date(2024, 9, 1), "2")
    latest = latest_assessments([seed.programme])
    assert list(latest) == [seed.programme]
    nasss = latest[seed.programme][Framework.NASSS]
    assert [(a.id, a.domain) for a in nasss] == [(condition, "1 condition"), (newest, "2 technology")]
    assert [a.id for a in latest[seed.programme][Framework.CFIR]] == [cfir]


def test_of_two_on_the_same_day_the_one_entered_last_counts(session, store, seed):
    store("5 organisation", date(2025, 1, 1), "simple")
    correction = store("5 organisation", date(2025, 1, 1), "complex")
    [latest] = latest_assessments([seed.programme])[seed.programme][Framework.NASSS]
    assert (latest.id, latest.rating) == (correction, "complex")


def test_latest_assessments_keeps_programmes_apart_and_lists_each_requested(session, store, seed):
    mine = store("3 value proposition", date(2024, 8, 1))
    partners = store("3 value proposition", date(2025, 2, 1), programme_id=seed.partner_programme)
    store("3 value proposition", date(2025, 3, 1), programme_id=seed.stranger_programme)  # not requested
    latest = latest_assessments([seed.programme, seed.partner_programme, 999_999])
    assert latest[seed.programme][Framework.NASSS][0].id == mine
    assert latest[seed.partner_programme][Framework.NASSS][0].id == partners
    assert latest[999_999] == {}
    assert set(latest) == {seed.programme, seed.partner_programme, 999_999}
    assert latest_assessments([]) == {}


def test_domains_come_in_canonical_order_and_unknown_names_last(session, store, seed):
    for domain in ("7 embedding and adaptation", "0 an older name", "1 condition", "4 adopter system"):
        store(domain, date(2024, 8, 1), framework=Framework.NASSS)
    nasss = [a.domain for a in latest_assessments([seed.programme])[seed.programme][Framework.NASSS]]
    assert nasss == ["1 condition", "4 adopter system", "7 embedding and adaptation", "0 an older name"]


def test_the_history_lists_every_assessment_newest_first_per_domain(session, store, seed):
    old = store("2 technology", date(2024, 7, 1))
    new = store("2 technology", date(2025, 1, 1))
    first = store("1 condition", date(2024, 7, 1))
    history = assessment_history(seed.programme)
    assert list(history) == [Framework.NASSS]
    assert [(domain, [a.id for a in items]) for domain, items in history[Framework.NASSS]] == [
        ("1 condition", [first]),
        ("2 technology", [new, old]),
    ]


def _new(**overrides: object) -> NewAssessment:
    fields: dict[str, object] = {
        "framework": Framework.CFIR, "domain": "available resources", "rating": "-2",
        "rationale": "Te weinig uren voor het servicecentrum.", "assessed_by_role": "hf_nurse",
        "assessed_on": date(2025, 1, 15),
    }  # fmt: skip
    return NewAssessment(**(fields | overrides))  # type: ignore[arg-type]


def test_add_assessment_stores_the_author(session, make_account, seed):
    author = db.session.get(User, make_account(Role.MANAGER).id)
    programme = db.session.get(Programme, seed.programme)
    saved = add_assessment(programme, author, _new())
    db.session.expire_all()
    stored = db.session.get(Assessment, saved.id)
    assert (stored.framework, stored.domain, stored.rating, stored.created_by_user_id) == (
        Framework.CFIR, "available resources", "-2", author.id,
    )  # fmt: skip


@pytest.mark.parametrize(
    "overrides",
    [{"domain": "1 condition"}, {"rating": "complex"}, {"framework": Framework.NASSS, "rating": "simple"}],
)
def test_add_assessment_refuses_a_domain_or_rating_of_another_framework(session, make_account, seed, overrides):
    author = db.session.get(User, make_account(Role.MANAGER).id)
    programme = db.session.get(Programme, seed.programme)
    with pytest.raises(ValueError, match="is not a"):
        add_assessment(programme, author, _new(**overrides))
    assert db.session.query(Assessment).count() == 0


@pytest.mark.parametrize(
    ("start", "earliest"),
    [
        (date(2024, 6, 1), date(2023, 6, 1)),
        (date(2024, 2, 29), date(2023, 2, 28)),
        (date(2025, 1, 1), date(2024, 1, 1)),
    ],
)
def test_the_earliest_date_is_a_year_before_the_start(start, earliest):
    assert earliest_assessment_date(Programme(start=start)) == earliest


def test_role_labels_offer_care_roles_and_others_but_not_the_patient_audience(session, seed):
    assert role_labels("en") == {
        "manager": "Manager", "project_lead": "Project lead", "external": "External (researcher, adviser)",
        "hf_nurse": "Heart failure nurse",
    }  # fmt: skip
    assert role_labels("nl")["hf_nurse"] == "Hartfalenverpleegkundige"


def test_every_domain_has_a_label_and_the_scales_are_the_rubrics():
    assert set(DOMAIN_LABELS) == {*NASSS_DOMAINS, *CFIR_CONSTRUCTS}
    assert len(NASSS_DOMAINS) == 7
    assert list(RATINGS[Framework.NASSS]) == ["simple", "complicated", "complex"]
    assert list(RATINGS[Framework.CFIR]) == ["-2", "-1", "0", "1", "2"]

"""`flask rpm link-credential / unlink-credential / list-sources`: which LRS credentials may send RPM statements."""

from __future__ import annotations

from sqlalchemy import select

from learning.db import db
from learning.rpm.models import RpmSource

KEY = "3f9c2a7be01d45c6a8e1"  # the form of a key `flask lrs create-credential` prints


def link(runner, organisation: str, key: str = KEY, *extra: str):
    return runner.invoke(args=["rpm", "link-credential", "--organisation", organisation, "--key", key, *extra])


def sources(app) -> list[tuple[int, str | None, str, str]]:
    with app.app_context():
        found = db.session.scalars(select(RpmSource).order_by(RpmSource.id)).all()
        return [(s.organisation_id, s.authority_home_page, s.authority_name, s.label) for s in found]


def test_link_by_id_stores_the_key_as_the_authority_name(app, runner, seed):
    result = link(runner, str(seed.organisation_id), KEY, "--label", "Luscii")
    assert result.exit_code == 0, result.output
    assert f"Linked credential {KEY} to Test Ziekenhuis (organisation {seed.organisation_id})" in result.output
    assert sources(app) == [(seed.organisation_id, None, KEY, "Luscii")]


def test_link_by_name_with_a_pinned_home_page(app, runner, seed):
    result = link(runner, "Andere Zorggroep", KEY, "--home-page", "https://lrs.example.org/xapi")
    assert result.exit_code == 0, result.output
    assert sources(app) == [(seed.other_organisation_id, "https://lrs.example.org/xapi", KEY, KEY)]


def test_one_credential_may_be_linked_to_two_organisations_but_once_to_each(app, runner, seed):
    assert link(runner, str(seed.organisation_id)).exit_code == 0
    assert link(runner, str(seed.other_organisation_id)).exit_code == 0
    again = link(runner, "Test Ziekenhuis")
    assert again.exit_code == 1
    assert f"credential {KEY} is linked to Test Ziekenhuis already" in again.output
    assert len(sources(app)) == 2


def test_link_refuses_an_unknown_organisation(app, runner, seed):
    for organisation in ("999999", "Geen Ziekenhuis"):
        result = link(runner, organisation)
        assert result.exit_code == 1
        assert f"no organisation with id or name {organisation!r}" in result.output
    assert sources(app) == []


def test_link_refuses_a_whole_key_secret_line_or_a_bad_home_page(app, runner, seed):
    pasted = link(runner, str(seed.organisation_id), f"{KEY}:s3cr3t")
    assert pasted.exit_code == 1
    assert "the part before ':' of the KEY:SECRET line" in pasted.output
    page = link(runner, str(seed.organisation_id), KEY, "--home-page", "lrs.example.org")
    assert page.exit_code == 1
    assert "must be an http(s) address" in page.output
    assert sources(app) == []


def test_unlink_removes_only_that_organisations_link(app, runner, seed):
    link(runner, str(seed.organisation_id))
    link(runner, str(seed.other_organisation_id))
    args = ["rpm", "unlink-credential", "--organisation", "Test Ziekenhuis", "--key", KEY]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert [organisation for organisation, *_ in sources(app)] == [seed.other_organisation_id]
    again = runner.invoke(args=args)
    assert again.exit_code == 1
    assert f"credential {KEY} is not linked to Test Ziekenhuis" in again.output


def test_list_sources_shows_organisation_key_and_home_page(runner, seed):
    link(runner, str(seed.organisation_id), KEY, "--label", "Luscii")
    link(runner, str(seed.other_organisation_id), "aa11bb22cc33dd44ee55", "--home-page", "https://lrs.example.org/xapi")
    lines = runner.invoke(args=["rpm", "list-sources"]).output.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[:4] == ["org", str(seed.other_organisation_id), "Andere", "Zorggroep"]
    assert "aa11bb22cc33dd44ee55" in lines[0]
    assert "https://lrs.example.org/xapi" in lines[0]
    assert KEY in lines[1]
    assert "*" in lines[1].split()
    assert lines[1].endswith("Luscii")

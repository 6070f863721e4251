"""Only a credential linked to the organisation that runs a programme may report on it: RPM statements sent with
real LRS credentials through /xapi, credentials linked with the real CLI, read back by the real sync."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from rpm_xapi_helpers import key_of, rows, rpm, run_sync, send

from learning.accounts.models import Organisation, Team
from learning.db import db
from learning.environments.models import Condition, Environment, Phase, Programme, ProgrammeTeam
from learning.rpm.models import Enrolment


def add_programme(organisation: Organisation, name: str) -> dict:
    environment = Environment(
        name=f"{name} omgeving", condition=Condition.HF, phase=Phase.DESIGN, start=date(2026, 1, 1)
    )
    programme = Programme(
        environment=environment,
        organisation=organisation,
        name=name,
        condition=Condition.HF,
        platform_name="Hartwacht",
        measurement_schedule={"weight": "daily"},
        alert_sla_minutes={"red": 60},
        start=date(2026, 1, 1),
    )
    db.session.add(programme)
    db.session.flush()
    db.session.add(ProgrammeTeam(programme_id=programme.id, team_id=organisation.teams[0].id))
    return {"id": programme.id, "team": organisation.teams[0].pseudonym}


@pytest.fixture
def world(app, organisation_id):
    """Two organisations, each running a programme."""
    with app.app_context():
        ours = db.session.get(Organisation, organisation_id)
        other = Organisation(name="Andere Zorggroep", kind="care_group")
        db.session.add(Team(organisation=other, name="Wijkteam Noord", kind="district_team"))
        db.session.flush()
        world = {"ours": ours.id, "other": other.id}
        world |= {
            "our_programme": add_programme(ours, "Hartfalen thuis"),
            "their_programme": add_programme(other, "Hartfalen wijk"),
        }
        db.session.commit()
    return world


@pytest.fixture
def credentials(make_lrs_auth, runner, world):
    """Two real LRS credentials with write access: 'linked' is linked to our organisation, 'stranger' to none."""
    linked = make_lrs_auth("statements/write", name="Hartwacht (ours)")
    stranger = make_lrs_auth("statements/write", name="Someone else")
    result = runner.invoke(
        args=["rpm", "link-credential", "--organisation", "Test Ziekenhuis", "--key", key_of(linked)]
    )
    assert result.exit_code == 0, result.output
    return {"linked": linked, "stranger": stranger}


def patients(app) -> set[tuple[int, str]]:
    return {(e.programme_id, e.patient_pid) for e in rows(app, Enrolment)}


def test_only_the_linked_credential_can_report_for_the_organisation(app, client, world, credentials):
    ours = world["our_programme"]
    accepted = rpm("enrolled", ours, actor="P-1")
    spoofed = rpm("enrolled", ours, actor="P-2")
    send(client, credentials["linked"], [accepted])
    send(client, credentials["stranger"], [spoofed])

    report = run_sync(app)

    assert patients(app) == {(ours["id"], "P-1")}
    assert report.rpm_statements == 1
    [rejected] = report.rejected
    assert report.skipped == [rejected]
    assert rejected.statement_id == spoofed["id"]
    stranger = key_of(credentials["stranger"])
    assert rejected.reason.startswith(
        f"credential {stranger} (authority homePage http://localhost/xapi) is not linked to organisation "
        f"{world['ours']}, which runs programme {ours['id']}"
    )
    assert f"flask rpm link-credential --organisation {world['ours']} --key {stranger}" in rejected.reason


def test_a_linked_credential_cannot_report_for_another_organisation(app, client, world, credentials):
    theirs = world["their_programme"]
    send(client, credentials["linked"], [rpm("enrolled", theirs, actor="P-9")])

    report = run_sync(app)

    assert patients(app) == set()
    [rejected] = report.rejected
    assert f"is not linked to organisation {world['other']}, which runs programme {theirs['id']}" in rejected.reason


def test_linking_the_other_credential_to_the_other_organisation_accepts_it_there_only(
    app, client, runner, world, credentials
):
    key = key_of(credentials["stranger"])
    assert (
        runner.invoke(args=["rpm", "link-credential", "--organisation", str(world["other"]), "--key", key]).exit_code
        == 0
    )
    theirs, ours = world["their_programme"], world["our_programme"]
    send(client, credentials["stranger"], [rpm("enrolled", theirs, actor="P-7"), rpm("enrolled", ours, actor="P-8")])

    report = run_sync(app)

    assert patients(app) == {(theirs["id"], "P-7")}
    assert len(report.rejected) == 1


def test_an_authority_the_sender_writes_itself_is_replaced_by_the_lrs(app, client, world, credentials):
    # the stranger claims the linked credential's authority; the LRS stamps its own credential instead
    forged = rpm("enrolled", world["our_programme"], actor="P-3")
    forged["authority"] = {"objectType": "Agent", "account": {"homePage": "http://localhost/xapi",
                                                              "name": key_of(credentials["linked"])}}  # fmt: skip
    send(client, credentials["stranger"], [forged])

    report = run_sync(app)

    assert patients(app) == set()
    assert [s.statement_id for s in report.rejected] == [forged["id"]]


def test_unlinking_rejects_what_comes_next_and_keeps_what_was_imported(app, client, runner, world, credentials):
    ours = world["our_programme"]
    send(client, credentials["linked"], [rpm("enrolled", ours, actor="P-1")])
    run_sync(app)
    key = key_of(credentials["linked"])
    result = runner.invoke(args=["rpm", "unlink-credential", "--organisation", str(world["ours"]), "--key", key])
    assert result.exit_code == 0, result.output
    send(client, credentials["linked"], [rpm("enrolled", ours, actor="P-2")])

    report = run_sync(app)

    assert patients(app) == {(ours["id"], "P-1")}
    assert len(report.rejected) == 2  # P-1's statement is within the re-read margin: rejected now, its row stays


def test_a_pinned_home_page_must_match_the_authority(app, client, runner, make_lrs_auth, world):
    pinned = make_lrs_auth("statements/write", name="Hartwacht via its own host name")
    args = ["rpm", "link-credential", "--organisation", str(world["ours"]), "--key", key_of(pinned)]
    assert runner.invoke(args=[*args, "--home-page", "https://lrs.vtc.test/xapi"]).exit_code == 0
    ours = world["our_programme"]
    right, wrong = rpm("enrolled", ours, actor="P-1"), rpm("enrolled", ours, actor="P-2")
    response = client.post("/xapi/statements", json=[right], headers=pinned, base_url="https://lrs.vtc.test")
    assert response.status_code == 200
    send(client, pinned, [wrong])  # through http://localhost: another authority homePage

    report = run_sync(app)

    assert patients(app) == {(ours["id"], "P-1")}
    assert [s.statement_id for s in report.rejected] == [wrong["id"]]


def test_rejections_are_logged_and_listed_by_the_cli(app, client, runner, world, credentials, caplog):
    spoofed = rpm("enrolled", world["our_programme"], actor="P-2")
    send(client, credentials["stranger"], [spoofed])

    with caplog.at_level(logging.WARNING, logger="learning.tracking.sync"):
        result = runner.invoke(args=["xapi", "sync"])

    assert result.exit_code == 0, result.output
    assert f"rejected {spoofed['id']}: credential {key_of(credentials['stranger'])}" in result.output
    assert "0 skipped, 1 rejected (credential not linked" in result.output
    [logged] = caplog.records
    assert logged.getMessage().startswith(f"xAPI sync rejected statement {spoofed['id']}: credential ")


def test_statements_that_are_not_rpm_are_not_checked_for_their_sender(app, client, world, credentials):
    other = {
        "actor": {"objectType": "Agent", "account": {"homePage": "https://elsewhere.test", "name": "x"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "https://elsewhere.test/activity"},
    }
    send(client, credentials["stranger"], [other])

    report = run_sync(app)

    assert (report.ignored, report.skipped) == (1, [])

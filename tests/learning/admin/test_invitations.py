"""Invitation codes: unambiguous, compared loosely, used a set number of times, until a date, revocable."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from admin_helpers import Region, actor
from helpers import PASSWORD

from learning.accounts.models import Invitation, Role
from learning.accounts.services import AccountError, Registration, find_invitation, register
from learning.admin import invitations
from learning.admin.invitations import InvitationData, Status
from learning.admin.scope import AdminError, OutOfScope
from learning.db import db, utcnow


def _register(code: str, n: int) -> None:
    register(Registration(code, f"person{n}@example.test", PASSWORD))


def test_generated_codes_avoid_letters_and_digits_that_look_alike(region: Region) -> None:
    codes = {invitations.new_code() for _ in range(300)}
    assert len(codes) == 300
    for code in codes:
        assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", code), code
    assert not set("".join(codes)) & set("0O1I")


def test_a_code_works_in_any_case_with_spaces_and_without_its_hyphen(region: Region) -> None:
    made = invitations.create_invitation(
        actor(region.manager_x), region.org_x, InvitationData(Role.PATIENT, max_uses=5)
    )
    loose = f"  {made.code.lower().replace('-', ' ')[:3]} {made.code.lower().replace('-', '')[3:]} "
    found = find_invitation(loose)
    assert found is not None
    assert found.id == made.id
    assert find_invitation(made.code.replace("-", "")) is not None
    assert find_invitation("") is None
    assert find_invitation(" - ") is None


def test_a_single_use_code_works_once_and_n_uses_n_times(region: Region) -> None:
    manager = actor(region.manager_x)
    once = invitations.create_invitation(manager, region.org_x, InvitationData(Role.PATIENT))
    _register(once.code.lower(), 1)
    with pytest.raises(AccountError):
        _register(once.code, 2)
    three = invitations.create_invitation(manager, region.org_x, InvitationData(Role.CAREGIVER, max_uses=3))
    for n in range(3, 6):
        _register(three.code, n)
    with pytest.raises(AccountError):
        _register(three.code, 6)
    db.session.refresh(three)
    assert (three.uses, invitations.status(three)) == (3, Status.USED_UP)


def test_an_expired_or_revoked_code_no_longer_works(region: Region) -> None:
    manager = actor(region.manager_x)
    expiring = invitations.create_invitation(manager, region.org_x, InvitationData(Role.PATIENT, max_uses=9))
    assert expiring.expires_at is not None
    assert expiring.expires_at - utcnow() > timedelta(days=invitations.DEFAULT_DAYS)
    expiring.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(AccountError):
        _register(expiring.code, 1)
    revoked = invitations.create_invitation(manager, region.org_x, InvitationData(Role.PATIENT, max_uses=9))
    _register(revoked.code, 2)
    invitations.revoke(manager, region.org_x, revoked.id)
    with pytest.raises(AccountError):
        _register(revoked.code, 3)
    listed = {inv.id: invitations.status(inv) for inv in invitations.invitations_of(manager, region.org_x)}
    assert listed == {expiring.id: Status.EXPIRED, revoked.id: Status.REVOKED}


def test_limits_and_scope_of_new_codes(region: Region) -> None:
    manager = actor(region.manager_x)
    refusals = {
        "uses-out-of-range": InvitationData(Role.PATIENT, max_uses=0),
        "expiry-out-of-range": InvitationData(Role.PATIENT, expires_on=utcnow().date() - timedelta(days=1)),
        "team-unknown": InvitationData(Role.PATIENT, team_id=region.team_y),
        "role-not-allowed": InvitationData(Role.ADMIN),
    }
    for reason, data in refusals.items():
        with pytest.raises(AdminError) as refused:
            invitations.create_invitation(manager, region.org_x, data)
        assert refused.value.reason == reason
    with pytest.raises(OutOfScope):
        invitations.create_invitation(manager, region.org_y, InvitationData(Role.PATIENT))
    theirs = invitations.create_invitation(actor(region.manager_y), region.org_y, InvitationData(Role.PATIENT))
    with pytest.raises(OutOfScope):
        invitations.revoke(manager, region.org_x, theirs.id)
    assert db.session.get(Invitation, theirs.id).revoked_at is None  # type: ignore[union-attr]

"""The provider on a loopback port, and the test hospital with single sign-on at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from helpers import TEST_SECRET_KEY
from oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider, running_provider
from sso_helpers import DOMAIN

from learning.admin.scope import Actor
from learning.sso import settings


@pytest.fixture
def provider() -> Iterator[Provider]:
    with running_provider() as running:
        yield running


@pytest.fixture
def sso_org(app: Flask, organisation_id: int, provider: Provider) -> int:
    """The test hospital with single sign-on at the provider: VTC.Author gives author, cardio the first team."""
    with app.app_context():
        data = settings.SsoData(provider.issuer, CLIENT_ID, CLIENT_SECRET, DOMAIN, "roles", "VTC.Author = author",
                                "groups", "cardio = Hartfalenpoli")  # fmt: skip
        settings.save(Actor.shell(), organisation_id, data, [TEST_SECRET_KEY])
    return organisation_id

"""Forwarding refuses loopback, link-local and private addresses unless LRS_FORWARD_ALLOW_PRIVATE allows them:
when a target is configured (CLI, admin page, service) and again at every delivery."""

from __future__ import annotations

import ipaddress

import pytest
from helpers import csrf_token
from sqlalchemy import select
from xapi_helpers import make_statement, post

from learning.accounts.models import Role
from lrs.service.forwarding import ForwardingError, forwarding_status, set_forwarding
from lrs.service.forwarding.addresses import RefusedAddress, connect, endpoint_refusal, is_refused
from lrs.store.tables import forward_target

INTERNAL = [
    "http://127.0.0.1:9/xapi/",
    "http://localhost/xapi/",
    "http://[::1]/xapi/",
    "http://169.254.169.254/latest/meta-data/",  # the cloud metadata service
    "http://10.1.2.3/xapi/",
    "https://172.16.0.5/xapi/",
    "http://192.168.1.1/xapi/",
    "http://[fe80::1]/xapi/",
    "http://[::ffff:127.0.0.1]/xapi/",
    "http://0/xapi/",  # 0.0.0.0
    "http://2130706433/xapi/",  # 127.0.0.1 written as one number
    "http://100.64.0.1/xapi/",  # carrier-grade NAT
]


@pytest.fixture
def app_config(app_config):
    """The default: private addresses refused (the rest of the forwarding tests allow them for their target)."""
    return {**app_config, "LRS_FORWARD_ALLOW_PRIVATE": False}


@pytest.mark.parametrize("endpoint", INTERNAL)
def test_configuring_an_internal_target_is_refused(app, make_client, endpoint):
    ext = app.extensions["lrs"]
    with pytest.raises(ForwardingError) as refused:
        set_forwarding(ext.engine, ext.forwarder.settings, make_client("t").key, endpoint, "k", "s")
    assert refused.value.field == "address"
    assert "LRS_FORWARD_ALLOW_PRIVATE" in str(refused.value)
    with ext.engine.connect() as conn:
        assert conn.execute(select(forward_target)).all() == []


@pytest.mark.parametrize("endpoint", ["https://93.184.216.34/xapi/", "https://[2a00:1450:4001::1]/xapi/"])
def test_public_addresses_and_names_that_do_not_resolve_yet_are_accepted(app, make_client, endpoint):
    ext = app.extensions["lrs"]
    set_forwarding(ext.engine, ext.forwarder.settings, make_client("t").key, endpoint, "k", "s")
    assert endpoint_refusal("https://lrs.partner.invalid/xapi/") is None  # checked again at delivery


def test_the_setting_allows_internal_targets(make_app, make_client):
    allowing = make_app(LRS_FORWARD_ALLOW_PRIVATE=True)
    ext = allowing.extensions["lrs"]
    set_forwarding(ext.engine, ext.forwarder.settings, make_client("t").key, "http://10.1.2.3/xapi/", "k", "s")


def test_the_cli_refuses_an_internal_target(runner, make_client):
    key = make_client("t").key
    endpoint = "http://169.254.169.254/xapi/"
    result = runner.invoke(
        args=["lrs", "set-forwarding", key, "--endpoint", endpoint, "--target-key", "k", "--target-secret", "s"]
    )
    assert result.exit_code != 0
    assert "169.254.169.254" in result.output


def test_the_admin_page_explains_the_refusal(client, login, make_user, make_client):
    login(make_user(Role.ADMIN))
    page = "/admin/lrs/forwarding"
    data = {"csrf_token": csrf_token(client, page), "version": "1.0.3", "credential": make_client("t").key,
            "endpoint": "http://localhost:5432/xapi/", "username": "k", "secret": "s"}  # fmt: skip
    assert client.post(page, data=data).status_code == 302
    assert "Doorsturen gaat alleen naar openbare adressen" in client.get(page).get_data(as_text=True)


def test_delivery_checks_the_address_again(app, make_app, make_client, target_lrs):
    """A target stored while allowed (or whose name later resolves inward) gets nothing while refused."""
    target_lrs.start()
    source = make_client("forwarding organisation")
    allowing = make_app(LRS_FORWARD_ALLOW_PRIVATE=True)
    ext = allowing.extensions["lrs"]
    set_forwarding(ext.engine, ext.forwarder.settings, source.key, target_lrs.endpoint, target_lrs.key,
                   target_lrs.secret)  # fmt: skip
    ids = post(app.test_client(), source.headers, make_statement()).json

    assert app.extensions["lrs"].forwarder.flush().delivered == 0
    assert target_lrs.recorder.posts == 0  # not even contacted
    [status] = forwarding_status(app.extensions["lrs"].engine)
    assert status.queued == 1
    assert "127.0.0.1, a loopback, link-local or private address" in status.last_error

    assert allowing.extensions["lrs"].forwarder.flush().delivered == 1
    assert target_lrs.stored_ids() == ids


@pytest.mark.parametrize(("address", "refused"), [
    ("8.8.8.8", False), ("2001:4860:4860::8888", False), ("127.0.0.2", True), ("::", True), ("224.0.0.1", True),
    ("192.0.2.1", True), ("fc00::1", True), ("::ffff:10.0.0.1", True),
])  # fmt: skip
def test_which_addresses_are_refused(address, refused):
    assert is_refused(ipaddress.ip_address(address)) is refused


def test_connect_refuses_a_name_resolving_to_loopback():
    with pytest.raises(RefusedAddress, match="localhost is or resolves to"):
        connect(("localhost", 9), timeout=1)

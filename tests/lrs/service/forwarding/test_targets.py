"""Target settings: the secret is stored encrypted, bad settings are refused, status never shows the secret."""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import InvalidToken
from sqlalchemy import select
from xapi_helpers import make_statement, post

from lrs.service.forwarding import ForwardingError, ForwardSettings, forwarding_status, set_forwarding
from lrs.service.forwarding.settings import make_cipher
from lrs.store.tables import forward_target


def target_row(app):
    with app.extensions["lrs"].engine.connect() as conn:
        return conn.execute(select(forward_target)).one()


def test_the_target_secret_is_stored_encrypted_not_in_plain_text(app, forwarding, target_lrs):
    row = target_row(app)
    assert target_lrs.secret not in " ".join(str(value) for value in row)
    settings = app.extensions["lrs"].forwarder.settings
    assert settings.cipher.decrypt(row.secret_token.encode()).decode() == target_lrs.secret


def test_the_key_comes_from_lrs_forward_key_when_configured(app):
    default = ForwardSettings.from_config({"SECRET_KEY": "s"})
    own = ForwardSettings.from_config({"SECRET_KEY": "s", "LRS_FORWARD_KEY": "k"})
    token = own.cipher.encrypt(b"secret")
    assert make_cipher("k").decrypt(token) == b"secret"
    with pytest.raises(InvalidToken):
        default.cipher.decrypt(token)


def test_a_secret_that_cannot_be_decrypted_fails_the_target_visibly(app, forwarding, target_lrs, make_app, caplog):
    """SECRET_KEY rotated without LRS_FORWARD_KEY: the queue waits with a clear error, the secret never leaks."""
    target_lrs.start()
    assert post(app.test_client(), forwarding.headers, make_statement()).status_code == 200
    rotated = make_app(SECRET_KEY="another-secret-key")
    with caplog.at_level(logging.INFO):
        assert rotated.extensions["lrs"].forwarder.flush().delivered == 0
    [status] = forwarding_status(app.extensions["lrs"].engine)
    assert status.queued == 1
    assert "cannot be decrypted" in status.last_error
    assert target_lrs.secret not in caplog.text


@pytest.mark.parametrize(
    ("field", "endpoint", "username", "secret", "version"),
    [
        ("endpoint", "ftp://lrs.example.org/xapi", "k", "s", "1.0.3"),
        ("endpoint", "https://user:pw@lrs.example.org/xapi", "k", "s", "1.0.3"),
        ("endpoint", "lrs.example.org/xapi", "k", "s", "1.0.3"),
        ("username", "https://lrs.example.org/xapi", "a:b", "s", "1.0.3"),
        ("version", "https://lrs.example.org/xapi", "k", "s", "0.95"),
        ("secret", "https://lrs.example.org/xapi", "k", None, "1.0.3"),
    ],
)
def test_bad_target_settings_are_refused(app, make_client, field, endpoint, username, secret, version):
    ext = app.extensions["lrs"]
    key = make_client("tool").key
    with pytest.raises(ForwardingError) as refused:
        set_forwarding(ext.engine, ext.forwarder.settings, key, endpoint, username, secret, version)
    assert refused.value.field == field


def test_an_unknown_credential_is_refused(app):
    ext = app.extensions["lrs"]
    with pytest.raises(ForwardingError, match="no credential"):
        set_forwarding(ext.engine, ext.forwarder.settings, "nope", "https://lrs.example.org/xapi", "k", "s")


def test_setting_a_target_again_without_a_secret_keeps_the_stored_one(app, forwarding, target_lrs):
    ext = app.extensions["lrs"]
    set_forwarding(ext.engine, ext.forwarder.settings, forwarding.key, "https://other.example.org/xapi", "k2", None)
    row = target_row(app)
    assert (row.endpoint, row.username) == ("https://other.example.org/xapi", "k2")
    assert ext.forwarder.settings.cipher.decrypt(row.secret_token.encode()).decode() == target_lrs.secret

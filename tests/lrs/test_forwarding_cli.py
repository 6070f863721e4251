"""`flask lrs set-forwarding|forwarding-status|forward-flush|forward-retry-dead` with a real target."""

from __future__ import annotations

from xapi_helpers import make_statement, post


def test_set_forwarding_then_flush_delivers_and_status_shows_the_queue(app, runner, make_client, target_lrs):
    client = make_client("zgt")
    result = runner.invoke(
        args=["lrs", "set-forwarding", client.key, "--endpoint", target_lrs.endpoint,
              "--target-key", target_lrs.key, "--target-secret", target_lrs.secret]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert target_lrs.secret not in result.output
    ids = post(app.test_client(), client.headers, [make_statement(), make_statement()]).json
    status = runner.invoke(args=["lrs", "forwarding-status"]).output
    assert f"{client.key}  active  -> {target_lrs.endpoint} (xAPI 1.0.3)" in status
    assert "queued: 2" in status
    assert "last error" not in status
    assert target_lrs.secret not in status
    flushed = runner.invoke(args=["lrs", "forward-flush"]).output
    assert "The target of" in flushed  # it is not up yet
    assert "last error: unreachable" in runner.invoke(args=["lrs", "forwarding-status"]).output
    target_lrs.start()
    assert "Delivered 2 statement(s)" in runner.invoke(args=["lrs", "forward-flush"]).output
    assert target_lrs.stored_ids() == ids
    assert "queued: 0" in runner.invoke(args=["lrs", "forwarding-status"]).output


def test_set_forwarding_refuses_an_unknown_credential_and_a_bad_endpoint(runner, make_client):
    unknown = runner.invoke(args=["lrs", "set-forwarding", "nope", "--endpoint", "https://x.example/xapi",
                                  "--target-key", "k", "--target-secret", "s"])  # fmt: skip
    assert unknown.exit_code != 0
    assert "no credential with key nope" in unknown.output
    key = make_client("tool").key
    bad = runner.invoke(args=["lrs", "set-forwarding", key, "--endpoint", "javascript:alert(1)",
                              "--target-key", "k", "--target-secret", "s"])  # fmt: skip
    assert bad.exit_code != 0
    assert "http(s) URL" in bad.output


def test_retry_dead_needs_a_credential_with_a_target(runner, make_client):
    result = runner.invoke(args=["lrs", "forward-retry-dead", make_client("tool").key])
    assert result.exit_code != 0
    assert "has no forwarding target" in result.output


def test_status_without_targets_says_so(runner):
    assert "No credential forwards its statements." in runner.invoke(args=["lrs", "forwarding-status"]).output

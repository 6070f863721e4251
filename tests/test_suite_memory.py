"""The suite's own memory: what one test made must not outlive it.

Each live-server test once left its InFlight (and so its app, engines and pages) in its test item's stash, and the
items live to the end of the run: by the end the pytest process held about 1 GB, and each full garbage collection
walked all of it (up to 3 s a time, about a fifth of the run). tests/conftest.py also freezes what collection made.
"""

from __future__ import annotations

import gc
import urllib.request
import weakref

import pytest
from flask import Flask
from live_server import IN_FLIGHT, serving


def test_a_live_server_leaves_nothing_behind_in_its_test_item(app: Flask, request: pytest.FixtureRequest) -> None:
    with serving(app, request.node) as server:
        with urllib.request.urlopen(f"{server.url}/login", timeout=10) as response:  # noqa: S310 (loopback)
            assert response.status == 200
        in_flight = weakref.ref(request.node.stash[IN_FLIGHT])
    gc.collect()
    assert IN_FLIGHT not in request.node.stash
    assert in_flight() is None, gc.get_referrers(in_flight())


def test_what_collection_made_is_frozen_out_of_the_garbage_collector() -> None:
    assert gc.get_freeze_count() > 10_000

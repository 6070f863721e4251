"""Fixtures of the metric tests."""

from __future__ import annotations

import pytest
from flask import Flask
from metrics_helpers import World


@pytest.fixture
def world(ctx: Flask) -> World:
    return World()


@pytest.fixture
def sum_rules(app):
    """Recompute with rules 2-3 before the audit (METRICS_SUM_RULES), the rules these tests are about."""
    app.config["METRICS_SUM_RULES"] = True
    yield
    app.config["METRICS_SUM_RULES"] = False

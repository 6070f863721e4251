"""Fixtures of the metric tests."""

from __future__ import annotations

import pytest
from flask import Flask
from metrics_helpers import World


@pytest.fixture
def world(ctx: Flask) -> World:
    return World()

"""The region of the admin tests, in an app context."""

from __future__ import annotations

import pytest
from admin_helpers import Region, make_region
from flask import Flask


@pytest.fixture
def region(ctx: Flask) -> Region:
    return make_region()

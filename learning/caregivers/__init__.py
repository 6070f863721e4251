"""Caregivers see a patient's progress only while the patient allows it (issue: consented caregiver access)."""

from __future__ import annotations

from flask import Flask

from learning.caregivers.views import bp


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

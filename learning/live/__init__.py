"""Live figures: a background job per worker keeps the dashboards within LIVE_SYNC_SECONDS of the records.

Configuration: LIVE_SYNC_SECONDS (env LMS_LIVE_SYNC_SECONDS), default 30; 0 turns the job off (tests, or a
deployment that runs `flask xapi sync` from cron). Off by default under TESTING, so only the tests that want it
run it.
"""

from __future__ import annotations

from flask import Flask

from learning.live.runner import LiveSync, last_update, run_once

__all__ = ["init_app", "last_update", "run_once"]
DEFAULT_SECONDS = 30.0


def init_app(app: Flask) -> None:
    """Start the job lazily on each worker's first request when an interval is set."""
    interval = float(app.config.get("LIVE_SYNC_SECONDS", 0 if app.testing else DEFAULT_SECONDS))
    if interval <= 0:
        return
    job = LiveSync(app, interval)
    app.extensions["vtc.live_sync"] = job
    app.before_request(job.ensure_started)

"""Live figures: a background job per worker keeps the dashboards within LIVE_SYNC_SECONDS of the records.

Configuration: LIVE_SYNC_SECONDS (env LMS_LIVE_SYNC_SECONDS), default 30; 0 turns the job off (tests, or a
deployment that runs `flask xapi sync` from cron). Off by default under TESTING, so only the tests that want it
run it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_time
from flask import Flask
from flask_babel import get_locale, gettext

from learning.live.runner import LiveSync, last_update, run_once

__all__ = ["init_app", "last_update", "run_once", "updated_at_text"]
DEFAULT_SECONDS = 30.0
LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")  # the clock a manager in Twente reads


def updated_at_text(fallback: datetime | None = None) -> str:
    """ "Bijgewerkt om 10:42" (today) or "… op 4 dec. 2026 om 10:42": when the figures were last brought up to date
    by the live job, else when they were last computed (`fallback`); empty when neither is known."""
    at = last_update() or fallback
    if at is None:
        return ""
    local, locale = at.astimezone(LOCAL_ZONE), str(get_locale())
    today = datetime.now(LOCAL_ZONE).date()
    if local.date() == today:
        return gettext("Updated at %(time)s", time=format_time(local, "HH:mm", locale=locale))
    return gettext("Updated on %(when)s", when=format_datetime(local, "d MMM yyyy, HH:mm", locale=locale))


def init_app(app: Flask) -> None:
    """Start the job lazily on each worker's first request when an interval is set."""
    app.jinja_env.globals["figures_updated_at"] = updated_at_text
    interval = float(app.config.get("LIVE_SYNC_SECONDS", 0 if app.testing else DEFAULT_SECONDS))
    if interval <= 0:
        return
    job = LiveSync(app, interval)
    app.extensions["vtc.live_sync"] = job
    app.before_request(job.ensure_started)

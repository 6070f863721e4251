"""Reading preferences per person: text size, contrast and read-aloud voice and rate.

Stored on the account for people who are logged in, in the (signed cookie) session for visitors, and rendered on
<html> by base.html so the CSS and the read-aloud script can use them on every page.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the settings page and make the current preferences available to every template."""
    from learning.preferences.services import current_preferences
    from learning.preferences.views import bp

    app.register_blueprint(bp)
    app.jinja_env.globals["preferences"] = current_preferences

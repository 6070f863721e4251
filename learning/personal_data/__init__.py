"""Download all my data: a person's copy of everything the platform keeps about them, as JSON and as a page.

Public surface: init_app().
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the pages under /account/data."""
    from learning.personal_data.views import bp

    app.register_blueprint(bp)

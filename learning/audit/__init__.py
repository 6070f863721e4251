"""The access log: every read of a person's learning data and every dashboard read, in a tamper-evident hash chain.

Public surface: init_app() (the /audit/ page and `flask audit verify`), and for the rest of the LMS and app.py
`record_read()` and `record_statements_read()` from learning.audit.recording.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the log's page and its CLI."""
    # Imported here: learning.audit.models is loaded with every model, and must not pull in the web layer.
    from learning.audit.cli import cli
    from learning.audit.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(cli)

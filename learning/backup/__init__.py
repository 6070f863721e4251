"""Backups of both databases (the LMS's and the LRS's): `flask backup PATH` and `flask restore PATH`.

Public surface: init_app(). The work is done by learning.backup.databases, which knows databases only by their
URLs, so it copies the LRS's tables without importing the LRS.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register `flask backup` and `flask restore`."""
    from learning.backup.cli import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)

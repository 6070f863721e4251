"""The words around exported figures: which month, when computed, and what was hidden and why."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime
from flask_babel import gettext as _

from learning.dashboards.values import month_label
from learning.metrics.periods import Period


def report_subtitle(month: Period, computed_at: datetime | None, locale: str) -> str:
    """Return "Month: Oct 2026 · computed 24 Nov 2026 06:30" so a printed page says what it shows."""
    computed = format_datetime(computed_at, "d MMM yyyy HH:mm", locale=locale) if computed_at else "–"
    return _("Month: %(month)s · computed %(computed)s", month=month_label(month, locale), computed=computed)


def report_notes() -> list[str]:
    """Return the reading notes every export carries."""
    return [
        _(
            "Groups of fewer than 5 staff or 10 patients are hidden, and so is any figure from which a hidden one "
            "could be worked out."
        ),
        _(
            "Where a group is large enough but fewer than 5 staff or 10 patients in it have what is counted, the "
            'figure is shown as a band (for example "fewer than 5 of 20"), never as the exact number.'
        ),
        _(
            "Team, organisation, environment and region figures are each counted from the people themselves "
            "(sum of numerators / sum of denominators), never as an average of percentages."
        ),
        _("Definitions of every figure: see 'Definitions' in the VTC dashboards."),
    ]

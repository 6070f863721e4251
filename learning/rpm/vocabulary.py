"""The fixed codes RPM records use, shared by ingestion, the demo generator and the metrics.

Drop-out (docs/metrics.md, "Patient periods") counts only patient_choice, technical and other; ALERT_ACTIONABLE
counts the outcomes contact and treatment_change.
"""

from __future__ import annotations

DISENROL_REASONS = (
    "patient_choice",
    "technical",
    "other",
    "death",
    "transfer",
    "planned_end",
    "graduation",
)
DROPOUT_REASONS = ("patient_choice", "technical", "other")

ACTION_TYPES = ("acknowledged", "contacted", "escalated")
OUTCOMES = ("no_action", "contact", "treatment_change", "referral", "admission")
ACTIONABLE_OUTCOMES = ("contact", "treatment_change")

# What one member of staff did for RPM on one day; each is a count.
STAFF_ACTIONS = ("enrolments", "reviews", "alerts_handled", "contacts")

SOURCES = ("ehr", "manual")  # where an eligible count came from

"""Import every model so metadata-wide tools (Alembic, test clean-up) see all tables."""

from learning.accounts.models import Invitation, LoginFailure, Organisation, Team, User
from learning.audit.models import AccessLogEntry
from learning.authoring.models import Draft, DraftEvent, DraftFile
from learning.caregivers.models import CareLink
from learning.content.models import Module, ModuleApproval, ModuleFile, ModuleText
from learning.environments.models import (
    Assessment,
    Curriculum,
    Environment,
    PatientLink,
    Programme,
    ProgrammeTeam,
    StaffMember,
    StaffMembership,
    StaffRole,
)
from learning.metrics.models import MetricDefinition, MetricValue, SyncCursor, TrainingEvent
from learning.player.models import Attempt, AttemptAnswer, AttemptStep
from learning.rpm.models import Alert, ApiKey, DailyMeasurement, EligibleCount, Enrolment, StaffActivity
from learning.sso.models import OidcProvider
from learning.tracking.models import OutboxStatement

__all__ = [
    "AccessLogEntry",
    "Alert",
    "ApiKey",
    "Assessment",
    "Attempt",
    "AttemptAnswer",
    "AttemptStep",
    "CareLink",
    "Curriculum",
    "DailyMeasurement",
    "Draft",
    "DraftEvent",
    "DraftFile",
    "EligibleCount",
    "Enrolment",
    "Environment",
    "Invitation",
    "LoginFailure",
    "MetricDefinition",
    "MetricValue",
    "Module",
    "ModuleApproval",
    "ModuleFile",
    "ModuleText",
    "OidcProvider",
    "Organisation",
    "OutboxStatement",
    "PatientLink",
    "Programme",
    "ProgrammeTeam",
    "StaffActivity",
    "StaffMember",
    "StaffMembership",
    "StaffRole",
    "SyncCursor",
    "Team",
    "TrainingEvent",
    "User",
]

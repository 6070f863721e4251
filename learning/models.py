"""Import every model so metadata-wide tools (Alembic, test clean-up) see all tables."""

from learning.accounts.models import Invitation, LoginFailure, Organisation, Team, User
from learning.content.models import Module, ModuleText
from learning.player.models import Attempt, AttemptAnswer, AttemptStep
from learning.tracking.models import OutboxStatement

__all__ = [
    "Attempt",
    "AttemptAnswer",
    "AttemptStep",
    "Invitation",
    "LoginFailure",
    "Module",
    "ModuleText",
    "Organisation",
    "OutboxStatement",
    "Team",
    "User",
]

"""Single sign-on settings of one organisation: where its OpenID provider is and how its claims become roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.accounts.models import Organisation
from learning.db import Base, UTCDateTime, utcnow


class OidcProvider(Base):
    """An organisation's OpenID Connect provider (Entra ID, SURFconext, ...), set by a regional administrator.

    The client secret is stored encrypted with a key derived from the app's secret key (as the TOTP secrets are):
    a copy of the database alone cannot act as the organisation's client. It is never shown again after saving.
    The mappings are JSON objects from a claim value to a role value or a team id; they are read only when an
    account is made just in time, never to change an existing account's role.
    """

    __tablename__ = "oidc_provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    issuer: Mapped[str] = mapped_column(String(300))
    client_id: Mapped[str] = mapped_column(String(200))
    client_secret: Mapped[str] = mapped_column(Text)
    domains: Mapped[str] = mapped_column(Text, default="")  # lower-case, one space between domains
    role_claim: Mapped[str] = mapped_column(String(100), default="roles")
    role_map: Mapped[str] = mapped_column(Text, default="{}")
    team_claim: Mapped[str] = mapped_column(String(100), default="")
    team_map: Mapped[str] = mapped_column(Text, default="{}")
    default_role: Mapped[str] = mapped_column(String(20), default="professional")
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()

    @property
    def domain_list(self) -> list[str]:
        return self.domains.split()

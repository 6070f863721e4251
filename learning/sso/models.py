"""Single sign-on settings of one organisation: where its OpenID provider is and how its claims become roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.accounts.models import Organisation, User
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
    # The provider checks that its people own the addresses it issues (docs/signing-in.md, "Linking an account"):
    # only then may an address without `email_verified` link an existing account the first time.
    trust_email: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()

    @property
    def domain_list(self) -> list[str]:
        return self.domains.split()


class ExternalIdentity(Base):
    """A person's account at an organisation's provider, bound to their account here by (issuer, subject).

    OpenID Connect Core 5.7: only the pair of the token's `iss` and `sub` identifies a person for good; an e-mail
    address is reassigned to a successor, and some providers let people edit it. So after the first log-in an
    account is found by this pair alone, and what the token says about the address no longer matters. One binding
    per provider and account: another subject with the same address is someone else.
    """

    __tablename__ = "external_identity"
    __table_args__ = (
        UniqueConstraint("issuer", "subject", name="uq_external_identity_issuer_subject"),
        UniqueConstraint("user_id", "issuer", name="uq_external_identity_user_issuer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()

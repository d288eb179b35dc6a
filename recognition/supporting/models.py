"""The register of supporting-industry firms (công nghiệp hỗ trợ): what each firm makes, the
certifications it holds, whom it supplies; the Department's yearly figures; and the selections for
support that end the programme's rounds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recognition.accounts.models import Enterprise, Sector, User
from recognition.clock import utcnow
from recognition.extensions import Model, SurrogateKey, db, enum_check
from recognition.i18n import Bilingual
from recognition.labels import LabelledEnum
from recognition.rounds.models import Programme, Round


class SupportingSector(Bilingual, SurrogateKey, Model):
    """A supporting-industry sector (lĩnh vực CNHT), reference data; `sector_id` is the industrial
    sector an imported firm is filed under when it has none yet."""

    __tablename__ = "supporting_sectors"

    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    sector_id: Mapped[int] = mapped_column(ForeignKey("sectors.id"))

    sector: Mapped[Sector] = relationship()


class SupplierTier(LabelledEnum):
    """Where in a multinational's supply chain the firm sits."""

    tier1 = "tier1", _l("Tier 1: supplies the multinational directly")
    tier2 = "tier2", _l("Tier 2: supplies a tier-1 supplier")
    tier3 = "tier3", _l("Tier 3 or further")


class Standard(LabelledEnum):
    """The management-system standards multinationals ask their suppliers for."""

    iso_9001 = "iso_9001", "ISO 9001"
    iso_14001 = "iso_14001", "ISO 14001"
    iatf_16949 = "iatf_16949", "IATF 16949"
    iso_13485 = "iso_13485", "ISO 13485"
    as9100 = "as9100", "AS9100"
    other = "other", _l("Other standard")


class SupplierProfile(SurrogateKey, Model):
    """An enterprise's entry in the register: filled by the enterprise in its profile, kept up to date
    by the Department. One per enterprise, whichever programme it applies to."""

    __tablename__ = "supplier_profiles"
    __table_args__ = (
        CheckConstraint("tier IS NULL OR supplies_multinationals IS TRUE", name="tier_only_for_suppliers"),
        enum_check("tier", SupplierTier),
    )

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), unique=True)
    supporting_sector_id: Mapped[int] = mapped_column(ForeignKey("supporting_sectors.id"), index=True)
    # The components and products the firm makes, one per line.
    products: Mapped[str] = mapped_column(Text, default="")
    supplies_multinationals: Mapped[bool] = mapped_column(default=False)
    tier: Mapped[SupplierTier | None] = mapped_column(db.Enum(SupplierTier, native_enum=False, length=8))
    customers: Mapped[str] = mapped_column(Text, default="")
    # Active in supporting industries: the plan's count of firms (≈920) counts these.
    active: Mapped[bool] = mapped_column(default=True)
    # The firm agreed to appear in the public supplier directory.
    listing_consent: Mapped[bool] = mapped_column(default=False)
    # Name, products, sector and standards folded (no diacritics, lower case): the directory's search.
    search_folded: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    enterprise: Mapped[Enterprise] = relationship()
    supporting_sector: Mapped[SupportingSector] = relationship()
    updated_by: Mapped[User | None] = relationship()
    certifications: Mapped[list[FirmCertification]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", order_by="FirmCertification.id"
    )

    @property
    def product_lines(self) -> list[str]:
        return [line.strip() for line in self.products.splitlines() if line.strip()]


class FirmCertification(SurrogateKey, Model):
    """A certification the firm holds: standard, number, certification body, expiry. The sweep reminds
    the firm once before it expires (`reminded_for` is the expiry day it was reminded of)."""

    __tablename__ = "firm_certifications"
    __table_args__ = (
        UniqueConstraint("profile_id", "standard", "number", name="uq_firm_certifications_number"),
        CheckConstraint("standard <> 'other' OR standard_name <> ''", name="other_is_named"),
        enum_check("standard", Standard),
    )

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("supplier_profiles.id", ondelete="CASCADE"), index=True
    )
    standard: Mapped[Standard] = mapped_column(db.Enum(Standard, native_enum=False, length=12))
    # The standard's name when it is not one of the listed ones (e.g. ISO 45001).
    standard_name: Mapped[str] = mapped_column(String(120), default="")
    number: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(String(200), default="")
    expires_on: Mapped[dt.date | None] = mapped_column(index=True)
    reminded_for: Mapped[dt.date | None]

    profile: Mapped[SupplierProfile] = relationship(back_populates="certifications")

    @property
    def standard_label(self) -> str:
        return self.standard_name if self.standard == Standard.other else str(self.standard.label)

    def is_valid_on(self, day: dt.date) -> bool:
        return self.expires_on is None or self.expires_on >= day


class ProgrammeYearFigures(Model):
    """What the Department enters for a programme's year from the statistics office's figures: the
    supporting industries' share of manufacturing output and their production index's growth."""

    __tablename__ = "programme_year_figures"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    output_share_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    index_growth_percent: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    programme: Mapped[Programme] = relationship()


class Selection(SurrogateKey, Model):
    """An enterprise selected for support by the Department's decision: what a round whose outcome is
    selection grants instead of a certificate, with the confirmation letter's number."""

    __tablename__ = "support_selections"

    serial: Mapped[str] = mapped_column(String(40), unique=True)
    sequence: Mapped[int]
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    decision_number: Mapped[str] = mapped_column(String(60))
    decision_date: Mapped[dt.date]
    decision_signer: Mapped[str] = mapped_column(String(200), default="")
    issued_on: Mapped[dt.date]
    # The support the enterprise sought (SupportKind values), as submitted.
    support_areas: Mapped[list] = mapped_column(db.JSON, default=list)
    # As submitted, like a certificate's: the letter reads these, never the current names.
    enterprise_name: Mapped[str] = mapped_column(String(255))
    tax_code: Mapped[str] = mapped_column(String(14))
    product_name: Mapped[str] = mapped_column(String(255))

    round: Mapped[Round] = relationship()
    enterprise: Mapped[Enterprise] = relationship()

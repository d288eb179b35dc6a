"""The supporting-industries programme's numbers against Plan 35/KH-UBND's targets.

The rules, so that a hand count over the register gives the same figures:
- a firm is an entry of the register (SupplierProfile); it is *active* when its `active` flag is set;
- a certification is *valid* on a day when it has no expiry or expires that day or later;
- a *certified* firm is an active firm holding at least one certification valid today (the plan's
  ≈300 are "of them", of the ≈920 active firms); inactive firms count nowhere;
- a firm's unit is its enterprise's administrative unit today, its sector its supporting-industry
  sector; a unit or a sector without any active firm has no row;
- the output share and the index growth are the figures the Department entered for each year
  (ProgrammeYearFigures); the latest year is the latest with a row;
- a certification is *expiring* when it expires from today to EXPIRING_WITHIN_DAYS days after,
  inclusive, whether its firm is active or not (the sweep reminds every one of them, see
  recognition/supporting/reminders.py); it was *reminded* when the sweep reminded of that very expiry.

Each figure is one aggregate query (GROUP BY), whatever the number of firms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from recognition.accounts.models import AdministrativeUnit, Enterprise, User
from recognition.extensions import db
from recognition.reports.targets import Band, Progress
from recognition.rounds.models import Programme
from recognition.supporting.models import (
    FirmCertification,
    ProgrammeYearFigures,
    SupplierProfile,
    SupportingSector,
)

PROGRAMME_CODE = "CNHT"
PLAN_REFERENCE = _l("Plan 35/KH-UBND (2022)")
EXPIRING_WITHIN_DAYS = 90
EXPIRING_LISTED = 100


def supporting_programme() -> Programme | None:
    return db.session.scalar(select(Programme).where(Programme.code == PROGRAMME_CODE))


def valid_on(day: date) -> ColumnElement[bool]:
    """A certification without expiry, or expiring on `day` or later."""
    return or_(FirmCertification.expires_on.is_(None), FirmCertification.expires_on >= day)


def expiring_between(today: date) -> ColumnElement[bool]:
    """A certification expiring from `today` to EXPIRING_WITHIN_DAYS days later, both included."""
    return and_(
        FirmCertification.expires_on >= today,
        FirmCertification.expires_on <= today + timedelta(days=EXPIRING_WITHIN_DAYS),
    )


def _certified(today: date) -> ColumnElement[int]:
    """1 for a firm holding a certification valid today, else 0 (to sum per group)."""
    holds = exists().where(FirmCertification.profile_id == SupplierProfile.id, valid_on(today))
    return case((holds, 1), else_=0)


# Against the plan's targets ---------------------------------------------------------------------


@dataclass(frozen=True)
class Firms:
    active: Progress
    certified: Progress


def firms_against_targets(programme: Programme, today: date) -> Firms:
    """Active firms against the plan's ≈920, certified ones against its ≈300 ("at least" bands)."""
    active, certified = db.session.execute(
        select(func.count(SupplierProfile.id), func.coalesce(func.sum(_certified(today)), 0)).where(
            SupplierProfile.active.is_(True)
        )
    ).one()
    return Firms(
        active=Progress(int(active), Band(programme.target_firms)),
        certified=Progress(int(certified), Band(programme.target_certified_firms)),
    )


# By unit and by sector --------------------------------------------------------------------------


@dataclass(frozen=True)
class Breakdown:
    """The active firms of one unit or sector, and of them the certified ones."""

    key: int
    name: str
    active: int
    certified: int


def _counts_by(key: InstrumentedAttribute[int], today: date) -> dict[int, tuple[int, int]]:
    """{key: (active firms, certified firms)} over the active firms, `key` an expression over a firm
    (joined to its enterprise)."""
    firms = (
        select(key.label("key"), _certified(today).label("certified"))
        .select_from(SupplierProfile)
        .join(SupplierProfile.enterprise)
        .where(SupplierProfile.active.is_(True))
        .subquery()
    )
    rows = db.session.execute(
        select(firms.c.key, func.count(), func.sum(firms.c.certified)).group_by(firms.c.key)
    )
    return {key: (int(active), int(certified)) for key, active, certified in rows}


def _sorted(rows: list[Breakdown]) -> list[Breakdown]:
    return sorted(rows, key=lambda row: (-row.active, -row.certified, row.name))


def by_unit(today: date) -> list[Breakdown]:
    """Per administrative unit of the firm's enterprise (as the enterprise's record says today)."""
    counts = _counts_by(Enterprise.unit_id, today)
    units = db.session.scalars(select(AdministrativeUnit).where(AdministrativeUnit.id.in_(list(counts))))
    return _sorted([Breakdown(unit.id, unit.name, *counts[unit.id]) for unit in units])


def by_sector(today: date, locale: str) -> list[Breakdown]:
    """Per supporting-industry sector of the firm."""
    counts = _counts_by(SupplierProfile.supporting_sector_id, today)
    sectors = db.session.scalars(select(SupportingSector).where(SupportingSector.id.in_(list(counts))))
    return _sorted([Breakdown(s.id, s.name_for(locale), *counts[s.id]) for s in sectors])


# The Department's yearly figures ----------------------------------------------------------------


@dataclass(frozen=True)
class YearFigures:
    year: int
    output_share: Progress
    index_growth: Progress
    recorded_by: str | None
    recorded_at: datetime


def yearly_figures(programme: Programme) -> list[YearFigures]:
    """Every year the Department entered, the latest first, each against the plan's targets."""
    share_band = Band(programme.target_output_share_percent)
    growth_band = Band(programme.target_index_growth_percent)
    rows = db.session.execute(
        select(ProgrammeYearFigures, User.full_name)
        .outerjoin(User, User.id == ProgrammeYearFigures.recorded_by_id)
        .where(ProgrammeYearFigures.programme_id == programme.id)
        .order_by(ProgrammeYearFigures.year.desc())
    )
    return [
        YearFigures(
            year=figures.year,
            output_share=Progress(figures.output_share_percent, share_band),
            index_growth=Progress(figures.index_growth_percent, growth_band),
            recorded_by=name,
            recorded_at=figures.recorded_at,
        )
        for figures, name in rows
    ]


# Certifications expiring soon -------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiringCertification:
    """A certification about to expire, with its firm's enterprise as the list names it."""

    certification: FirmCertification
    enterprise_id: int
    enterprise: str
    tax_code: str

    @property
    def reminded(self) -> bool:
        """The sweep reminded the firm of this expiry (not of an earlier one)."""
        return self.certification.reminded_for == self.certification.expires_on


@dataclass(frozen=True)
class Expiring:
    total: int
    listed: list[ExpiringCertification]  # the soonest first, at most EXPIRING_LISTED

    @property
    def unlisted(self) -> int:
        return self.total - len(self.listed)


def expiring_certifications(today: date) -> Expiring:
    """Certifications expiring in the next EXPIRING_WITHIN_DAYS days (today included), the soonest
    first."""
    window = expiring_between(today)
    total = db.session.execute(select(func.count(FirmCertification.id)).where(window)).scalar_one()
    rows = db.session.execute(
        select(FirmCertification, Enterprise.id, Enterprise.name, Enterprise.tax_code)
        .join(FirmCertification.profile)
        .join(SupplierProfile.enterprise)
        .where(window)
        .order_by(FirmCertification.expires_on, Enterprise.name, FirmCertification.id)
        .limit(EXPIRING_LISTED)
    )
    listed = [
        ExpiringCertification(c, enterprise_id, name, tax_code) for c, enterprise_id, name, tax_code in rows
    ]
    return Expiring(total=total, listed=listed)


# The whole page ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    programme: Programme
    today: date
    firms: Firms
    years: list[YearFigures]  # the latest first
    by_unit: list[Breakdown]
    by_sector: list[Breakdown]
    expiring: Expiring

    @property
    def latest_year(self) -> YearFigures | None:
        return self.years[0] if self.years else None

    @property
    def expiring_until(self) -> date:
        return self.today + timedelta(days=EXPIRING_WITHIN_DAYS)


def programme_dashboard(programme: Programme, today: date, locale: str) -> Dashboard:
    """Everything the dashboard shows (eight statements, whatever the number of firms)."""
    return Dashboard(
        programme=programme,
        today=today,
        firms=firms_against_targets(programme, today),
        years=yearly_figures(programme),
        by_unit=by_unit(today),
        by_sector=by_sector(today, locale),
        expiring=expiring_certifications(today),
    )

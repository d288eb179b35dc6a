"""The register of supporting-industry firms: each enterprise's entry (what it makes, whom it supplies,
the certifications it holds) as the enterprise and the Department keep it, and the Department's list.

Each change is audited in the entry's own chain (what changed, by whom, acting as the enterprise or
as the Department) and stamped on the entry; it recomputes the directory's search key
(search.refresh_search_key)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, Select, and_, case, exists, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from recognition.accounts.models import Enterprise, Role, User
from recognition.cases.audit import changed_fields, json_safe, record_change
from recognition.cases.errors import OperationRefused, Refusal
from recognition.clock import local_today, utcnow
from recognition.extensions import db, search_condition
from recognition.i18n import fold
from recognition.params import ListFilters, parse_id, query_arg, yes_no
from recognition.supporting.models import (
    FirmCertification,
    Standard,
    SupplierProfile,
    SupplierTier,
    SupportingSector,
)
from recognition.supporting.search import refresh_search_key

PAGE_SIZE = 25
MAX_SEARCH_WORDS = 8
# What a tax code, or the start or part of one, looks like in the search box.
TAX_CODE_SEARCH = re.compile(r"[0-9][0-9-]{2,13}")
EARLIEST_EXPIRY, LATEST_EXPIRY = dt.date(1980, 1, 1), dt.date(2100, 12, 31)

SECTOR_UNKNOWN = _l("Choose the supporting-industry sector.")
TIER_WITHOUT_SUPPLYING = _l("A tier is given only for a firm that supplies multinationals.")
STANDARD_MISSING = _l("Choose the standard.")
NUMBER_MISSING = _l("A certification needs its certificate number.")
OTHER_UNNAMED = _l("Name the standard (for example ISO 45001).")
EXPIRY_NOT_A_DAY = _l("Give the expiry as a real date (day/month/year).")
LISTED_TWICE = _l("This certificate is listed twice.")


@dataclass(frozen=True)
class CertificationEntry:
    """One certification row as a form or an import gives it; `id` is the row it changes (None: a
    new one). A row marked `remove`, or left blank, is dropped."""

    standard: str = ""
    standard_name: str = ""
    number: str = ""
    body: str = ""
    expires_on: object = None  # a day; anything else is refused (EXPIRY_NOT_A_DAY)
    id: int | None = None
    remove: bool = False

    @property
    def is_blank(self) -> bool:
        return not (self.standard or self.standard_name.strip() or self.number.strip() or self.body.strip())

    @property
    def dropped(self) -> bool:
        return self.remove or self.is_blank


@dataclass(frozen=True)
class ProfileEntry:
    """An enterprise's register entry as a form or an import gives it; `active` None leaves it as it
    is (the enterprise's own form does not set it, the Department's does)."""

    supporting_sector_id: int | None
    products: str = ""
    supplies_multinationals: bool = False
    tier: str | None = None
    customers: str = ""
    listing_consent: bool = False
    certifications: Sequence[CertificationEntry] = field(default_factory=tuple)
    active: bool | None = None


@dataclass(frozen=True)
class Problem:
    """Why an entry is refused: the form field it is about (`row`: which certification row)."""

    field: str
    message: LazyString
    row: int | None = None

    def refusal(self) -> Refusal:
        if self.row is None:
            return Refusal(self.field, self.message)
        text = _l("Certification %(row)s: %(problem)s", row=self.row + 1, problem=self.message)
        return Refusal(f"certifications-{self.row}-{self.field}", text)


class RegisterRefused(OperationRefused):
    """An entry the register's rules refuse; `field` names the form field to show it beside."""

    def __init__(self, problems: Sequence[Problem]):
        super().__init__(problems[0].refusal().message)
        self.refusals = [problem.refusal() for problem in problems]
        first = problems[0]
        self.field = "certifications" if first.row is not None else first.field


def certification_problems(entry: CertificationEntry, row: int | None = None) -> list[Problem]:
    """What is wrong with one kept certification row (empty: nothing)."""
    problems = []
    if entry.standard not in {standard.value for standard in Standard}:
        problems.append(Problem("standard", STANDARD_MISSING, row))
    elif entry.standard == Standard.other and not entry.standard_name.strip():
        problems.append(Problem("standard_name", OTHER_UNNAMED, row))
    if not entry.number.strip():
        problems.append(Problem("number", NUMBER_MISSING, row))
    if entry.expires_on is not None and not (
        isinstance(entry.expires_on, dt.date)
        and not isinstance(entry.expires_on, dt.datetime)
        and EARLIEST_EXPIRY <= entry.expires_on <= LATEST_EXPIRY
    ):
        problems.append(Problem("expires_on", EXPIRY_NOT_A_DAY, row))
    return problems


def entry_problems(entry: ProfileEntry) -> list[Problem]:
    """What is wrong with an entry (empty: nothing): the rules the form shows beside its fields and
    the service refuses, so an import or a crafted post is held to them too."""
    problems = []
    if (
        entry.supporting_sector_id is None
        or db.session.get(SupportingSector, entry.supporting_sector_id) is None
    ):
        problems.append(Problem("supporting_sector_id", SECTOR_UNKNOWN))
    if entry.tier and not entry.supplies_multinationals:
        problems.append(Problem("tier", TIER_WITHOUT_SUPPLYING))
    elif entry.tier and entry.tier not in {tier.value for tier in SupplierTier}:
        problems.append(Problem("tier", _l("Not a valid choice.")))
    seen: set[tuple[str, str]] = set()
    for row, certification in enumerate(entry.certifications):
        if certification.dropped:
            continue
        problems.extend(certification_problems(certification, row))
        key = (certification.standard, certification.number.strip())
        if key in seen:
            problems.append(Problem("number", LISTED_TWICE, row))
        seen.add(key)
    return problems


def profile_of(enterprise: Enterprise) -> SupplierProfile | None:
    """The enterprise's entry in the register, with its certifications (None: it has none yet)."""
    return db.session.scalar(
        select(SupplierProfile)
        .where(SupplierProfile.enterprise_id == enterprise.id)
        .options(selectinload(SupplierProfile.certifications), joinedload(SupplierProfile.supporting_sector))
    )


def save_profile(enterprise: Enterprise, entry: ProfileEntry, actor: User) -> SupplierProfile:
    """Create or update the enterprise's entry and its certifications (rows added, changed, removed),
    stamped with `actor`; refuses an entry the rules refuse (RegisterRefused). The caller commits."""
    problems = entry_problems(entry)
    if problems:
        raise RegisterRefused(problems)
    sector = db.session.get_one(SupportingSector, entry.supporting_sector_id)
    profile = profile_of(enterprise)
    before = entry_record(profile) if profile is not None else {}
    if profile is None:
        profile = SupplierProfile(enterprise=enterprise, supporting_sector=sector)
        db.session.add(profile)
    profile.supporting_sector = sector
    profile.products = "\n".join(line.strip() for line in entry.products.splitlines() if line.strip())
    profile.supplies_multinationals = entry.supplies_multinationals
    profile.tier = SupplierTier(entry.tier) if entry.tier and entry.supplies_multinationals else None
    profile.customers = entry.customers.strip()
    profile.listing_consent = entry.listing_consent
    if entry.active is not None:
        profile.active = entry.active
    _save_certifications(profile, [c for c in entry.certifications if not c.dropped])
    profile.updated_at = utcnow()
    profile.updated_by_id = actor.id
    refresh_search_key(profile)
    db.session.flush()
    changes = changed_fields(before, entry_record(profile))
    if changes:
        role = Role.applicant if enterprise.id in actor.enterprise_ids else Role.secretariat
        action = "edit_register_entry" if before else "create_register_entry"
        record_change(profile, actor, role.value, action, {"changes": changes})
    return profile


def entry_record(profile: SupplierProfile) -> dict[str, Any]:
    """What the audit keeps of an entry: each field, the certifications as rows; a change lists the
    fields that differ (the form's and the import's edits alike)."""
    return json_safe(
        {
            "supporting_sector": profile.supporting_sector.code,
            "products": profile.products,
            "supplies_multinationals": profile.supplies_multinationals,
            "tier": profile.tier,
            "customers": profile.customers,
            "listing_consent": profile.listing_consent,
            "active": profile.active,
            "certifications": [
                [c.standard, c.standard_name, c.number, c.body, c.expires_on] for c in profile.certifications
            ],
        }
    )


def _save_certifications(profile: SupplierProfile, kept: list[CertificationEntry]) -> None:
    """The rows kept replace the profile's: a row names the certification it changes by id, or by
    standard and number (so removing a row and typing it again changes it, never doubles it); the
    rest are removed first, so a new row may take the number a removed one had."""
    by_id = {certification.id: certification for certification in profile.certifications}
    by_key = {(c.standard.value, c.number): c for c in profile.certifications}
    matched: list[tuple[CertificationEntry, FirmCertification | None]] = []
    for row in kept:
        existing = by_id.get(row.id) if row.id is not None else None
        existing = existing or by_key.get((row.standard, row.number.strip()))
        if existing is not None and any(existing is other for _row, other in matched):
            existing = None
        matched.append((row, existing))
    keep_ids = {existing.id for _row, existing in matched if existing is not None}
    for certification in list(profile.certifications):
        if certification.id not in keep_ids:
            profile.certifications.remove(certification)
    db.session.flush()
    for row, existing in matched:
        certification = existing or FirmCertification()
        certification.standard = Standard(row.standard)
        certification.standard_name = row.standard_name.strip() if row.standard == Standard.other else ""
        certification.number = row.number.strip()
        certification.body = row.body.strip()
        certification.expires_on = row.expires_on if isinstance(row.expires_on, dt.date) else None
        if existing is None:
            profile.certifications.append(certification)


# The Department's list -------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterFilters(ListFilters):
    """`?sector=&unit=&certified=yes|no&active=yes|no&q=`: the search looks in what the directory's
    search key holds (name, sector, products, standards, folded) and in tax codes."""

    supporting_sector_id: int | None = query_arg("sector", parse_id)
    unit_id: int | None = query_arg("unit", parse_id)
    certified: bool | None = query_arg("certified", yes_no)
    active: bool | None = query_arg("active", yes_no)


def holds_valid_certification(day: dt.date | None = None) -> ColumnElement[bool]:
    """The profile holds a certification not expired on `day` (today unless told)."""
    day = day or local_today()
    return exists().where(
        FirmCertification.profile_id == SupplierProfile.id,
        or_(FirmCertification.expires_on.is_(None), FirmCertification.expires_on >= day),
    )


def words_condition(text: str) -> ColumnElement[bool] | None:
    """Every word of `text`, folded, somewhere in the search key (None: nothing to search for)."""
    words = fold(text).split()[:MAX_SEARCH_WORDS]
    if not words:
        return None
    return and_(*(search_condition(word, like=[SupplierProfile.search_folded]) for word in words))


def _filtered(stmt: Select, filters: RegisterFilters) -> Select:
    stmt = stmt.join(Enterprise, Enterprise.id == SupplierProfile.enterprise_id)
    if filters.supporting_sector_id:
        stmt = stmt.where(SupplierProfile.supporting_sector_id == filters.supporting_sector_id)
    if filters.unit_id:
        stmt = stmt.where(Enterprise.unit_id == filters.unit_id)
    if filters.certified is not None:
        certified = holds_valid_certification()
        stmt = stmt.where(certified if filters.certified else ~certified)
    if filters.active is not None:
        stmt = stmt.where(SupplierProfile.active.is_(filters.active))
    words = words_condition(filters.search)
    if words is not None:
        # A tax code is looked for only when the search is one (digits, a branch dash): the digits of
        # "Nhựa 100%" would otherwise match nearly every Hanoi code (010…).
        typed = filters.search.strip()
        by_tax_code = (
            search_condition(typed, like=[Enterprise.tax_code]) if TAX_CODE_SEARCH.fullmatch(typed) else None
        )
        stmt = stmt.where(words if by_tax_code is None else or_(words, by_tax_code))
    return stmt


def register_page(filters: RegisterFilters, page: int) -> Pagination:
    """One page of the register by enterprise name, each firm with its unit, sector and certifications
    loaded (a fixed number of queries, whatever the number of firms)."""
    stmt = _filtered(select(SupplierProfile), filters).options(
        joinedload(SupplierProfile.enterprise).joinedload(Enterprise.unit),
        joinedload(SupplierProfile.supporting_sector),
        selectinload(SupplierProfile.certifications),
    )
    stmt = stmt.order_by(Enterprise.name_folded, Enterprise.id)
    return db.paginate(stmt, page=page, per_page=PAGE_SIZE, error_out=False)


@dataclass(frozen=True)
class RegisterCounts:
    """How many firms the filtered list holds: active, holding a valid certification, listed publicly."""

    firms: int
    active: int
    certified: int
    listed: int


def register_counts(filters: RegisterFilters) -> RegisterCounts:
    """The filtered list's counts, in one query."""

    def count_of(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    stmt = _filtered(
        select(
            func.count(SupplierProfile.id),
            count_of(SupplierProfile.active.is_(True)),
            count_of(holds_valid_certification()),
            count_of(SupplierProfile.listing_consent.is_(True) & SupplierProfile.active.is_(True)),
        ),
        filters,
    )
    firms, active, certified, listed = db.session.execute(stmt).one()
    return RegisterCounts(int(firms), int(active), int(certified), int(listed))


def supporting_sectors() -> list[SupportingSector]:
    """The supporting-industry sectors, by code, for the forms' and lists' choices."""
    return list(db.session.scalars(select(SupportingSector).order_by(SupportingSector.code)))

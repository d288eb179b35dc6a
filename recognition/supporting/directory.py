"""Public reads of the supplier directory: the supporting-industry firms that agreed to be listed and
are active, searched by component, certification or name, as a multinational's buyer looks for them.

Only what the directory publishes leaves here: no firm that did not consent, no customers."""

from __future__ import annotations

from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from recognition.accounts.models import Enterprise
from recognition.clock import local_today
from recognition.extensions import db
from recognition.params import ListFilters, parse_id, query_arg
from recognition.supporting.models import FirmCertification, Standard, SupplierProfile
from recognition.supporting.register import words_condition

PAGE_SIZE = 20
# The standards a buyer filters by: the named ones ("other" names no one standard).
FILTER_STANDARDS = tuple(standard for standard in Standard if standard != Standard.other)


def _standard(value: str) -> Standard | None:
    return next((standard for standard in FILTER_STANDARDS if standard.value == value), None)


@dataclass(frozen=True)
class DirectoryFilters(ListFilters):
    """`?q=&sector=&standard=`: the search looks for every word, without diacritics, in the firm's
    name, sector, products and standards; the standard counts only while its certificate is valid."""

    supporting_sector_id: int | None = query_arg("sector", parse_id)
    standard: Standard | None = query_arg("standard", _standard)


def _listed() -> ColumnElement[bool]:
    return SupplierProfile.listing_consent.is_(True) & SupplierProfile.active.is_(True)


def _holds_valid(standard: Standard) -> ColumnElement[bool]:
    return exists().where(
        FirmCertification.profile_id == SupplierProfile.id,
        FirmCertification.standard == standard,
        or_(FirmCertification.expires_on.is_(None), FirmCertification.expires_on >= local_today()),
    )


def directory_page(filters: DirectoryFilters, page: int) -> Pagination:
    """One page of listed firms by name, each with its unit, sector and certifications loaded (a fixed
    number of queries, whatever the number of firms)."""
    stmt = (
        select(SupplierProfile)
        .join(Enterprise, Enterprise.id == SupplierProfile.enterprise_id)
        .where(_listed())
        .options(
            contains_eager(SupplierProfile.enterprise).joinedload(Enterprise.unit),
            joinedload(SupplierProfile.supporting_sector),
            selectinload(SupplierProfile.certifications),
        )
        .order_by(Enterprise.name_folded, Enterprise.id)
    )
    if filters.supporting_sector_id:
        stmt = stmt.where(SupplierProfile.supporting_sector_id == filters.supporting_sector_id)
    if filters.standard is not None:
        stmt = stmt.where(_holds_valid(filters.standard))
    words = words_condition(filters.search)
    if words is not None:
        stmt = stmt.where(words)
    return db.paginate(stmt, page=page, per_page=PAGE_SIZE, error_out=False)


def listed_profile(enterprise_id: int) -> SupplierProfile | None:
    """A listed firm's entry (None: no such firm, or it did not agree to be listed, or is inactive)."""
    return db.session.scalar(
        select(SupplierProfile)
        .where(SupplierProfile.enterprise_id == enterprise_id, _listed())
        .options(
            joinedload(SupplierProfile.enterprise).joinedload(Enterprise.unit),
            joinedload(SupplierProfile.supporting_sector),
            selectinload(SupplierProfile.certifications),
        )
    )

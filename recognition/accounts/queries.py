"""The administrator's lists of accounts and units: filtered, searched, paginated, a fixed number of
queries per page."""

from __future__ import annotations

from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from recognition.accounts.models import AdministrativeUnit, Role, RoleMembership, User
from recognition.extensions import contains_pattern, db

PAGE_SIZE = 25
UNITS_PAGE_SIZE = 50


@dataclass(frozen=True)
class AccountFilters:
    role: str | None = None
    unit_id: int | None = None
    active: bool | None = None
    search: str = ""


def accounts_page(filters: AccountFilters, page: int) -> Pagination:
    """One page of accounts by name, each with its roles, units and enterprises loaded."""
    stmt = select(User)
    if filters.role in {role.value for role in Role}:
        stmt = stmt.where(
            User.id.in_(select(RoleMembership.user_id).where(RoleMembership.role == filters.role))
        )
    if filters.unit_id:
        stmt = stmt.where(
            User.id.in_(select(RoleMembership.user_id).where(RoleMembership.unit_id == filters.unit_id))
        )
    if filters.active is not None:
        stmt = stmt.where(User.active.is_(filters.active))
    if filters.search.strip():
        pattern = contains_pattern(filters.search.strip().lower())
        stmt = stmt.where(
            or_(User.email.like(pattern, escape="\\"), User.full_name.ilike(pattern, escape="\\"))
        )
    stmt = stmt.options(
        selectinload(User.memberships).options(
            joinedload(RoleMembership.unit), joinedload(RoleMembership.enterprise)
        )
    ).order_by(User.full_name, User.id)
    return db.paginate(stmt, page=page, per_page=PAGE_SIZE, error_out=False)


def units_with_officers() -> list[AdministrativeUnit]:
    """The units some account vets, for the list's unit filter."""
    stmt = (
        select(AdministrativeUnit)
        .where(
            AdministrativeUnit.id.in_(
                select(RoleMembership.unit_id).where(RoleMembership.unit_id.is_not(None))
            )
        )
        .order_by(AdministrativeUnit.name)
    )
    return list(db.session.scalars(stmt))


def all_units() -> list[AdministrativeUnit]:
    """Every unit, by name, for the unit form's parent and predecessor choices."""
    return list(db.session.scalars(select(AdministrativeUnit).order_by(AdministrativeUnit.name)))


def units_page(search: str, level: str | None, page: int) -> Pagination:
    """One page of units by level then name, with parent and predecessors loaded."""
    stmt = select(AdministrativeUnit)
    if level:
        stmt = stmt.where(AdministrativeUnit.level == level)
    if search.strip():
        pattern = contains_pattern(search.strip())
        stmt = stmt.where(
            or_(
                AdministrativeUnit.code.ilike(pattern, escape="\\"),
                AdministrativeUnit.name.ilike(pattern, escape="\\"),
                AdministrativeUnit.official_code.like(pattern, escape="\\"),
            )
        )
    stmt = stmt.options(
        joinedload(AdministrativeUnit.parent), selectinload(AdministrativeUnit.predecessors)
    ).order_by(AdministrativeUnit.valid_from, AdministrativeUnit.level, AdministrativeUnit.name)
    return db.paginate(stmt, page=page, per_page=UNITS_PAGE_SIZE, error_out=False)

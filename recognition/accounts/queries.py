"""The administrator's lists of accounts and units: filtered, searched, paginated, a fixed number of
queries per page."""

from __future__ import annotations

from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from recognition.accounts.models import AdministrativeUnit, Role, RoleMembership, UnitLevel, User
from recognition.extensions import db, search_condition
from recognition.params import ListFilters, parse_id, query_arg, yes_no

PAGE_SIZE = 25
UNITS_PAGE_SIZE = 50


@dataclass(frozen=True)
class AccountFilters(ListFilters):
    """`?role=&unit=&active=yes|no&q=`: the search looks in e-mails and names."""

    role: str | None = query_arg("role")
    unit_id: int | None = query_arg("unit", parse_id)
    active: bool | None = query_arg("active", yes_no)


def _unit_level(value: str) -> str | None:
    return value if value in {level.value for level in UnitLevel} else None


@dataclass(frozen=True)
class UnitFilters(ListFilters):
    """`?level=&q=`: the search looks in codes and names."""

    level: str | None = query_arg("level", _unit_level)


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
        stmt = stmt.where(
            search_condition(filters.search.strip().lower(), like=[User.email], ilike=[User.full_name])
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


def units_page(filters: UnitFilters, page: int) -> Pagination:
    """One page of units by level then name, with parent and predecessors loaded."""
    stmt = select(AdministrativeUnit)
    if filters.level:
        stmt = stmt.where(AdministrativeUnit.level == filters.level)
    if filters.search.strip():
        stmt = stmt.where(
            search_condition(
                filters.search.strip(),
                like=[AdministrativeUnit.official_code],
                ilike=[AdministrativeUnit.code, AdministrativeUnit.name],
            )
        )
    stmt = stmt.options(
        joinedload(AdministrativeUnit.parent), selectinload(AdministrativeUnit.predecessors)
    ).order_by(AdministrativeUnit.valid_from, AdministrativeUnit.level, AdministrativeUnit.name)
    return db.paginate(stmt, page=page, per_page=UNITS_PAGE_SIZE, error_out=False)

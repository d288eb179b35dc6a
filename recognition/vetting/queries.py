"""The vetting body's queue: scoped, filtered, searched and paginated with a fixed number of queries."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import joinedload, with_expression

from recognition.accounts.models import Enterprise, User
from recognition.cases.models import (
    BEING_VETTED_STATES,
    VETTED_STATES,
    Application,
    Certification,
    Product,
    State,
)
from recognition.clock import local_today
from recognition.extensions import contains_pattern, db
from recognition.i18n import fold
from recognition.params import ListFilters, parse_id, query_arg
from recognition.rounds.models import VettingBody

PAGE_SIZE = 25


@dataclass(frozen=True)
class QueueFilters(ListFilters):
    """`?round=&state=&sector=&q=`, as both queues read them: the search looks in enterprise names,
    tax codes and receipt codes."""

    round_id: int | None = query_arg("round", parse_id)
    state: str | None = query_arg("state")
    sector_id: int | None = query_arg("sector", parse_id)


def vetted_by(user: User, scope: str) -> Select:
    """Applications this user vets: their units' (scope "unit") or the secretariat's rounds'."""
    stmt = select(Application).where(Application.submitted_at.is_not(None))
    if scope == "secretariat":
        return stmt.where(Application.vetting_body == VettingBody.secretariat)
    return stmt.where(
        Application.vetting_body == VettingBody.unit, Application.vetting_unit_id.in_(user.unit_ids or [-1])
    )


def filter_dossiers(
    stmt: Select,
    filters: QueueFilters,
    states: Collection[State] = VETTED_STATES,
    default_states: Collection[State] = BEING_VETTED_STATES,
) -> Select:
    """Narrow a statement over applications: a state among `states` (else `default_states`), round,
    sector, and a search on enterprise name, tax code and receipt code.

    The sector and the enterprise are looked up per dossier of the scope (a correlated EXISTS on
    their primary keys), so a search costs what the scope holds, not what the city does."""
    if filters.round_id:
        stmt = stmt.where(Application.round_id == filters.round_id)
    if filters.state in {s.value for s in states}:
        stmt = stmt.where(Application.state == filters.state)
    else:
        stmt = stmt.where(Application.state.in_(default_states))
    if filters.sector_id:
        stmt = stmt.where(
            exists().where(Product.id == Application.product_id, Product.sector_id == filters.sector_id)
        )
    if filters.search.strip():
        pattern = contains_pattern(fold(filters.search))
        named = or_(
            Enterprise.name_folded.like(pattern, escape="\\"), Enterprise.tax_code.like(pattern, escape="\\")
        )
        stmt = stmt.where(
            or_(
                exists().where(Enterprise.id == Application.enterprise_id, named),
                Application.receipt_code.ilike(pattern, escape="\\"),
            )
        )
    return stmt


def vetting_queue(user: User, scope: str, filters: QueueFilters, page: int) -> Pagination:
    """One page of the queue, soonest deadline first (no deadline last), with enterprise and product,
    and whether each lists an expired certification (the queue flags it). The scope, state and
    deadline are those of ix_applications_unit_queue / ix_applications_body_queue."""
    stmt = (
        filter_dossiers(vetted_by(user, scope), filters)
        .options(
            joinedload(Application.enterprise),
            joinedload(Application.product).joinedload(Product.sector),
            with_expression(
                Application.lists_expired_certification, Certification.any_expired(local_today())
            ),
        )
        .order_by(Application.due_on.asc().nulls_last(), Application.submitted_at)
    )
    return db.paginate(stmt, page=page, per_page=PAGE_SIZE, error_out=False)


def state_counts(user: User, scope: str, filters: QueueFilters) -> dict[str, int]:
    """Applications per state under the same scope, round, sector and search (one query)."""
    return counts_by_state(vetted_by(user, scope), filters, VETTED_STATES)


def counts_by_state(scoped: Select, filters: QueueFilters, states: Collection[State]) -> dict[str, int]:
    """Applications of `scoped` per state among `states`, under the same round, sector and search
    (applications alone: an index range of the scope, no join)."""
    base = (
        filter_dossiers(scoped, replace(filters, state=None), states=states, default_states=states)
        .with_only_columns(Application.state, func.count())
        .group_by(Application.state)
    )
    return {str(state): count for state, count in db.session.execute(base)}


def get_vetted_application_or_404(user: User, scope: str, application_id: int) -> Application:
    return db.first_or_404(vetted_by(user, scope).where(Application.id == application_id))

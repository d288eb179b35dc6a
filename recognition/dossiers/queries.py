"""The Department's view of every dossier: every submitted dossier of every round, whoever vets it,
searched, filtered and paginated with a fixed number of queries."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, false, select
from sqlalchemy.orm import joinedload

from recognition.accounts.models import Role, User
from recognition.cases.models import SUBMITTED_STATES, Application, Product
from recognition.extensions import db
from recognition.rounds.models import Round
from recognition.vetting.queries import PAGE_SIZE, QueueFilters, counts_by_state, filter_dossiers


def dossiers_for_secretariat(user: User) -> Select:
    """Every dossier ever submitted, for a secretariat account; nothing for anyone else (a draft stays
    the enterprise's own)."""
    if not user.has_role(Role.secretariat):
        return select(Application).where(false())
    return select(Application).where(Application.submitted_at.is_not(None))


def get_dossier_or_404(user: User, application_id: int) -> Application:
    return db.first_or_404(dossiers_for_secretariat(user).where(Application.id == application_id))


def dossier_page(user: User, filters: QueueFilters, page: int) -> Pagination:
    """One page of every round's dossiers, newest submission first, with what the list shows loaded."""
    stmt = (
        filter_dossiers(
            dossiers_for_secretariat(user), filters, states=SUBMITTED_STATES, default_states=SUBMITTED_STATES
        )
        .options(
            joinedload(Application.enterprise),
            joinedload(Application.product).joinedload(Product.sector),
            joinedload(Application.round, Round.programme),
            joinedload(Application.vetting_unit),
        )
        .order_by(Application.submitted_at.desc(), Application.id.desc())
    )
    return db.paginate(stmt, page=page, per_page=PAGE_SIZE, error_out=False)


def dossier_state_counts(user: User, filters: QueueFilters) -> dict[str, int]:
    return counts_by_state(dossiers_for_secretariat(user), filters, SUBMITTED_STATES)

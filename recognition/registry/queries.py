"""Public reads: the registry of recognised products, certificate verification, dossier tracking.

Only what the registry publishes leaves here: no scores, reviewers, documents or personal names."""

from __future__ import annotations

from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash

from recognition.accounts.services import dummy_hash
from recognition.cases.models import Application
from recognition.cases.receipts import lookup_secret_matches
from recognition.clock import local_today
from recognition.extensions import db, search_condition
from recognition.honours.models import Certificate, CertificateStatus, Objection
from recognition.i18n import fold
from recognition.params import ListFilters, parse_id, query_arg

PAGE_SIZE = 20


@dataclass(frozen=True)
class RegistryFilters(ListFilters):
    """`?year=&sector=&unit=&q=`: the search looks in product and enterprise names and serials."""

    year: int | None = query_arg("year", parse_id)
    sector_id: int | None = query_arg("sector", parse_id)
    unit_id: int | None = query_arg("unit", parse_id)


def registry_page(filters: RegistryFilters, page: int, per_page: int = PAGE_SIZE) -> Pagination:
    """Valid certificates (not past their date, even before the sweep marks them), newest round first.

    Everything shown and searched is what the certificate recorded when it was granted, so the page,
    its order and its count read the certificates alone: a range of ix_certificates_registry_order,
    whatever the number of products and enterprises."""
    stmt = (
        select(Certificate)
        .where(Certificate.status == CertificateStatus.valid, Certificate.valid_until >= local_today())
        .options(joinedload(Certificate.sector), joinedload(Certificate.unit))
        .order_by(
            Certificate.round_year.desc(), Certificate.top_n.desc(), Certificate.sequence, Certificate.id
        )
    )
    if filters.year:
        stmt = stmt.where(Certificate.round_year == filters.year)
    if filters.sector_id:
        stmt = stmt.where(Certificate.sector_id == filters.sector_id)
    if filters.unit_id:
        stmt = stmt.where(Certificate.unit_id == filters.unit_id)
    if filters.search.strip():
        stmt = stmt.where(
            search_condition(
                fold(filters.search), like=[Certificate.names_folded], ilike=[Certificate.serial]
            )
        )
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False)


def product_certificates(product_id: int) -> list[Certificate]:
    """Every certificate of a product, current first (empty: the product is not in the registry)."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.product_id == product_id)
            .options(
                joinedload(Certificate.round), joinedload(Certificate.sector), joinedload(Certificate.unit)
            )
            .order_by(Certificate.issued_on.desc(), Certificate.id.desc())
        )
    )


def certificate_by_serial(serial: str) -> Certificate | None:
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.serial == serial.strip().upper())
        .options(joinedload(Certificate.round), joinedload(Certificate.sector), joinedload(Certificate.unit))
    )


def tracked_application(receipt_code: str, secret: str) -> Application | None:
    """The application whose receipt code and lookup secret both match, else None.

    A missing code costs the same hash check as a wrong secret, so the two cannot be told apart.
    """
    application = db.session.scalar(
        select(Application).where(Application.receipt_code == (receipt_code or "").strip().upper())
    )
    if application is None or not application.lookup_secret_hash:
        check_password_hash(dummy_hash(), secret or "")
        return None
    return application if lookup_secret_matches(application.lookup_secret_hash, secret) else None


def comment_by_reference(reference: str, secret: str) -> Objection | None:
    """The comment whose reference and lookup secret both match, else None (as for tracking, a
    missing reference costs the same hash check as a wrong secret)."""
    objection = db.session.scalar(
        select(Objection)
        .where(Objection.reference == (reference or "").strip().upper())
        .options(joinedload(Objection.application))
    )
    if objection is None or not objection.lookup_secret_hash:
        check_password_hash(dummy_hash(), secret or "")
        return None
    return objection if lookup_secret_matches(objection.lookup_secret_hash, secret) else None

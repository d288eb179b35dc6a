"""Certificates: issued when the city's decision is recorded, superseded, revoked and expired."""

from __future__ import annotations

from calendar import monthrange
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from recognition.accounts.models import User
from recognition.cases.audit import append_event
from recognition.cases.decisions import issue_in_round
from recognition.cases.errors import OperationRefused
from recognition.cases.models import Application, State
from recognition.clock import utcnow
from recognition.extensions import db, rows_affected
from recognition.honours.models import CERTIFICATE_LIFECYCLE, Certificate
from recognition.i18n import fold
from recognition.urls import public_url


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def verify_url(serial: str) -> str:
    """The public verification address the QR code carries."""
    return public_url("registry.verify", serial=serial)


def issue_certificate(
    application: Application, decision_number: str, decision_date: date, signer: str, today: date, top_n: bool
) -> Certificate:
    """The certificate of a recognised application (numbered per round by issue_in_round); an older
    valid one of the same product is superseded first, so the new one is not."""
    db.session.execute(
        update(Certificate)
        .where(
            Certificate.product_id == application.product_id,
            Certificate.status.in_(CERTIFICATE_LIFECYCLE.sources("supersede")),
        )
        .values(status=CERTIFICATE_LIFECYCLE.dest("supersede"), status_changed_on=today)
    )
    enterprise, product = application.enterprise_record, application.product_record
    granted = {
        "product_id": application.product_id,
        "top_n": top_n,
        "round_year": application.round.year,
        "sector_id": product.sector_id,
        "unit_id": enterprise.unit_id,
        "names_folded": fold(f"{product.name} {enterprise.name}"),
        "valid_until": add_months(today, application.round.certificate_validity_months),
    }
    return issue_in_round(Certificate, application, decision_number, decision_date, signer, today, **granted)


class RevocationRefused(OperationRefused):
    """Only a valid certificate is revoked, and only with a reason and the decision's number."""

    def __init__(self) -> None:
        super().__init__(_l("Only a valid certificate can be revoked, with a reason and a decision number."))


def revoke(certificate: Certificate, reason: str, decision_number: str, actor: User, today: date) -> None:
    """Revoke on the city's decision; audited in the application's hash chain. The caller commits."""
    if not CERTIFICATE_LIFECYCLE.allows(certificate.status, "revoke"):
        raise RevocationRefused()
    if not reason.strip() or not decision_number.strip():
        raise RevocationRefused()
    application = db.session.scalars(
        select(Application).where(Application.id == certificate.application_id).with_for_update()
    ).one()
    certificate.status = CERTIFICATE_LIFECYCLE.dest("revoke")
    certificate.revoked_on = today
    certificate.status_changed_on = today
    certificate.revoke_reason = reason.strip()
    certificate.revoke_decision = decision_number.strip()
    append_event(
        application,
        actor,
        "secretariat",
        "revoke_certificate",
        State.recognised,
        State.recognised,
        utcnow(),
        {"serial": certificate.serial, "reason": reason.strip(), "decision_number": decision_number.strip()},
    )
    db.session.flush()


def expire_certificates(today: date) -> int:
    """Mark valid certificates past their date as expired (idempotent); returns how many. The caller
    (the daily sweep) commits."""
    result = db.session.execute(
        update(Certificate)
        .where(
            Certificate.status.in_(CERTIFICATE_LIFECYCLE.sources("expire")), Certificate.valid_until < today
        )
        .values(status=CERTIFICATE_LIFECYCLE.dest("expire"), status_changed_on=today)
    )
    return rows_affected(result)

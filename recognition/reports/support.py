"""The support log: who among the recognised enterprises has received the city's support, against the
plan's target that every one of them does (Plan 60/KH-UBND: 100%).

Support counts from the enterprise's recognition on: for a round, from its decision in that round;
for the certificates valid today, from the earliest decision behind them. Every query here reads a
whole list at once (no query per enterprise)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import joinedload

from recognition.accounts.models import Enterprise, Role, User
from recognition.cases.audit import field_values, record_change
from recognition.cases.errors import OperationRefused
from recognition.clock import format_day, local_today
from recognition.extensions import db
from recognition.honours.models import Certificate, CertificateStatus
from recognition.reports.support_models import SupportKind, SupportRecord
from recognition.reports.targets import SUPPORTED_ENTERPRISES_PERCENT, Band
from recognition.rounds.models import Round

SUPPORT_DATE_IN_FUTURE = _l("The support must have been received already: today at the latest.")
NOT_RECOGNISED = _l("Support is logged for an enterprise holding a valid certificate.")
AUDITED_FIELDS = ("kind", "date", "programme", "amount_vnd", "note")


class SupportRefused(OperationRefused):
    """A support record the rules refuse; `field` names the form field to show it beside."""

    def __init__(self, message: LazyString | str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _valid_today() -> ColumnElement[bool]:
    return (Certificate.status == CertificateStatus.valid) & (Certificate.valid_until >= local_today())


def recognitions(round_: Round | None = None) -> list[Certificate]:
    """The certificates that make enterprises "recognised": a round's (all but revoked ones), or,
    without a round, every certificate valid today."""
    query = select(Certificate).order_by(Certificate.enterprise_name, Certificate.serial)
    if round_ is None:
        query = query.where(_valid_today())
    else:
        query = query.where(
            Certificate.round_id == round_.id, Certificate.status != CertificateStatus.revoked
        )
    return list(db.session.scalars(query))


@dataclass
class EnterpriseSupport:
    """One recognised enterprise, its recognised products, and the support it received since."""

    enterprise_id: int
    name: str
    tax_code: str
    recognised_on: dt.date
    certificates: list[Certificate] = field(default_factory=list)
    records: list[SupportRecord] = field(default_factory=list)

    @property
    def supported(self) -> bool:
        return bool(self.records)


@dataclass(frozen=True)
class SupportCoverage:
    """The recognised enterprises split into supported and not yet supported, with the share."""

    enterprises: list[EnterpriseSupport]
    target: Band = SUPPORTED_ENTERPRISES_PERCENT

    @property
    def supported(self) -> list[EnterpriseSupport]:
        return [e for e in self.enterprises if e.supported]

    @property
    def not_supported(self) -> list[EnterpriseSupport]:
        return [e for e in self.enterprises if not e.supported]

    @property
    def share_percent(self) -> Decimal | None:
        """Supported enterprises as a percentage of the recognised ones (None when there are none)."""
        if not self.enterprises:
            return None
        share = Decimal(100 * len(self.supported)) / len(self.enterprises)
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def target_met(self) -> bool:
        return self.target.status(self.share_percent) == "within"


def support_coverage(round_: Round | None = None) -> SupportCoverage:
    """Every recognised enterprise (of the round, or holding a certificate valid today) with the
    support it received since its recognition: two queries, whatever the number of enterprises."""
    by_enterprise: dict[int, EnterpriseSupport] = {}
    for certificate in recognitions(round_):
        entry = by_enterprise.get(certificate.enterprise_id)
        if entry is None:
            entry = by_enterprise[certificate.enterprise_id] = EnterpriseSupport(
                certificate.enterprise_id,
                certificate.enterprise_name,
                certificate.tax_code,
                certificate.decision_date,
            )
        entry.recognised_on = min(entry.recognised_on, certificate.decision_date)
        entry.certificates.append(certificate)
    if by_enterprise:
        records = db.session.scalars(
            select(SupportRecord)
            .where(
                SupportRecord.enterprise_id.in_(by_enterprise),
                SupportRecord.date >= min(e.recognised_on for e in by_enterprise.values()),
            )
            .order_by(SupportRecord.date, SupportRecord.id)
        )
        for record in records:
            entry = by_enterprise[record.enterprise_id]
            if record.date >= entry.recognised_on:
                entry.records.append(record)
    return SupportCoverage(sorted(by_enterprise.values(), key=lambda e: (e.name, e.tax_code)))


def certificates_of(enterprise: Enterprise) -> list[Certificate]:
    """Every certificate the enterprise has held, newest decision first."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.enterprise_id == enterprise.id)
            .order_by(Certificate.decision_date.desc(), Certificate.serial)
        )
    )


def recognised_since(certificates: list[Certificate]) -> dt.date | None:
    """The earliest decision behind the enterprise's certificates valid today (None: not recognised now)."""
    today = local_today()
    days = [
        c.decision_date
        for c in certificates
        if c.status == CertificateStatus.valid and c.valid_until >= today
    ]
    return min(days) if days else None


def support_records_of(enterprise: Enterprise) -> list[SupportRecord]:
    """The enterprise's support, newest first, with who recorded it (one query)."""
    return list(
        db.session.scalars(
            select(SupportRecord)
            .where(SupportRecord.enterprise_id == enterprise.id)
            .options(joinedload(SupportRecord.recorded_by))
            .order_by(SupportRecord.date.desc(), SupportRecord.id.desc())
        )
    )


class SupportLog(NamedTuple):
    """What an enterprise's support page shows: its certificates, since when it is recognised (None:
    not today, so nothing more may be logged), and the support it received."""

    enterprise: Enterprise
    certificates: list[Certificate]
    recognised_since: dt.date | None
    records: list[SupportRecord]


def support_log_of(enterprise_id: int) -> SupportLog | None:
    """The enterprise's support log; None for one that has never been recognised (it has none)."""
    enterprise = db.session.get(Enterprise, enterprise_id)
    certificates = certificates_of(enterprise) if enterprise is not None else []
    if enterprise is None or not certificates:
        return None
    return SupportLog(
        enterprise, certificates, recognised_since(certificates), support_records_of(enterprise)
    )


def support_date_problem(day: dt.date, since: dt.date) -> LazyString | None:
    """Why a support date is refused (None: it is not): support already received, and received
    since the recognition it counts for."""
    if day > local_today():
        return SUPPORT_DATE_IN_FUTURE
    if day < since:
        return _l(
            "Support counts from the enterprise's recognition: the date must be %(date)s or later.",
            date=format_day(since),
        )
    return None


def record_support(
    enterprise: Enterprise,
    kind: SupportKind,
    date: dt.date,
    programme: str,
    amount_vnd: int | None,
    note: str,
    actor: User,
) -> SupportRecord:
    """Log support an enterprise holding a valid certificate received since its recognition; audited
    on the enterprise's trail. The caller commits."""
    since = recognised_since(certificates_of(enterprise))
    if since is None:
        raise SupportRefused(NOT_RECOGNISED)
    problem = support_date_problem(date, since)
    if problem is not None:
        raise SupportRefused(problem, "date")
    if amount_vnd is not None and amount_vnd < 0:
        raise SupportRefused(_l("Must not be negative."), "amount_vnd")
    if not programme.strip():
        raise SupportRefused(_l("Name the support programme."), "programme")
    record = SupportRecord(
        enterprise_id=enterprise.id,
        kind=SupportKind(kind),
        date=date,
        programme=programme.strip(),
        amount_vnd=amount_vnd,
        note=(note or "").strip(),
        recorded_by_id=actor.id,
    )
    db.session.add(record)
    db.session.flush()
    record_change(
        enterprise,
        actor,
        Role.secretariat.value,
        "support_recorded",
        {"support_record_id": record.id, **field_values(record, AUDITED_FIELDS)},
    )
    return record

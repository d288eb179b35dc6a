"""The support log: who among the recognised enterprises has received the city's support, against the
plan's target that every one of them does (Plan 60/KH-UBND: 100%); and the support given to the
enterprises a round selected for support (the supporting-industries programme).

Support counts from the enterprise's recognition or selection on: for a round, from its decision in
that round; for the certificates valid today, from the earliest decision behind them. The list of
today's recognised enterprises is the key products' (the target's); a selection round's own list
holds the enterprises it selected. Every query here reads a whole list at once (no query per
enterprise)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple, TypeVar

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
from recognition.supporting.models import Selection
from recognition.supporting.selections import selections_of_round

SUPPORT_DATE_IN_FUTURE = _l("The support must have been received already: today at the latest.")
NOT_RECOGNISED = _l(
    "Support is logged for an enterprise holding a valid certificate or selected for support."
)
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
    """One recognised (or selected) enterprise, its recognised (or selected) products, and the support
    it received since."""

    enterprise_id: int
    name: str
    tax_code: str
    recognised_on: dt.date
    certificates: list[Certificate] = field(default_factory=list)
    selections: list[Selection] = field(default_factory=list)
    records: list[SupportRecord] = field(default_factory=list)

    def add_decision(self, day: dt.date) -> None:
        """Support counts from the earliest decision behind the entry."""
        self.recognised_on = min(self.recognised_on, day)

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
    """Every recognised enterprise (of the round, or holding a certificate valid today) and every
    enterprise the round selected, with the support it received since its decision: three queries,
    whatever the number of enterprises."""
    by_enterprise: dict[int, EnterpriseSupport] = {}

    def entry_for(decided: Certificate | Selection) -> EnterpriseSupport:
        entry = by_enterprise.get(decided.enterprise_id)
        if entry is None:
            entry = by_enterprise[decided.enterprise_id] = EnterpriseSupport(
                decided.enterprise_id, decided.enterprise_name, decided.tax_code, decided.decision_date
            )
        entry.add_decision(decided.decision_date)
        return entry

    for certificate in recognitions(round_):
        entry_for(certificate).certificates.append(certificate)
    for selection in selections_of_round(round_) if round_ is not None else ():
        entry_for(selection).selections.append(selection)
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


OfEnterprise = TypeVar("OfEnterprise", Certificate, Selection, SupportRecord)


def _enterprise_rows(
    kind: type[OfEnterprise], enterprise: Enterprise, *order: Any, load: tuple[Any, ...] = ()
) -> list[OfEnterprise]:
    """The enterprise's rows of `kind` in `order`, with the relations `load` loads in the same query."""
    stmt = select(kind).where(kind.enterprise_id == enterprise.id).options(*load).order_by(*order)
    return list(db.session.scalars(stmt))


def certificates_of(enterprise: Enterprise) -> list[Certificate]:
    """Every certificate the enterprise has held, newest decision first."""
    return _enterprise_rows(Certificate, enterprise, Certificate.decision_date.desc(), Certificate.serial)


def selections_of(enterprise: Enterprise) -> list[Selection]:
    """Every selection for support the enterprise has received, newest decision first."""
    order = (Selection.decision_date.desc(), Selection.serial)
    return _enterprise_rows(Selection, enterprise, *order, load=(joinedload(Selection.round),))


def recognised_since(certificates: list[Certificate], selections: list[Selection]) -> dt.date | None:
    """The earliest decision behind the enterprise's certificates valid today or its selections for
    support (None: neither recognised now nor selected, so no support is logged)."""
    today = local_today()
    days = [
        c.decision_date
        for c in certificates
        if c.status == CertificateStatus.valid and c.valid_until >= today
    ] + [s.decision_date for s in selections]
    return min(days) if days else None


def support_records_of(enterprise: Enterprise) -> list[SupportRecord]:
    """The enterprise's support, newest first, with who recorded it (one query)."""
    order = (SupportRecord.date.desc(), SupportRecord.id.desc())
    return _enterprise_rows(SupportRecord, enterprise, *order, load=(joinedload(SupportRecord.recorded_by),))


class SupportLog(NamedTuple):
    """What an enterprise's support page shows: its certificates and selections for support, since
    when it is recognised or selected (None: not today, so nothing more may be logged), and the
    support it received."""

    enterprise: Enterprise
    certificates: list[Certificate]
    selections: list[Selection]
    recognised_since: dt.date | None
    records: list[SupportRecord]


def support_log_of(enterprise_id: int) -> SupportLog | None:
    """The enterprise's support log; None for one never recognised nor selected (it has none)."""
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        return None
    certificates, selected = certificates_of(enterprise), selections_of(enterprise)
    if not certificates and not selected:
        return None
    return SupportLog(
        enterprise,
        certificates,
        selected,
        recognised_since(certificates, selected),
        support_records_of(enterprise),
    )


def support_date_problem(day: dt.date, since: dt.date) -> LazyString | None:
    """Why a support date is refused (None: it is not): support already received, and received
    since the recognition or selection it counts for."""
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
    """Log support an enterprise holding a valid certificate, or selected for support, received since
    its recognition or selection; audited on the enterprise's trail. The caller commits."""
    since = recognised_since(certificates_of(enterprise), selections_of(enterprise))
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

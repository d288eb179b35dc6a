"""Products, their applications in a round, and what each application carries along the way."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Exists,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    exists,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship, validates

from recognition.accounts.models import AdministrativeUnit, Enterprise, Sector, User
from recognition.clock import local_today, utcnow
from recognition.extensions import Model, SurrogateKey, db, enum_check
from recognition.i18n import FoldedName
from recognition.labels import LabelledEnum
from recognition.rounds.models import DocumentKind, Round, VettingBody


class State(LabelledEnum):
    """An application's place in the workflow; names equal stored values (transitions matches by name)."""

    draft = "draft", _l("Draft")
    submitted = "submitted", _l("Submitted")
    vetting = "vetting", _l("Being vetted")
    supplement_requested = "supplement_requested", _l("Supplement requested")
    endorsed = "endorsed", _l("Endorsed")
    unit_rejected = "unit_rejected", _l("Rejected at vetting")
    under_review = "under_review", _l("Under council review")
    recommended = "recommended", _l("Recommended")
    not_recommended = "not_recommended", _l("Not recommended")
    recognised = "recognised", _l("Recognised")
    withdrawn = "withdrawn", _l("Withdrawn")


# Named groups of states: every rule about "which states" reads one of these, never a raw string.
PRE_REVIEW_STATES = (State.draft, State.submitted, State.vetting, State.supplement_requested)
EDITABLE_STATES = (State.draft,)
UPLOAD_STATES = (State.draft, State.supplement_requested)
SUBMITTED_STATES = tuple(state for state in State if state != State.draft)
BEING_VETTED_STATES = (State.submitted, State.vetting, State.supplement_requested)
VETTED_STATES = (*BEING_VETTED_STATES, State.endorsed, State.unit_rejected, State.withdrawn)
ASSIGNABLE_STATES = (State.endorsed, State.under_review)
BOARD_STATES = (State.under_review, State.recommended, State.not_recommended, State.recognised)
CONCLUDED_STATES = (State.recommended, State.not_recommended)
PUBLISHED_STATES = (State.recommended, State.recognised)
FINAL_STATES = (State.unit_rejected, State.not_recommended, State.recognised, State.withdrawn)


# For lookups by a plain stored value too (a query row's state, an audit event's from/to).
STATE_LABELS = State.labels()


class ProductCategory(LabelledEnum):
    high_tech = "high_tech", _l("High-tech product")
    other = "other", _l("Other industrial product")
    handicraft = "handicraft", _l("Handicraft product")
    start_up = "start_up", _l("Start-up product")


class StateWriteError(RuntimeError):
    """Raised when code sets Application.state outside the workflow machine."""


_machine_writing: ContextVar[bool] = ContextVar("machine_writing", default=False)


def machine_is_writing() -> bool:
    """True only while the workflow's machine runs: Application.state refuses any other writer."""
    return _machine_writing.get()


@contextmanager
def writing_state() -> Iterator[None]:
    """The window in which the workflow (recognition.cases.workflow.advance) may set a state."""
    token = _machine_writing.set(True)
    try:
        yield
    finally:
        _machine_writing.reset(token)


class Product(FoldedName, SurrogateKey, Model):
    """A product of an enterprise; it may be nominated in several rounds."""

    __tablename__ = "products"
    __table_args__ = (enum_check("category", ProductCategory),)

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    name_folded: Mapped[str] = mapped_column(String(255), default="")
    sector_id: Mapped[int] = mapped_column(ForeignKey("sectors.id"), index=True)
    category: Mapped[ProductCategory] = mapped_column(db.Enum(ProductCategory, native_enum=False, length=12))
    description: Mapped[str] = mapped_column(Text, default="")
    year_started: Mapped[int | None]
    capacity: Mapped[str] = mapped_column(String(255), default="")
    main_markets: Mapped[str] = mapped_column(String(500), default="")
    hs_code: Mapped[str] = mapped_column(String(12), default="")
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

    enterprise: Mapped[Enterprise] = relationship()
    sector: Mapped[Sector] = relationship()


class TechnologyLevel(LabelledEnum):
    advanced = "advanced", _l("Advanced (high technology, automated lines)")
    modern = "modern", _l("Modern (partly automated)")
    average = "average", _l("Average")


class Application(SurrogateKey, Model):
    """A product's nomination in a round: the object the workflow carries from draft to recognition."""

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("round_id", "product_id", name="uq_applications_round_product"),
        CheckConstraint("submitted_at IS NULL OR receipt_code IS NOT NULL", name="submitted_has_receipt"),
        CheckConstraint(
            "state IN ('draft', 'withdrawn') OR submitted_at IS NOT NULL", name="past_draft_was_submitted"
        ),
        CheckConstraint(
            "state <> 'recognised' OR decision_number IS NOT NULL", name="recognised_has_decision"
        ),
        CheckConstraint(
            "vetting_body IS NULL OR vetting_body = 'secretariat' OR vetting_unit_id IS NOT NULL",
            name="unit_vetting_has_unit",
        ),
        enum_check("state", State),
        enum_check("vetting_body", VettingBody),
        enum_check("technology_level", TechnologyLevel),
        # The vetting queues and their counts: a unit's (or the secretariat's) dossiers in a state, by
        # deadline, read from the index alone (vetting.queries).
        Index("ix_applications_unit_queue", "vetting_unit_id", "state", "due_on", "submitted_at"),
        Index("ix_applications_body_queue", "vetting_body", "state", "due_on", "submitted_at"),
    )

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    state: Mapped[State] = mapped_column(
        db.Enum(State, native_enum=False, length=24), default=State.draft, index=True
    )
    receipt_code: Mapped[str | None] = mapped_column(String(40), unique=True)
    lookup_secret_hash: Mapped[str | None] = mapped_column(String(255))
    vetting_body: Mapped[VettingBody | None] = mapped_column(
        db.Enum(VettingBody, native_enum=False, length=12)
    )
    # The unit that vets, fixed at submission: kept even if the unit is later dissolved.
    vetting_unit_id: Mapped[int | None] = mapped_column(ForeignKey("administrative_units.id"), index=True)
    technology_level: Mapped[TechnologyLevel | None] = mapped_column(
        db.Enum(TechnologyLevel, native_enum=False, length=12)
    )
    rnd_spending_vnd: Mapped[int | None] = mapped_column(BigInteger)
    environmental_compliance: Mapped[str] = mapped_column(Text, default="")
    compliance_committed: Mapped[bool] = mapped_column(default=False)
    declaration_accepted: Mapped[bool] = mapped_column(default=False)
    # The current step's deadline (vetting, or the applicant's reply to a supplement request);
    # while the applicant supplements, the vetting clock is paused with its remaining working days.
    due_on: Mapped[date | None] = mapped_column(index=True)
    vetting_days_left: Mapped[int | None]
    overdue_reminded_on: Mapped[date | None]
    decision_number: Mapped[str | None] = mapped_column(String(60))
    decision_date: Mapped[date | None]
    # The support the enterprise seeks, of those its round offers (SupportKind values).
    support_sought: Mapped[list] = mapped_column(db.JSON, default=list, server_default="[]")
    # What was submitted (enterprise, product, figures, documents), taken at submit and refreshed only
    # by resubmit: later edits of the enterprise or the product never change a submitted dossier.
    snapshot: Mapped[dict | None] = mapped_column(db.JSON)
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    vetting_started_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    supplement_requested_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    endorsed_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    unit_rejected_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    review_opened_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    concluded_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    recognised_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    # Optimistic lock: every UPDATE checks and bumps it, so a stale writer fails on both databases.
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    round: Mapped[Round] = relationship()
    product: Mapped[Product] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    vetting_unit: Mapped[AdministrativeUnit | None] = relationship()
    figures: Mapped[list[ApplicationFigures]] = relationship(
        back_populates="application", order_by="ApplicationFigures.year", cascade="all, delete-orphan"
    )
    documents: Mapped[list[Document]] = relationship(back_populates="application", order_by="Document.id")
    certifications: Mapped[list[Certification]] = relationship(
        back_populates="application", order_by="Certification.id", cascade="all, delete-orphan"
    )
    supplement_requests: Mapped[list[SupplementRequest]] = relationship(
        back_populates="application", order_by="SupplementRequest.number"
    )

    @validates("state")
    def _only_the_machine_sets_state(self, _key: str, value: State) -> State:
        creating_draft = inspect(self).transient and value == State.draft
        if not (creating_draft or machine_is_writing()):
            raise StateWriteError("Application.state changes only through recognition.cases.workflow.advance")
        return value

    # Whether a listed certification has expired, as the query that asks (the vetting queue) computes it
    # in its own SELECT with Certification.any_expired; None when the query did not ask.
    lists_expired_certification: Mapped[bool | None] = query_expression()

    @property
    def latest_figures(self) -> ApplicationFigures | None:
        return self.figures[-1] if self.figures else None

    @property
    def enterprise_record(self) -> EnterpriseRecord:
        """The enterprise as this dossier states it: as submitted, or as it is today for a draft."""
        if self.snapshot:
            return EnterpriseRecord(**self.snapshot["enterprise"])
        return EnterpriseRecord.of(self.enterprise)

    @property
    def product_record(self) -> ProductRecord:
        """The product as this dossier states it: as submitted, or as it is today for a draft."""
        if self.snapshot:
            return ProductRecord.from_json(self.snapshot["product"])
        return ProductRecord.of(self.product)


@dataclass(frozen=True)
class EnterpriseRecord:
    """An enterprise's identity as a dossier or a certificate keeps it."""

    name: str
    tax_code: str
    address: str
    unit_id: int | None
    sector_id: int | None

    @classmethod
    def of(cls, enterprise: Enterprise) -> EnterpriseRecord:
        return cls(**{f.name: getattr(enterprise, f.name) for f in fields(cls)})

    @property
    def unit(self) -> AdministrativeUnit | None:
        return db.session.get(AdministrativeUnit, self.unit_id) if self.unit_id else None


@dataclass(frozen=True)
class ProductRecord:
    """A product's description as a dossier keeps it."""

    name: str
    category: ProductCategory
    sector_id: int
    description: str
    year_started: int | None
    capacity: str
    main_markets: str
    hs_code: str

    @classmethod
    def of(cls, product: Product) -> ProductRecord:
        return cls(**{f.name: getattr(product, f.name) for f in fields(cls)})

    @classmethod
    def from_json(cls, data: dict) -> ProductRecord:
        return cls(**{**data, "category": ProductCategory(data["category"])})

    @property
    def sector(self) -> Sector:
        return db.session.get_one(Sector, self.sector_id)  # reference data: never deleted


class ApplicationFigures(SurrogateKey, Model):
    """One year's economic figures of a nomination; money in whole VND (exports in USD)."""

    __tablename__ = "application_figures"
    __table_args__ = (
        UniqueConstraint("application_id", "year", name="uq_application_figures_year"),
        CheckConstraint(
            "production_value_vnd >= 0 AND revenue_vnd >= 0 AND export_value_usd >= 0 "
            "AND budget_contribution_vnd >= 0 AND employees >= 0 AND average_wage_vnd >= 0",
            name="non_negative",
        ),
    )

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    production_value_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    revenue_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    export_value_usd: Mapped[int] = mapped_column(BigInteger, default=0)
    budget_contribution_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    employees: Mapped[int] = mapped_column(default=0)
    average_wage_vnd: Mapped[int] = mapped_column(BigInteger, default=0)

    application: Mapped[Application] = relationship(back_populates="figures")


class Certification(SurrogateKey, Model):
    """A quality or management-system certificate the product's maker holds (ISO 9001, IATF 16949…)."""

    __tablename__ = "certifications"

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    standard: Mapped[str] = mapped_column(String(120))
    number: Mapped[str] = mapped_column(String(120))
    expires_on: Mapped[date | None]

    application: Mapped[Application] = relationship(back_populates="certifications")

    def has_expired(self, today: date | None = None) -> bool:
        """Valid through its expiry date by Hanoi's calendar, so expired from the day after; one with
        no expiry date never expires. The dossier and the vetting queue flag an expired one."""
        return self.expires_on is not None and self.expires_on < (today or local_today())

    @classmethod
    def any_expired(cls, today: date) -> Exists:
        """has_expired in SQL, correlated to the enclosing query's application (a flag per row in one
        SELECT, however long the list)."""
        return exists().where(cls.application_id == Application.id, cls.expires_on < today)


class Document(SurrogateKey, Model):
    """Evidence attached to an application; a replaced document keeps its row (superseded_at set)."""

    __tablename__ = "documents"
    __table_args__ = (enum_check("kind", DocumentKind),)

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(db.Enum(DocumentKind, native_enum=False, length=30))
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(100))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))

    application: Mapped[Application] = relationship(back_populates="documents")


class SupplementRequest(SurrogateKey, Model):
    """A written request to supplement the dossier (one-stop Form 02), with the applicant's answers."""

    __tablename__ = "supplement_requests"
    __table_args__ = (UniqueConstraint("application_id", "number", name="uq_supplement_requests_number"),)

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    number: Mapped[int]
    items: Mapped[list] = mapped_column(db.JSON)
    deadline: Mapped[date]
    requested_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answers: Mapped[list | None] = mapped_column(db.JSON)
    answered_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))

    application: Mapped[Application] = relationship(back_populates="supplement_requests")


class VettingOutcome(enum.StrEnum):
    endorsed = "endorsed"
    rejected = "rejected"


# The compliance checks of the vetting report, each a yes/no answer with a note (its column and
# `<check>_note`); eligibility is confirmed apart, as the endorse step requires it.
VETTING_CHECKS = (
    "business_registration_valid",
    "no_tax_arrears",
    "social_insurance_paid",
    "environmental_compliance",
    "no_violations",
)


class VettingReport(SurrogateKey, Model):
    """The vetting body's report on a dossier, written by the endorse or reject_in_unit step (one per
    application, as vetting ends once). The step's audit event keeps a sealed copy; pages and slips
    read this row."""

    __tablename__ = "vetting_reports"
    __table_args__ = (
        enum_check("outcome", VettingOutcome),
        CheckConstraint(
            "outcome <> 'endorsed' OR (site_visit_date IS NOT NULL AND eligibility_confirmed IS TRUE"
            " AND business_registration_valid IS NOT NULL AND no_tax_arrears IS NOT NULL"
            " AND social_insurance_paid IS NOT NULL AND environmental_compliance IS NOT NULL"
            " AND no_violations IS NOT NULL AND recommendation IS NOT NULL)",
            name="endorsed_has_checklist",
        ),
        CheckConstraint("outcome <> 'rejected' OR reason IS NOT NULL", name="rejected_has_reason"),
    )

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    outcome: Mapped[VettingOutcome] = mapped_column(db.Enum(VettingOutcome, native_enum=False, length=10))
    site_visit_date: Mapped[date | None]
    eligibility_confirmed: Mapped[bool | None]
    business_registration_valid: Mapped[bool | None]
    business_registration_valid_note: Mapped[str] = mapped_column(String(1000), default="")
    no_tax_arrears: Mapped[bool | None]
    no_tax_arrears_note: Mapped[str] = mapped_column(String(1000), default="")
    social_insurance_paid: Mapped[bool | None]
    social_insurance_paid_note: Mapped[str] = mapped_column(String(1000), default="")
    environmental_compliance: Mapped[bool | None]
    environmental_compliance_note: Mapped[str] = mapped_column(String(1000), default="")
    no_violations: Mapped[bool | None]
    no_violations_note: Mapped[str] = mapped_column(String(1000), default="")
    recommendation: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    # A survey (rounds whose vetting report is a survey): the firm's capacity as seen on the visit,
    # the certifications the officer saw (Standard values), its place in supply chains.
    capacity_assessment: Mapped[str | None] = mapped_column(Text)
    certifications_seen: Mapped[list | None] = mapped_column(db.JSON)
    supply_chain_note: Mapped[str | None] = mapped_column(Text)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True))

    officer: Mapped[User | None] = relationship()


class AuditEvent(SurrogateKey, Model):
    """One step of one application, chained by hash to the step before it (tamper-evident)."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("application_id", "seq", name="uq_audit_events_seq"),)

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    seq: Mapped[int]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(20))
    trigger: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True))
    payload: Mapped[dict] = mapped_column(db.JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # HMAC of the hash under AUDIT_KEY, kept outside the database: a re-hashed chain does not verify.
    mac: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship()


class RecordChange(SurrogateKey, Model):
    """A change to something other than a dossier (an enterprise's profile, a product, a round's
    settings, an account, a unit), chained by hash per subject like a dossier's own trail."""

    __tablename__ = "record_changes"
    __table_args__ = (UniqueConstraint("subject_type", "subject_id", "seq", name="uq_record_changes_seq"),)

    subject_type: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int]
    seq: Mapped[int]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), index=True)
    payload: Mapped[dict] = mapped_column(db.JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    mac: Mapped[str] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship()


class AuditAnchor(Model):
    """A day's digest of every chain's head (its last event up to the cut-off), keyed and chained.

    Deleting a trail's last events and rolling its state back, or re-hashing a chain, changes the
    digest; the secretariat exports each day's anchor to archive it outside the system."""

    __tablename__ = "audit_anchors"

    day: Mapped[date] = mapped_column(primary_key=True)
    cutoff: Mapped[datetime] = mapped_column(db.DateTime(timezone=True))
    chains: Mapped[int]
    digest: Mapped[str] = mapped_column(String(64))
    prev_mac: Mapped[str] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)


class Notification(SurrogateKey, Model):
    """An outbox row, written in the transaction of the step that caused it. Its recipients read it as
    an in-app notice; the drain (recognition/notifications/outbox.py) renders its e-mails once."""

    __tablename__ = "notifications"

    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    recipient_role: Mapped[str] = mapped_column(String(20))
    recipient_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    recipient_enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    recipient_unit_id: Mapped[int | None] = mapped_column(ForeignKey("administrative_units.id"))
    payload: Mapped[dict] = mapped_column(db.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    mails_queued_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True), index=True)


class ReceiptCounter(Model):
    """The last receipt sequence issued on a day; only ever incremented, so codes are never reused."""

    __tablename__ = "receipt_counters"

    day: Mapped[date] = mapped_column(primary_key=True)
    last: Mapped[int] = mapped_column(default=0)

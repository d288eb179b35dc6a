"""Programmes and their yearly rounds: dates, who vets, thresholds and targets are data, not code."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recognition.clock import to_local
from recognition.extensions import Model, SurrogateKey, db, enum_check
from recognition.i18n import Bilingual
from recognition.labels import LabelledEnum


class RoundStatus(LabelledEnum):
    draft = "draft", _l("Draft")
    open = "open", _l("Open")
    closed = "closed", _l("Closed")


class VettingBody(LabelledEnum):
    """Who vets a round's dossiers: the enterprise's administrative unit, or the Department itself."""

    unit = "unit", _l("The enterprise's administrative unit")
    secretariat = "secretariat", _l("The Department (secretariat)")


class SupplementExpiry(LabelledEnum):
    """What the daily sweep does when an applicant lets a supplement deadline pass."""

    remind = "remind", _l("Remind the enterprise")
    withdraw = "withdraw", _l("Withdraw the dossier automatically")


class RoundOutcome(LabelledEnum):
    """What the city's or the Department's decision grants at the end of a round."""

    certificate = "certificate", _l("A recognition certificate (key industrial product)")
    selection = "selection", _l("Selection for support, with a confirmation letter")


class VettingReportKind(LabelledEnum):
    """The report the vetting body writes to endorse a dossier: the compliance checklist of a
    recognition, or a survey of the firm (site visit, capacity, certifications seen)."""

    checklist = "checklist", _l("Vetting checklist")
    survey = "survey", _l("Survey of the enterprise (site visit, capacity, certifications seen)")


class DocumentKind(LabelledEnum):
    """The evidence a nomination carries, by kind: a round requires some of them (all but `other`
    unless its settings say otherwise), and each uploaded file names the one it is."""

    registration_form = "registration_form", _l("Registration form")
    business_registration = "business_registration", _l("Business registration certificate")
    financial_statements = "financial_statements", _l("Audited financial statements")
    quality_certificates = "quality_certificates", _l("Quality or standard certificates")
    intellectual_property = "intellectual_property", _l("Intellectual property")
    environmental_compliance = "environmental_compliance", _l("Environmental compliance")
    product_description = "product_description", _l("Product description")
    other = "other", _l("Other documents")


# Still read by cases/guards.py (a kind from a round's JSON list, a plain string); prefer `.label`.
DOCUMENT_KIND_LABELS = DocumentKind.labels()

DEFAULT_REQUIRED_DOCUMENTS = [kind.value for kind in DocumentKind if kind != DocumentKind.other]

# A round's settings that hold one member of an enum: the database checks them, the settings form's
# values are read back into members by them.
ROUND_ENUM_SETTINGS: dict[str, type[LabelledEnum]] = {
    "status": RoundStatus,
    "vetting_body": VettingBody,
    "supplement_expiry": SupplementExpiry,
    "outcome": RoundOutcome,
    "vetting_report": VettingReportKind,
}


class Programme(Bilingual, SurrogateKey, Model):
    """A scheme the Department runs on this process (key industrial products, supporting industries)."""

    __tablename__ = "programmes"

    code: Mapped[str] = mapped_column(String(30), unique=True)
    name_vi: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str] = mapped_column(String(255))
    outcome_vi: Mapped[str] = mapped_column(String(255))
    outcome_en: Mapped[str] = mapped_column(String(255))
    # The plan's standing targets (Plan 35/KH-UBND: ≈920 firms, ≈300 at international standards,
    # ≈16% of manufacturing output, index growth above 11% a year); unset where the plan has none.
    target_firms: Mapped[int | None]
    target_certified_firms: Mapped[int | None]
    target_output_share_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    target_index_growth_percent: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))


class Round(SurrogateKey, Model):
    """One yearly call of a programme (đợt xét chọn), with all the settings its plan decides."""

    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("programme_id", "year", name="uq_rounds_programme_year"),
        CheckConstraint("closes_on >= opens_on", name="dates_in_order"),
        CheckConstraint("review_ends_on >= review_starts_on", name="review_dates_in_order"),
        CheckConstraint("max_supplement_requests >= 0", name="supplement_limit_non_negative"),
        CheckConstraint("reviewers_per_dossier >= 1", name="at_least_one_reviewer"),
        CheckConstraint("pass_threshold >= 0 AND pass_threshold <= 100", name="threshold_in_range"),
        CheckConstraint("certificate_validity_months > 0", name="validity_positive"),
        CheckConstraint(
            "comment_closed_at IS NULL OR comment_closed_reason IS NOT NULL", name="early_close_has_reason"
        ),
        *(enum_check(column, enum_class) for column, enum_class in ROUND_ENUM_SETTINGS.items()),
    )

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(255))
    opens_on: Mapped[date]
    closes_on: Mapped[date]
    status: Mapped[RoundStatus] = mapped_column(
        db.Enum(RoundStatus, native_enum=False, length=10), default=RoundStatus.draft
    )
    legal_bases: Mapped[str] = mapped_column(Text, default="")
    vetting_body: Mapped[VettingBody] = mapped_column(
        db.Enum(VettingBody, native_enum=False, length=12), default=VettingBody.unit
    )
    required_documents: Mapped[list] = mapped_column(
        db.JSON, default=lambda: list(DEFAULT_REQUIRED_DOCUMENTS)
    )
    # What the round's decision grants, and the report that endorses a dossier at vetting.
    outcome: Mapped[RoundOutcome] = mapped_column(
        db.Enum(RoundOutcome, native_enum=False, length=12),
        default=RoundOutcome.certificate,
        server_default=RoundOutcome.certificate.value,
    )
    vetting_report: Mapped[VettingReportKind] = mapped_column(
        db.Enum(VettingReportKind, native_enum=False, length=10),
        default=VettingReportKind.checklist,
        server_default=VettingReportKind.checklist.value,
    )
    # The support the round offers (SupportKind values): when any, the nomination asks which of them
    # the enterprise seeks.
    support_areas: Mapped[list] = mapped_column(db.JSON, default=list, server_default="[]")
    max_supplement_requests: Mapped[int] = mapped_column(default=1)
    # The vetting body's time limit, in working days from submission (the clock pauses while the
    # applicant supplements), and the default reply deadline of a request to supplement.
    vetting_working_days: Mapped[int] = mapped_column(default=15)
    supplement_working_days: Mapped[int] = mapped_column(default=10)
    supplement_expiry: Mapped[SupplementExpiry] = mapped_column(
        db.Enum(SupplementExpiry, native_enum=False, length=10), default=SupplementExpiry.remind
    )
    reviewers_per_dossier: Mapped[int] = mapped_column(default=3)
    pass_threshold: Mapped[int] = mapped_column(default=70)
    top_n: Mapped[int] = mapped_column(default=10)
    # The board flags a dossier whose reviewers' totals differ by more than this many points.
    spread_flag_points: Mapped[int] = mapped_column(default=15)
    certificate_validity_months: Mapped[int] = mapped_column(default=36)
    # Eligibility thresholds of Guidance 1520/HD-SCT (2019), editable per round.
    min_revenue_high_tech_vnd: Mapped[int] = mapped_column(BigInteger, default=10_000_000_000)
    min_revenue_other_vnd: Mapped[int] = mapped_column(BigInteger, default=100_000_000_000)
    min_exports_handicraft_usd: Mapped[int] = mapped_column(BigInteger, default=1_000_000)
    target_products_min: Mapped[int | None]
    target_products_max: Mapped[int | None]
    target_enterprises_min: Mapped[int | None]
    target_enterprises_max: Mapped[int | None]
    # The plan's calendar beyond nominations, announced to everyone; optional until decided.
    review_starts_on: Mapped[date | None]
    review_ends_on: Mapped[date | None]
    results_planned_on: Mapped[date | None]
    decision_planned_on: Mapped[date | None]
    results_published_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    comment_deadline: Mapped[date | None]
    # The list published for comment, frozen at publication (rank, receipt code, names as submitted,
    # total, outcome, Top N mark): /results shows this, whatever happens to scores or states later.
    published_results: Mapped[list | None] = mapped_column(db.JSON)
    # The secretariat may end the comment period before its deadline, with a reason (audited);
    # publishing again opens a new period and clears them.
    comment_closed_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    comment_closed_reason: Mapped[str | None] = mapped_column(Text)

    programme: Mapped[Programme] = relationship()

    @property
    def required_document_kinds(self) -> list[DocumentKind]:
        """The required documents as members (the JSON column stores their values), so a page or a
        guard can show each one's label."""
        return [DocumentKind(kind) for kind in self.required_documents]

    @property
    def legal_basis_lines(self) -> list[str]:
        return [line.strip() for line in (self.legal_bases or "").splitlines() if line.strip()]

    @property
    def comment_closed_on(self) -> date | None:
        """The Hanoi day the secretariat closed the comment period early (None: not closed early)."""
        return to_local(self.comment_closed_at).date() if self.comment_closed_at else None


class CalendarException(Model):
    """A day the official calendar treats differently from the rule: a make-up working day
    (e.g. a Saturday worked to bridge a holiday) or an extra day off the government grants."""

    __tablename__ = "calendar_exceptions"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_working_day: Mapped[bool]
    note: Mapped[str] = mapped_column(String(255), default="")

"""After the council: objections to published results, and the certificates the city's decision grants."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, column, select
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship

from recognition.accounts.models import AdministrativeUnit, Enterprise, Sector
from recognition.cases.models import Application, Product
from recognition.clock import local_today, utcnow
from recognition.extensions import Model, SurrogateKey, db, enum_check
from recognition.labels import LabelledEnum
from recognition.lifecycle import Lifecycle, Move
from recognition.rounds.models import Round


class ObjectionStatus(LabelledEnum):
    open = "open", _l("Open")
    answered = "answered", _l("Answered")
    resolved = "resolved", _l("Resolved")


# A comment arrives resolved (nothing to settle), an objection open; the secretariat answers it (and
# may answer again) until it marks it resolved, which is final: the recognise step counts on it.
OBJECTION_LIFECYCLE: Lifecycle[ObjectionStatus] = Lifecycle({
    "answer": Move((ObjectionStatus.open, ObjectionStatus.answered), ObjectionStatus.answered),
    "resolve": Move((ObjectionStatus.open, ObjectionStatus.answered), ObjectionStatus.resolved),
})  # fmt: skip


class Objection(SurrogateKey, Model):
    """A comment or objection from anyone about a dossier in the published results."""

    __tablename__ = "objections"
    __table_args__ = (
        CheckConstraint("status <> 'resolved' OR resolved_at IS NOT NULL", name="resolved_has_time"),
        enum_check("status", ObjectionStatus),
    )

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), index=True)
    # What the sender is given to read the answer later: a reference and a secret (kept hashed),
    # like a dossier's receipt code and lookup secret. Rows from before they existed have neither.
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    lookup_secret_hash: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(254))
    text: Mapped[str] = mapped_column(Text)
    is_objection: Mapped[bool] = mapped_column(default=True)
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    document_name: Mapped[str | None] = mapped_column(String(255))
    document_type: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    status: Mapped[ObjectionStatus] = mapped_column(
        db.Enum(ObjectionStatus, native_enum=False, length=10), default=ObjectionStatus.open
    )
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    application: Mapped[Application] = relationship()


class CertificateStatus(LabelledEnum):
    valid = "valid", _l("Valid")
    expired = "expired", _l("Expired")
    revoked = "revoked", _l("Revoked")
    superseded = "superseded", _l("Superseded")


def _year_of_round(context: DefaultExecutionContext) -> int:
    """A certificate inserted without its round's year (a bulk insert) reads it from the round."""
    round_id = context.get_current_parameters()["round_id"]
    return int(context.connection.scalar(select(Round.year).where(Round.id == round_id)))


# Only a valid certificate moves: revoked by a decision, superseded by a newer one of the same
# product, expired by the nightly sweep past its date. Every other status is final.
CERTIFICATE_LIFECYCLE: Lifecycle[CertificateStatus] = Lifecycle({
    "revoke": Move((CertificateStatus.valid,), CertificateStatus.revoked),
    "supersede": Move((CertificateStatus.valid,), CertificateStatus.superseded),
    "expire": Move((CertificateStatus.valid,), CertificateStatus.expired),
})  # fmt: skip


class Certificate(SurrogateKey, Model):
    """The recognition certificate of one product in one round (ordinary or Top N)."""

    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("valid_until > issued_on", name="validity_after_issue"),
        CheckConstraint(
            "status <> 'revoked' OR (revoked_on IS NOT NULL AND revoke_reason IS NOT NULL)",
            name="revoked_has_reason",
        ),
        enum_check("status", CertificateStatus),
        # The registry's order among valid certificates: a page is a range of this index, not a sort.
        Index(
            "ix_certificates_registry_order",
            "status",
            column("round_year").desc(),
            column("top_n").desc(),
            "sequence",
            "id",
        ),
    )

    serial: Mapped[str] = mapped_column(String(40), unique=True)
    sequence: Mapped[int]
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    # The round's year, copied so that the registry sorts on this table alone (kept equal to
    # Round.year: a change of the round's year rewrites it, rounds.services).
    round_year: Mapped[int] = mapped_column(default=_year_of_round)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    top_n: Mapped[bool] = mapped_column(default=False)
    decision_number: Mapped[str] = mapped_column(String(60))
    decision_date: Mapped[date]
    decision_signer: Mapped[str] = mapped_column(String(200), default="")
    issued_on: Mapped[date]
    valid_until: Mapped[date] = mapped_column(index=True)
    status: Mapped[CertificateStatus] = mapped_column(
        db.Enum(CertificateStatus, native_enum=False, length=12), default=CertificateStatus.valid, index=True
    )
    status_changed_on: Mapped[date | None]
    revoked_on: Mapped[date | None]
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    revoke_decision: Mapped[str | None] = mapped_column(String(60))
    # What was recognised, copied from the dossier's submitted record: the registry, /verify, the
    # API and the PDF read these, never the enterprise's or product's current names.
    product_name: Mapped[str] = mapped_column(String(255))
    enterprise_name: Mapped[str] = mapped_column(String(255))
    tax_code: Mapped[str] = mapped_column(String(14))
    sector_id: Mapped[int] = mapped_column(ForeignKey("sectors.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("administrative_units.id"), index=True)
    names_folded: Mapped[str] = mapped_column(String(520), default="")

    application: Mapped[Application] = relationship()
    round: Mapped[Round] = relationship()
    sector: Mapped[Sector] = relationship()
    unit: Mapped[AdministrativeUnit | None] = relationship()

    @property
    def recognised_product(self) -> RecognisedProduct:
        return RecognisedProduct(id=self.product_id, name=self.product_name, sector=self.sector)

    @property
    def recognised_enterprise(self) -> RecognisedEnterprise:
        return RecognisedEnterprise(name=self.enterprise_name, tax_code=self.tax_code, unit=self.unit)

    @property
    def current_status(self) -> CertificateStatus:
        """The status as of today: a valid certificate past its date is expired even before the sweep."""
        if self.status == CertificateStatus.valid and self.valid_until < local_today():
            return CertificateStatus.expired
        return self.status

    product: Mapped[Product] = relationship()
    enterprise: Mapped[Enterprise] = relationship()


@dataclass(frozen=True)
class RecognisedProduct:
    id: int
    name: str
    sector: Sector


@dataclass(frozen=True)
class RecognisedEnterprise:
    name: str
    tax_code: str
    unit: AdministrativeUnit | None

"""The enterprise's operations on its nominations: start, save sections, attach evidence."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from recognition.accounts.models import Enterprise, Role, User
from recognition.cases.audit import Audited, changed_fields, field_values, record_change, record_event
from recognition.cases.errors import OperationRefused
from recognition.cases.models import (
    EDITABLE_STATES,
    UPLOAD_STATES,
    Application,
    ApplicationFigures,
    Certification,
    Document,
    Product,
    ProductCategory,
    State,
)
from recognition.cases.receipts import hash_lookup_secret, new_lookup_secret
from recognition.cases.storage import EvidenceStorage, UploadRejected, safe_display_name
from recognition.clock import local_today, utcnow
from recognition.extensions import db
from recognition.ratelimit import hit
from recognition.reports.support_models import SupportKind
from recognition.review.models import SelfAssessment
from recognition.rounds.models import DocumentKind, Round, RoundStatus

UPLOAD_WINDOW_SECONDS = 3600  # UPLOADS_PER_HOUR counts in this window
SECTIONS = ("product", "figures", "quality", "commitment", "documents")


class NominationLocked(OperationRefused):
    """The application has left the state in which this part may be changed."""

    http_status = 409
    category = "warning"

    def __init__(self) -> None:
        super().__init__(_l("This part of the dossier can no longer be changed."))


def open_rounds() -> list[Round]:
    today = local_today()
    return list(
        db.session.scalars(
            select(Round)
            .where(Round.status == RoundStatus.open, Round.opens_on <= today, Round.closes_on >= today)
            .order_by(Round.closes_on)
        )
    )


def figure_years(today: date | None = None) -> tuple[int, int]:
    """The two years the economic figures cover: the last two full years."""
    year = (today or local_today()).year
    return (year - 2, year - 1)


def start_nomination(
    enterprise: Enterprise, round_: Round, product: Product | None, product_name: str
) -> Application:
    """A draft application for an existing product or a new one; the caller commits."""
    if product is None:
        product = Product(
            enterprise=enterprise,
            name=product_name.strip(),
            sector_id=enterprise.sector_id,
            category=ProductCategory.other,
        )
        db.session.add(product)
    application = Application(round=round_, product=product, enterprise=enterprise)
    db.session.add(application)
    db.session.flush()
    return application


def accepts_evidence(application: Application) -> bool:
    """Evidence may be added while drafting, and while answering a request to supplement."""
    return application.state in UPLOAD_STATES


def ensure_editable(application: Application, states: Collection[State] = EDITABLE_STATES) -> None:
    if application.state not in states:
        raise NominationLocked()


PRODUCT_FIELDS = (
    "name", "sector_id", "category", "description", "year_started", "capacity", "main_markets", "hs_code",
)  # fmt: skip
PROFILE_FIELDS = ("name", "address", "unit_id", "sector_id")


def _audited_update(
    subject: Audited, names: tuple[str, ...], data: dict[str, Any], actor: User, action: str, **context: Any
) -> None:
    """Set the fields and audit what changed in the subject's own chain (a submitted dossier keeps
    its snapshot, so nothing here reaches it)."""
    before = field_values(subject, names)
    for name in names:
        setattr(subject, name, data[name])
    changes = changed_fields(before, field_values(subject, names))
    if changes:
        record_change(subject, actor, Role.applicant.value, action, {**context, "changes": changes})


def update_product(application: Application, data: dict, actor: User) -> None:
    """The product section of a draft; the product may also be in other rounds' dossiers."""
    ensure_editable(application)
    data = {**data, "category": ProductCategory(data["category"])}
    _audited_update(
        application.product, PRODUCT_FIELDS, data, actor, "edit_product", application_id=application.id
    )


def update_profile(enterprise: Enterprise, data: dict, actor: User) -> None:
    """The enterprise's profile (the tax code is its identity and is not edited here)."""
    _audited_update(enterprise, PROFILE_FIELDS, data, actor, "edit_profile")


def save_figures(application: Application, rows: list[dict]) -> None:
    """Replace the figures of each given year (rows carry `year` and the amounts)."""
    ensure_editable(application)
    by_year = {f.year: f for f in application.figures}
    for row in rows:
        figures = by_year.get(row["year"])
        if figures is None:
            figures = ApplicationFigures(year=row["year"])
            application.figures.append(figures)
        for key, value in row.items():
            if key != "year":
                setattr(figures, key, value or 0)


def save_certifications(application: Application, rows: list[dict]) -> None:
    """The certificates listed on the form replace the saved ones; blank rows are ignored."""
    ensure_editable(application)
    application.certifications.clear()
    for row in rows:
        standard = (row.get("standard") or "").strip()
        if standard:
            number = (row.get("number") or "").strip()
            application.certifications.append(
                Certification(standard=standard, number=number, expires_on=row.get("expires_on"))
            )


def save_support_sought(application: Application, areas: Collection[str]) -> None:
    """The support the enterprise seeks: only areas its round offers, in the kinds' order."""
    ensure_editable(application)
    offered = set(application.round.support_areas or [])
    application.support_sought = [kind.value for kind in SupportKind if kind in offered and kind in areas]


def current_documents(application: Application) -> list[Document]:
    return [d for d in application.documents if d.superseded_at is None]


def attach_document(
    application: Application,
    kind: DocumentKind,
    upload: FileStorage,
    user: User,
    replaces: Document | None = None,
) -> tuple[Document, bool]:
    """Store the upload and list it on the application; returns (document, created).

    The same file already listed under the same kind is not listed twice. A replaced document
    stays, marked superseded, so the history is kept. Each account may upload UPLOADS_PER_HOUR files
    an hour; the dossier's remaining quota bounds what storage reads, so a file over it is never kept.
    """
    ensure_editable(application, UPLOAD_STATES)
    if not hit(f"upload:{user.id}", current_app.config["UPLOADS_PER_HOUR"], UPLOAD_WINDOW_SECONDS):
        raise UploadRejected("rate")
    storage: EvidenceStorage = current_app.extensions["evidence_storage"]
    upload_max = current_app.config["UPLOAD_MAX_BYTES"]
    room = current_app.config["DOSSIER_MAX_BYTES"] - sum(d.size for d in application.documents)
    if room <= 0:
        raise UploadRejected("quota")
    try:
        stored = storage.put(upload.stream, min(upload_max, room))
    except UploadRejected as rejection:
        if rejection.reason == "too_large" and room < upload_max:
            raise UploadRejected("quota") from rejection
        raise
    for existing in current_documents(application):
        if existing.kind == kind and existing.sha256 == stored.sha256:
            return existing, False
    document = Document(
        kind=kind,
        filename=safe_display_name(upload.filename or "", stored.content_type),
        sha256=stored.sha256,
        size=stored.size,
        content_type=stored.content_type,
        uploaded_by_id=user.id,
        uploaded_at=utcnow(),
    )
    application.documents.append(document)
    if replaces is not None:
        replaces.superseded_at = document.uploaded_at
    if application.state == State.supplement_requested:
        record_event(
            application,
            user,
            Role.applicant.value,
            "add_evidence",
            {"kind": kind, "filename": document.filename, "sha256": document.sha256,
             "replaces": replaces.sha256 if replaces else None},
        )  # fmt: skip
    return document, True


def renew_lookup_secret_of(application: Application, actor: User) -> str:
    """A lost slip: a new lookup secret replaces the old one (audited; the secret itself is not)."""
    secret = new_lookup_secret()
    application.lookup_secret_hash = hash_lookup_secret(secret)
    record_event(application, actor, Role.applicant.value, "renew_lookup_secret", {})
    return secret


def save_self_assessment(application: Application, rows: dict[int, tuple]) -> None:
    """criterion id -> (points, justification), replacing what was saved."""
    ensure_editable(application)
    saved = {
        s.criterion_id: s
        for s in db.session.scalars(
            select(SelfAssessment).where(SelfAssessment.application_id == application.id)
        )
    }
    for criterion_id, (points, justification) in rows.items():
        row = saved.get(criterion_id) or SelfAssessment(
            application_id=application.id, criterion_id=criterion_id
        )
        row.points, row.justification = points, justification.strip()
        db.session.add(row)


def saved_self_assessment(application: Application) -> dict[int, tuple]:
    return {
        s.criterion_id: (s.points, s.justification)
        for s in db.session.scalars(
            select(SelfAssessment).where(SelfAssessment.application_id == application.id)
        )
    }

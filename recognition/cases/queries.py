"""Named queries over applications, always scoped to what the user may see (a foreign id is not found)."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import zip_longest
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select

from recognition.accounts.models import Role, User
from recognition.cases.models import (
    Application,
    AuditEvent,
    Document,
    State,
    SupplementRequest,
    VettingReport,
)
from recognition.cases.workflow import TIMELINE_TRIGGERS
from recognition.extensions import db
from recognition.review.models import ReviewAssignment


def applications_visible_to(user: User) -> Select:
    """Applications this user may open: their enterprise's, their unit's, assigned ones, or all
    submitted ones for the secretariat."""
    clauses: list[ColumnElement[bool]] = []
    if user.enterprise_ids:
        clauses.append(Application.enterprise_id.in_(user.enterprise_ids))
    if user.unit_ids:
        clauses.append(Application.vetting_unit_id.in_(user.unit_ids))
    if user.has_role(Role.secretariat):
        clauses.append(Application.state != State.draft)
    if user.has_role(Role.council_member):
        assigned = select(ReviewAssignment.application_id).where(
            ReviewAssignment.reviewer_id == user.id, ReviewAssignment.reviews
        )
        clauses.append(Application.id.in_(assigned))
    return select(Application).where(or_(*clauses) if clauses else false())


def applications_of_enterprises(user: User) -> Select:
    """The applications the user's enterprises own (an applicant's own dossiers, nothing else)."""
    return select(Application).where(Application.enterprise_id.in_(user.enterprise_ids or [-1]))


def get_own_application_or_404(user: User, application_id: int) -> Application:
    return db.first_or_404(applications_of_enterprises(user).where(Application.id == application_id))


def get_visible_application_or_404(user: User, application_id: int) -> Application:
    return db.first_or_404(applications_visible_to(user).where(Application.id == application_id))


def timeline_of(application: Application) -> list[AuditEvent]:
    """The dossier's steps as its enterprise and the public see them (council internals left out)."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.application_id == application.id, AuditEvent.trigger.in_(TIMELINE_TRIGGERS))
            .order_by(AuditEvent.seq)
        )
    )


def document_of_or_404(application: Application, document_id: int) -> Document:
    """A document of this application (never of another one, whatever id is asked for)."""
    return db.first_or_404(
        select(Document).where(Document.id == document_id, Document.application_id == application.id)
    )


def self_assessment_of(application: Application) -> list[tuple]:
    """(criterion, points, justification) of the enterprise's self-assessment, in rubric order."""
    from recognition.review.models import Criterion, CriterionGroup, SelfAssessment

    return list(
        db.session.execute(
            select(Criterion, SelfAssessment.points, SelfAssessment.justification)
            .join(SelfAssessment, SelfAssessment.criterion_id == Criterion.id)
            .join(CriterionGroup, CriterionGroup.id == Criterion.group_id)
            .where(SelfAssessment.application_id == application.id)
            .order_by(CriterionGroup.position, Criterion.position)
        ).all()
    )


def vetting_report_of(application: Application) -> VettingReport | None:
    """The vetting body's report, endorsed or rejected (None while vetting goes on): one query."""
    return db.session.scalar(select(VettingReport).where(VettingReport.application_id == application.id))


@dataclass
class SupplementExchange:
    """A request to supplement as the vetting body reads it back: each item beside the enterprise's
    answer (None until answered), and the documents the enterprise uploaded while it was open."""

    request: SupplementRequest
    items: list[tuple[str, str | None]]
    evidence: list[Document] = field(default_factory=list)


def supplements_of(application: Application) -> list[SupplementExchange]:
    """Every request to supplement of the dossier, oldest first, with answers and evidence (two queries)."""
    requests = list(
        db.session.scalars(
            select(SupplementRequest)
            .where(SupplementRequest.application_id == application.id)
            .order_by(SupplementRequest.number)
        )
    )
    exchanges = {
        r.id: SupplementExchange(r, list(zip_longest(r.items, (r.answers or [])[: len(r.items)])))
        for r in requests
    }
    # After submission evidence can be added only while a request is open (cases.models.UPLOAD_STATES).
    added = db.session.execute(
        select(SupplementRequest.id, Document)
        .join(
            Document,
            and_(
                Document.application_id == SupplementRequest.application_id,
                Document.uploaded_at >= SupplementRequest.requested_at,
                or_(
                    SupplementRequest.answered_at.is_(None),
                    Document.uploaded_at <= SupplementRequest.answered_at,
                ),
            ),
        )
        .where(SupplementRequest.application_id == application.id)
        .order_by(Document.id)
    ).all()
    for request_id, document in added:
        exchanges[request_id].evidence.append(document)
    return list(exchanges.values())


def override_reasons_of(round_id: int) -> dict[int, str]:
    """application id → the written reason the secretariat gave for concluding against the rules."""
    return _override_reasons(
        select(AuditEvent.application_id, AuditEvent.payload)
        .join(Application, Application.id == AuditEvent.application_id)
        .where(Application.round_id == round_id)
    )


def override_reasons_for(application_ids: list[int]) -> dict[int, str]:
    """The same as `override_reasons_of`, for these dossiers only (a page of the board)."""
    return _override_reasons(
        select(AuditEvent.application_id, AuditEvent.payload).where(
            AuditEvent.application_id.in_(application_ids or [-1])
        )
    )


def _override_reasons(events: Select[Any]) -> dict[int, str]:
    """The reasons of the `conclude_review` events among `events` (application id, payload), the last one
    of each dossier winning."""
    rows = db.session.execute(events.where(AuditEvent.trigger == "conclude_review").order_by(AuditEvent.seq))
    return {
        application_id: payload["override_reason"]
        for application_id, payload in rows
        if payload.get("override_reason")
    }

"""Named queries over applications, always scoped to what the user may see (a foreign id is not found)."""

from __future__ import annotations

from flask import abort
from sqlalchemy import Select, false, or_, select

from recognition.accounts.models import Role, User
from recognition.cases.models import Application, AuditEvent, Document, State
from recognition.cases.workflow import TIMELINE_TRIGGERS
from recognition.extensions import db
from recognition.review.models import ReviewAssignment


def applications_visible_to(user: User) -> Select:
    """Applications this user may open: their enterprise's, their unit's, assigned ones, or all
    submitted ones for the secretariat."""
    clauses = []
    if user.enterprise_ids:
        clauses.append(Application.enterprise_id.in_(user.enterprise_ids))
    if user.unit_ids:
        clauses.append(Application.vetting_unit_id.in_(user.unit_ids))
    if user.has_role(Role.secretariat):
        clauses.append(Application.state != State.draft)
    if user.has_role(Role.council_member):
        assigned = select(ReviewAssignment.application_id).where(
            ReviewAssignment.reviewer_id == user.id, ReviewAssignment.has_conflict.is_not(True)
        )
        clauses.append(Application.id.in_(assigned))
    return select(Application).where(or_(*clauses) if clauses else false())


def applications_of_enterprises(user: User) -> Select:
    """The applications the user's enterprises own (an applicant's own dossiers, nothing else)."""
    return select(Application).where(Application.enterprise_id.in_(user.enterprise_ids or [-1]))


def get_own_application_or_404(user: User, application_id: int) -> Application:
    application = db.session.scalar(applications_of_enterprises(user).where(Application.id == application_id))
    if application is None:
        abort(404)
    return application


def get_visible_application_or_404(user: User, application_id: int) -> Application:
    application = db.session.scalar(applications_visible_to(user).where(Application.id == application_id))
    if application is None:
        abort(404)
    return application


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
    document = db.session.scalar(
        select(Document).where(Document.id == document_id, Document.application_id == application.id)
    )
    if document is None:
        abort(404)
    return document


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


def vetting_report_of(application: Application) -> dict | None:
    """The vetting body's report, as recorded in the endorse step's audit event (None before it)."""
    return db.session.scalar(
        select(AuditEvent.payload)
        .where(AuditEvent.application_id == application.id, AuditEvent.trigger == "endorse")
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    )

"""The daily sweep: flag overdue steps, queue reminders, lapse unanswered supplements where the round
says so, expire certificates past their date, remind firms of certifications about to expire, anchor
yesterday's audit chain heads, drop old rate-limit counters, remove evidence files a crash left behind.
Idempotent: a second run finds nothing left to do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from recognition.accounts.models import Role
from recognition.cases.audit import anchor_day
from recognition.cases.errors import WorkflowError
from recognition.cases.models import BEING_VETTED_STATES, Application, Document, Notification, State
from recognition.cases.workflow import advance
from recognition.extensions import db
from recognition.honours.certificates import expire_certificates
from recognition.honours.models import Objection
from recognition.ratelimit import purge_old_hits
from recognition.rounds.models import Round, SupplementExpiry, VettingBody
from recognition.supporting.reminders import remind_expiring_certifications

# An upload may be on disk a moment before its row is committed; an hour is far beyond that.
EVIDENCE_GRACE = timedelta(hours=1)


@dataclass
class SweepReport:
    vetting_overdue: int = 0
    supplement_reminders: int = 0
    lapsed: int = 0
    certificates_expired: int = 0
    certifications_reminded: int = 0
    evidence_removed: int = 0


def _remind(application: Application, today: date, event: str, to_applicant: bool) -> None:
    assert application.due_on is not None  # sweep() picks dossiers by their due date
    if to_applicant:
        recipient = {
            "recipient_role": Role.applicant.value,
            "recipient_enterprise_id": application.enterprise_id,
        }
    elif application.vetting_body == VettingBody.unit:
        recipient = {
            "recipient_role": Role.unit_officer.value,
            "recipient_unit_id": application.vetting_unit_id,
        }
    else:
        recipient = {"recipient_role": Role.secretariat.value}
    db.session.add(
        Notification(
            application_id=application.id,
            event=event,
            payload={"due_on": application.due_on.isoformat()},
            **recipient,
        )
    )
    application.overdue_reminded_on = today


def sweep(today: date) -> SweepReport:
    """One pass; each application is handled in its own transaction so one failure stops nothing else."""
    report = SweepReport()
    overdue = db.session.scalars(
        select(Application)
        .join(Application.round)
        .where(Application.due_on < today, Application.overdue_reminded_on.is_(None))
        .where(Application.state.in_(BEING_VETTED_STATES))
        .order_by(Application.id)
    ).all()
    for application in overdue:
        round_: Round = application.round
        try:
            if application.state != State.supplement_requested:
                _remind(application, today, "vetting_overdue", to_applicant=False)
                report.vetting_overdue += 1
            elif round_.supplement_expiry == SupplementExpiry.withdraw:
                advance(application, "lapse", None)
                report.lapsed += 1
            else:
                _remind(application, today, "supplement_overdue", to_applicant=True)
                report.supplement_reminders += 1
            db.session.commit()
        except WorkflowError:
            db.session.rollback()
    report.certificates_expired = expire_certificates(today)
    report.certifications_reminded = remind_expiring_certifications(today)
    anchor_day(today - timedelta(days=1))
    purge_old_hits()
    db.session.commit()
    report.evidence_removed = current_app.extensions["evidence_storage"].purge(
        referenced_evidence(), EVIDENCE_GRACE
    )
    return report


def referenced_evidence() -> set[str]:
    """Digests of every stored file a row points at: documents (superseded ones too) and comments."""
    documents = db.session.scalars(select(Document.sha256).distinct())
    comments = db.session.scalars(
        select(Objection.document_sha256).where(Objection.document_sha256.is_not(None)).distinct()
    )
    return {*documents, *comments}

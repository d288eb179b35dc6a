"""The secretariat's final step: publish the council's results for comment, handle objections,
record the city's decision for many dossiers at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from recognition.accounts.models import User
from recognition.cases.errors import OperationRefused, Refusal, WorkflowError
from recognition.cases.models import Application
from recognition.cases.storage import safe_display_name
from recognition.cases.workflow import advance
from recognition.clock import local_today, utcnow
from recognition.extensions import db
from recognition.honours.models import Objection, ObjectionStatus
from recognition.honours.results import published_results, results_to_publish
from recognition.rounds.models import Round


class HonoursError(OperationRefused):
    """A step of publication or honouring refused."""


def publish_results(round_: Round, deadline: date) -> None:
    """Publish for comment until `deadline`; publishing again (e.g. to move the deadline) publishes
    the list as it stands then, with a new publication time."""
    if deadline <= local_today():
        raise HonoursError(_l("The comment deadline must be after today."))
    results = results_to_publish(round_)
    if not results:
        raise HonoursError(_l("No dossier of this round is recommended yet."))
    round_.published_results = [r.to_json() for r in results]  # frozen: later changes do not reach it
    round_.results_published_at = utcnow()
    round_.comment_deadline = deadline
    db.session.flush()


def comments_open(round_: Round) -> bool:
    return round_.results_published_at is not None and local_today() <= round_.comment_deadline


def submit_objection(
    application: Application,
    name: str,
    contact: str,
    text: str,
    is_objection: bool,
    upload: FileStorage | None,
) -> Objection:
    """Anyone's comment on a dossier of the published list, while the comment period runs."""
    published = {r.application_id for r in published_results(application.round)}
    if application.id not in published or not comments_open(application.round):
        raise HonoursError(_l("Comments on these results are closed."))
    objection = Objection(
        application_id=application.id,
        name=name.strip(),
        contact=contact.strip(),
        text=text.strip(),
        is_objection=is_objection,
        status=ObjectionStatus.open if is_objection else ObjectionStatus.resolved,
        resolved_at=None if is_objection else utcnow(),
    )
    if upload is not None and upload.filename:
        stored = current_app.extensions["evidence_storage"].put(
            upload.stream, current_app.config["UPLOAD_MAX_BYTES"]
        )
        objection.document_sha256 = stored.sha256
        objection.document_type = stored.content_type
        objection.document_name = safe_display_name(upload.filename, stored.content_type)
    db.session.add(objection)
    db.session.flush()
    return objection


def handle_objection(objection: Objection, answer: str, resolve: bool, user: User) -> None:
    if not answer.strip():
        raise HonoursError(_l("Write the answer or the note."))
    objection.answer = answer.strip()
    objection.handled_by_id = user.id
    objection.status = ObjectionStatus.resolved if resolve else ObjectionStatus.answered
    objection.resolved_at = utcnow() if resolve else None
    db.session.flush()


@dataclass
class RecognitionOutcome:
    application: Application
    refusals: list[Refusal]

    @property
    def ok(self) -> bool:
        return not self.refusals


def recognise_many(
    application_ids: list[int], decision_number: str, decision_date: date, signer: str, actor: User
) -> list[RecognitionOutcome]:
    """Recognise each dossier in its own transaction, so one refusal does not undo the others."""
    outcomes = []
    for application_id in application_ids:
        application = db.session.get(Application, application_id)
        try:
            advance(
                application, "recognise", actor,
                decision_number=decision_number, decision_date=decision_date, decision_signer=signer,
            )  # fmt: skip
            db.session.commit()
            outcomes.append(RecognitionOutcome(application, []))
        except WorkflowError as error:
            db.session.rollback()
            outcomes.append(RecognitionOutcome(db.session.get(Application, application_id), error.refusals))
    return outcomes


def objections_of(round_: Round) -> list[Objection]:
    return list(
        db.session.scalars(
            select(Objection)
            .join(Application, Application.id == Objection.application_id)
            .where(Application.round_id == round_.id)
            .order_by(Objection.status, Objection.created_at)
        )
    )

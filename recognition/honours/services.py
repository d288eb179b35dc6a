"""The secretariat's final step: publish the council's results for comment, handle objections,
record the city's decision for many dossiers at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from recognition.accounts.models import Role, User
from recognition.cases.audit import record_change
from recognition.cases.errors import OperationRefused
from recognition.cases.models import Application, Notification
from recognition.cases.receipts import hash_lookup_secret, new_lookup_secret
from recognition.cases.services import StepOutcome, advance_each
from recognition.cases.storage import safe_display_name
from recognition.clock import local_today, utcnow
from recognition.extensions import db
from recognition.honours.models import OBJECTION_LIFECYCLE, Objection, ObjectionStatus
from recognition.honours.results import published_lines, results_to_publish
from recognition.rounds.models import Round
from recognition.urls import public_url


class HonoursError(OperationRefused):
    """A step of publication or honouring refused."""


OBJECTION_REFERENCE_PREFIX = "YK"  # ý kiến: YK-000123


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
    round_.comment_closed_at = round_.comment_closed_reason = None  # a new period
    db.session.flush()


def comments_open(round_: Round) -> bool:
    """Comments are taken to the end of the deadline day ("đến hết ngày"), unless closed early."""
    return (
        round_.results_published_at is not None
        and round_.comment_closed_at is None
        and round_.comment_deadline is not None  # set with results_published_at
        and local_today() <= round_.comment_deadline
    )


def rounds_open_for_comment() -> list[Round]:
    """Rounds whose published results take comments today, newest first (the public home lists them)."""
    return list(
        db.session.scalars(
            select(Round)
            .where(
                Round.results_published_at.is_not(None),
                Round.comment_closed_at.is_(None),
                Round.comment_deadline >= local_today(),
            )
            .order_by(Round.year.desc(), Round.id)
        )
    )


def close_comments_early(round_: Round, reason: str, actor: User) -> None:
    """End the comment period now, before its deadline, for a written reason; the city's decision
    may then be recorded at once. Audited on the round's trail."""
    if not comments_open(round_):
        raise HonoursError(_l("The comment period is not running."))
    if not reason.strip():
        raise HonoursError(_l("Give the reason for closing the comment period early."))
    round_.comment_closed_at = utcnow()
    round_.comment_closed_reason = reason.strip()
    record_change(
        round_, actor, Role.secretariat.value, "close_comments_early",
        {"reason": round_.comment_closed_reason, "comment_deadline": round_.comment_deadline,
         "closed_at": round_.comment_closed_at},
    )  # fmt: skip
    db.session.flush()


@dataclass(frozen=True)
class ReceivedComment:
    """A comment just stored, with the secret its sender reads the answer with (shown once)."""

    objection: Objection
    lookup_secret: str


def submit_objection(
    application: Application,
    name: str,
    contact: str,
    text: str,
    is_objection: bool,
    upload: FileStorage | None,
) -> ReceivedComment:
    """Anyone's comment on a dossier of the published list, while the comment period runs; the
    sender gets a reference and a lookup secret to read the answer with."""
    published = {r.application_id for r in published_lines(application.round)}
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
    secret = new_lookup_secret()
    objection.lookup_secret_hash = hash_lookup_secret(secret)
    db.session.add(objection)
    db.session.flush()
    objection.reference = f"{OBJECTION_REFERENCE_PREFIX}-{objection.id:06d}"
    db.session.flush()
    return ReceivedComment(objection, secret)


def handle_objection(objection: Objection, answer: str, resolve: bool, user: User) -> None:
    """Record the secretariat's answer; the sender reads it with their reference, and is mailed
    when their contact is an e-mail address."""
    action = "resolve" if resolve else "answer"
    if not OBJECTION_LIFECYCLE.allows(objection.status, action):
        raise HonoursError(_l("This comment is already resolved; its answer stays as it was given."))
    if not answer.strip():
        raise HonoursError(_l("Write the answer or the note."))
    objection.answer = answer.strip()
    objection.answered_at = utcnow()
    objection.handled_by_id = user.id
    objection.status = OBJECTION_LIFECYCLE.dest(action)
    objection.resolved_at = utcnow() if resolve else None
    _queue_answer_mail(objection)
    db.session.flush()


def _queue_answer_mail(objection: Objection) -> None:
    """An outbox row for the sender's mail: the reference and the page to read the answer on; the
    answer itself needs the secret, which only the sender holds."""
    try:
        address = validate_email(objection.contact, check_deliverability=False).normalized
    except EmailNotValidError:
        return
    if objection.reference is None:
        return
    link = public_url("registry.comment_answer", reference=objection.reference)
    db.session.add(
        Notification(
            application_id=objection.application_id,
            event="objection_answered",
            recipient_role="public",
            payload={"email": address, "reference": objection.reference, "answer_url": link},
        )
    )


def recognise_many(
    application_ids: list[int], decision_number: str, decision_date: date, signer: str, actor: User
) -> list[StepOutcome]:
    """Recognise each dossier (the form offered only these) under one decision, one refusal undoing
    no other; the caller commits once for all of them."""
    return advance_each(
        application_ids, "recognise", actor,
        decision_number=decision_number, decision_date=decision_date, decision_signer=signer,
    )  # fmt: skip


def objections_of(round_: Round) -> list[Objection]:
    return list(
        db.session.scalars(
            select(Objection)
            .join(Application, Application.id == Objection.application_id)
            .where(Application.round_id == round_.id)
            .order_by(Objection.status, Objection.created_at)
        )
    )

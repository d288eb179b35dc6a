"""The drain: render each notification's mails once, then deliver them with retries and backoff.

Every step is a conditional UPDATE committed on its own, so several drains (cron, RQ workers on
several app servers) can run at once: a notification is expanded by one of them, a mail is claimed
by one of them. A mail is never sent twice: a drain that dies while the server has a mail leaves it
`sending`, and the next drain marks it `interrupted` (the secretariat sees it in the outbox and may
send it again) instead of guessing whether the server took it."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from recognition.cases.models import Notification
from recognition.clock import utcnow
from recognition.extensions import db, rows_affected
from recognition.notifications.models import MAIL_LIFECYCLE, MailStatus, OutgoingMail
from recognition.notifications.recipients import mail_recipients
from recognition.notifications.texts import compose
from recognition.notifications.transport import DeliveryFailed, SmtpTransport

log = logging.getLogger(__name__)
BATCH = 200
# Longer than any SMTP conversation can last (MAIL_TIMEOUT_SECONDS per command).
SENDING_LEASE = timedelta(minutes=15)


@dataclass
class DrainReport:
    expanded: int = 0  # notifications rendered into mails
    queued: int = 0  # mails written
    sent: int = 0
    retried: int = 0
    failed: int = 0
    interrupted: int = 0
    held: int = 0  # mails waiting because no SMTP server is configured


def queue_mails(report: DrainReport | None = None) -> DrainReport:
    """Render the mails of every notification not yet expanded, each notification in its own
    transaction (claimed by a conditional UPDATE, so two drains never render one twice)."""
    report = report or DrainReport()
    while True:
        ids = list(
            db.session.scalars(
                select(Notification.id)
                .where(Notification.mails_queued_at.is_(None))
                .order_by(Notification.id)
                .limit(BATCH)
            )
        )
        if not ids:
            return report
        for notification_id in ids:
            claimed = db.session.execute(
                update(Notification)
                .where(Notification.id == notification_id, Notification.mails_queued_at.is_(None))
                .values(mails_queued_at=utcnow())
            )
            if rows_affected(claimed) != 1:
                db.session.rollback()
                continue
            notification = db.session.get_one(Notification, notification_id)  # just claimed: it exists
            recipients = {r.address.lower(): r for r in mail_recipients(notification)}
            for recipient in recipients.values():
                text = compose(notification, recipient.role, recipient.locale)
                db.session.add(
                    OutgoingMail(
                        notification_id=notification.id,
                        user_id=recipient.user.id if recipient.user else None,
                        to_address=recipient.address,
                        locale=recipient.locale,
                        subject=text.subject[:300],
                        body=text.body,
                    )
                )
                report.queued += 1
            db.session.commit()
            report.expanded += 1


def _retry_delay(attempts: int) -> timedelta:
    return timedelta(seconds=current_app.config["MAIL_RETRY_SECONDS"] * 2 ** (attempts - 1))


def mark_interrupted(now: datetime, report: DrainReport) -> None:
    """Mails a dead drain left with the server: recorded, never resent automatically."""
    result = db.session.execute(
        update(OutgoingMail)
        .where(
            OutgoingMail.status.in_(MAIL_LIFECYCLE.sources("interrupt")),
            OutgoingMail.claimed_at < now - SENDING_LEASE,
        )
        .values(
            status=MAIL_LIFECYCLE.dest("interrupt"),
            last_error="The drain stopped while the server had this mail; not resent, to avoid a duplicate.",
        )
    )
    db.session.commit()
    report.interrupted += rows_affected(result)


def deliver_due(transport: SmtpTransport, report: DrainReport | None = None) -> DrainReport:
    """Send every mail whose attempt is due; a refusal is retried with a doubling delay, then failed."""
    report = report or DrainReport()
    mark_interrupted(utcnow(), report)
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    done: set[int] = set()
    try:
        while True:
            due = [
                i
                for i in db.session.scalars(
                    select(OutgoingMail.id)
                    .where(OutgoingMail.status == MailStatus.queued, OutgoingMail.next_attempt_at <= utcnow())
                    .order_by(OutgoingMail.id)
                    .limit(BATCH)
                )
                if i not in done
            ]
            if not due:
                return report
            for mail_id in due:
                done.add(mail_id)
                _deliver_one(transport, mail_id, max_attempts, report)
    finally:
        transport.close()


def _deliver_one(transport: SmtpTransport, mail_id: int, max_attempts: int, report: DrainReport) -> None:
    claimed = db.session.execute(
        update(OutgoingMail)
        .where(OutgoingMail.id == mail_id, OutgoingMail.status.in_(MAIL_LIFECYCLE.sources("claim")))
        .values(status=MAIL_LIFECYCLE.dest("claim"), claimed_at=utcnow(), attempts=OutgoingMail.attempts + 1)
    )
    db.session.commit()
    if rows_affected(claimed) != 1:
        return  # another drain has it
    mail = db.session.get_one(OutgoingMail, mail_id)  # just claimed: it exists
    try:
        transport.send(mail)
    except DeliveryFailed as error:
        mail.last_error = str(error)
        if mail.attempts >= max_attempts:
            mail.status = MAIL_LIFECYCLE.dest("fail")
            report.failed += 1
            log.warning(
                "mail %s to %s failed after %s attempts: %s", mail.id, mail.to_address, mail.attempts, error
            )
        else:
            mail.status = MAIL_LIFECYCLE.dest("retry")
            mail.next_attempt_at = utcnow() + _retry_delay(mail.attempts)
            report.retried += 1
    else:
        mail.status = MAIL_LIFECYCLE.dest("deliver")
        mail.sent_at = utcnow()
        mail.last_error = ""
        report.sent += 1
    db.session.commit()


def drain() -> DrainReport:
    """One pass: render what is new, then deliver what is due (unless no SMTP server is configured)."""
    report = queue_mails()
    transport = SmtpTransport.from_app()
    if transport is None:
        report.held = db.session.execute(
            select(db.func.count(OutgoingMail.id)).where(OutgoingMail.status == MailStatus.queued)
        ).scalar_one()
        return report
    return deliver_due(transport, report)


def next_attempt_due() -> datetime | None:
    """When the earliest waiting mail is due (for the queue to schedule the next drain)."""
    return db.session.scalar(
        select(db.func.min(OutgoingMail.next_attempt_at)).where(OutgoingMail.status == MailStatus.queued)
    )


def may_send_again(mail: OutgoingMail) -> bool:
    """Whether the secretariat's "send again" applies: a failed or interrupted mail."""
    return MAIL_LIFECYCLE.allows(mail.status, "send_again")


def send_again(mail: OutgoingMail) -> None:
    """The secretariat's decision to send a failed or interrupted mail once more."""
    mail.status = MAIL_LIFECYCLE.dest("send_again")
    mail.next_attempt_at = utcnow()
    mail.attempts = 0
    db.session.flush()

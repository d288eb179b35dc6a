"""What the outbox becomes: e-mails to deliver, and the notices each user has read.

A `Notification` (recognition/cases/models.py) is written in the transaction of the step that caused
it. The in-app notices are read from those rows directly (so they appear on the next page); the mails
are rendered from them by the drain, once, into `OutgoingMail` rows that carry their own delivery
state."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from recognition.clock import utcnow
from recognition.extensions import db


class MailStatus(enum.StrEnum):
    queued = "queued"  # waiting for its first or next attempt
    sending = "sending"  # claimed by a drain, handed to the SMTP server
    sent = "sent"
    failed = "failed"  # refused on every attempt
    interrupted = "interrupted"  # the drain died while the server had it: never resent automatically


MAIL_STATUS_LABELS = {
    MailStatus.queued: _l("Waiting"),
    MailStatus.sending: _l("Sending"),
    MailStatus.sent: _l("Sent"),
    MailStatus.failed: _l("Failed"),
    MailStatus.interrupted: _l("Interrupted"),
}


class OutgoingMail(db.Model):
    """One e-mail to one address, rendered in the recipient's language."""

    __tablename__ = "outgoing_mails"
    __table_args__ = (
        UniqueConstraint("notification_id", "to_address", name="uq_outgoing_mail_per_address"),
        CheckConstraint(
            "status IN ('queued', 'sending', 'sent', 'failed', 'interrupted')", name="known_status"
        ),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[MailStatus] = mapped_column(
        db.Enum(MailStatus, native_enum=False, length=12), default=MailStatus.queued, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(db.DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)


class NoticeRead(db.Model):
    """A user has read an in-app notice (the notice itself is the `Notification` row)."""

    __tablename__ = "notice_reads"
    __table_args__ = (UniqueConstraint("user_id", "notification_id", name="uq_notice_read"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    read_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

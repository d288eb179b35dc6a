"""What the outbox becomes: e-mails to deliver, and the notices each user has read.

A `Notification` (recognition/cases/models.py) is written in the transaction of the step that caused
it. The in-app notices are read from those rows directly (so they appear on the next page); the mails
are rendered from them by the drain, once, into `OutgoingMail` rows that carry their own delivery
state."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from recognition.clock import utcnow
from recognition.extensions import Model, SurrogateKey, db, enum_check
from recognition.labels import LabelledEnum
from recognition.lifecycle import Lifecycle, Move


class MailStatus(LabelledEnum):
    queued = "queued", _l("Waiting")  # waiting for its first or next attempt
    sending = "sending", _l("Sending")  # claimed by a drain, handed to the SMTP server
    sent = "sent", _l("Sent")
    failed = "failed", _l("Failed")  # refused on every attempt
    # The drain died while the server had it: never resent automatically.
    interrupted = "interrupted", _l("Interrupted")


# A drain claims a waiting mail, then the server takes it (sent), refuses it (back to waiting until
# the last attempt fails it), or the drain dies holding it (interrupted: never resent by itself, so
# nobody gets it twice). Only the secretariat sends a failed or interrupted mail again.
MAIL_LIFECYCLE: Lifecycle[MailStatus] = Lifecycle({
    "claim": Move((MailStatus.queued,), MailStatus.sending),
    "deliver": Move((MailStatus.sending,), MailStatus.sent),
    "retry": Move((MailStatus.sending,), MailStatus.queued),
    "fail": Move((MailStatus.sending,), MailStatus.failed),
    "interrupt": Move((MailStatus.sending,), MailStatus.interrupted),
    "send_again": Move((MailStatus.failed, MailStatus.interrupted), MailStatus.queued),
})  # fmt: skip


class OutgoingMail(SurrogateKey, Model):
    """One e-mail to one address, rendered in the recipient's language."""

    __tablename__ = "outgoing_mails"
    __table_args__ = (
        UniqueConstraint("notification_id", "to_address", name="uq_outgoing_mail_per_address"),
        enum_check("status", MailStatus),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
    )

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


class NoticeRead(SurrogateKey, Model):
    """A user has read an in-app notice (the notice itself is the `Notification` row)."""

    __tablename__ = "notice_reads"
    __table_args__ = (UniqueConstraint("user_id", "notification_id", name="uq_notice_read"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"))
    read_at: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), default=utcnow)

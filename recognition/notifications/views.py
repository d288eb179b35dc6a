"""Notices for every signed-in user (/notices), the secretariat's view of the mail outbox
(/secretariat/mail), and, in development without SMTP, the local outbox of what would be sent."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from recognition.accounts.models import Role
from recognition.accounts.permissions import role_required
from recognition.cases.models import Notification
from recognition.extensions import db
from recognition.notifications import notices
from recognition.notifications.forms import OpenNoticeForm, SendAgainForm
from recognition.notifications.models import MailStatus, OutgoingMail
from recognition.notifications.outbox import may_send_again, send_again
from recognition.notifications.recipients import mail_recipients
from recognition.notifications.texts import compose, page_of
from recognition.policy import commit
from recognition.validators import filled

bp = Blueprint("notices", __name__)
local_outbox_bp = Blueprint("local_outbox", __name__)
MAIL_PAGE_SIZE = 100


@bp.route("/notices")
@login_required
def notice_list() -> ResponseReturnValue:
    return render_template("notifications/notices.html", notices=notices.notices_of(current_user))


@bp.route("/notices/open", methods=["POST"])
@login_required
def open_notice() -> ResponseReturnValue:
    """Mark one of the user's notices read and go to its page (anyone else's is not found)."""
    form = OpenNoticeForm()
    if not form.validate_on_submit():  # no id, or not one: nothing to open
        return redirect(url_for(".notice_list"))
    notification = notices.notice_for(current_user, filled(form.notification_id.data))
    if notification is None:
        abort(404)
    notices.mark_read(current_user, [notification.id])
    commit()
    return redirect(page_of(notification, notification.recipient_role) or url_for(".notice_list"))


@bp.route("/notices/read", methods=["POST"])
@login_required
def read_all() -> ResponseReturnValue:
    notices.mark_all_read(current_user)
    commit()
    flash(_("Every notice is marked as read."), "success")
    return redirect(url_for(".notice_list"))


@bp.route("/secretariat/mail")
@role_required(Role.secretariat)
def mail_outbox() -> ResponseReturnValue:
    status = MailStatus.__members__.get(request.args.get("status", ""))
    counts = dict(
        db.session.execute(select(OutgoingMail.status, func.count()).group_by(OutgoingMail.status)).all()
    )
    stmt = select(OutgoingMail).order_by(OutgoingMail.id.desc()).limit(MAIL_PAGE_SIZE)
    if status is not None:
        stmt = stmt.where(OutgoingMail.status == status)
    return render_template(
        "notifications/outbox.html",
        mails=list(db.session.scalars(stmt)),
        counts=counts,
        statuses=MailStatus,
        may_send_again=may_send_again,
        pending=db.session.scalar(
            select(func.count(Notification.id)).where(Notification.mails_queued_at.is_(None))
        ),
    )


@bp.route("/secretariat/mail/send-again", methods=["POST"])
@role_required(Role.secretariat)
def mail_send_again() -> ResponseReturnValue:
    form = SendAgainForm()
    if not form.validate_on_submit():  # no id, or not one: nothing to send
        return redirect(url_for(".mail_outbox"))
    mail = db.session.get(OutgoingMail, form.mail_id.data)
    if mail is None or not may_send_again(mail):
        abort(404)
    send_again(mail)
    commit()
    flash(_("The mail to %(address)s will be sent again.", address=mail.to_address), "success")
    return redirect(url_for(".mail_outbox"))


@local_outbox_bp.route("/dev/outbox")
def local_outbox() -> ResponseReturnValue:
    """Development only: every mail the app would send, the ones not yet rendered included (composed
    here without saving anything)."""
    rendered = list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id.desc()).limit(200)))
    waiting = db.session.scalars(
        select(Notification)
        .where(Notification.mails_queued_at.is_(None))
        .order_by(Notification.id.desc())
        .limit(200)
    )
    previews = [
        (recipient.address, compose(notification, recipient.role, recipient.locale))
        for notification in waiting
        for recipient in mail_recipients(notification)
    ]
    return render_template("notifications/local_outbox.html", rendered=rendered, previews=previews)

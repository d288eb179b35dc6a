"""Who a notification reaches: the SQL condition for in-app notices, and the addresses for its mails.

A row names a user, or a role narrowed by an enterprise or a unit (an enterprise's applicants, a
unit's officers, the whole secretariat). Account mails and answers to the public go by mail only."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, or_, select

from recognition.accounts.models import RoleMembership, User
from recognition.cases.models import Notification
from recognition.extensions import db

MAIL_ONLY_ROLES = ("account", "public")


def addressed_to(user: User) -> ColumnElement[bool]:
    """Notifications that are `user`'s in-app notices (since the account exists)."""
    by_role = exists(
        select(RoleMembership.id).where(
            RoleMembership.user_id == user.id,
            RoleMembership.role == Notification.recipient_role,
            or_(
                Notification.recipient_enterprise_id.is_(None),
                RoleMembership.enterprise_id == Notification.recipient_enterprise_id,
            ),
            or_(
                Notification.recipient_unit_id.is_(None),
                RoleMembership.unit_id == Notification.recipient_unit_id,
            ),
        )
    )
    return and_(
        Notification.recipient_role.not_in(MAIL_ONLY_ROLES),
        Notification.created_at >= user.created_at,
        or_(
            Notification.recipient_user_id == user.id,
            and_(Notification.recipient_user_id.is_(None), by_role),
        ),
    )


@dataclass(frozen=True)
class MailRecipient:
    address: str
    locale: str
    user: User | None
    role: str  # the role the mail addresses them in (decides the link)


def mail_recipients(notification: Notification) -> list[MailRecipient]:
    """The active users (or the public address) one notification's mail goes to."""
    role = notification.recipient_role
    if role == "public":
        address = (notification.payload or {}).get("email")
        return [MailRecipient(address, "vi", None, role)] if address else []
    if notification.recipient_user_id is not None:
        users = [db.session.get(User, notification.recipient_user_id)]
    else:
        stmt = select(User).join(RoleMembership).where(RoleMembership.role == role, User.active.is_(True))
        if notification.recipient_enterprise_id is not None:
            stmt = stmt.where(RoleMembership.enterprise_id == notification.recipient_enterprise_id)
        if notification.recipient_unit_id is not None:
            stmt = stmt.where(RoleMembership.unit_id == notification.recipient_unit_id)
        users = list(db.session.scalars(stmt.order_by(User.id)).unique())
    return [MailRecipient(u.email, u.locale or "vi", u, role) for u in users if u is not None and u.active]

"""In-app notices: a user's notifications, read from the outbox rows themselves, with what they read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, select

from recognition.accounts.models import User
from recognition.cases.models import Application, Notification
from recognition.extensions import db
from recognition.notifications.models import NoticeRead
from recognition.notifications.recipients import addressed_to
from recognition.notifications.texts import page_of, subject_of

PAGE_SIZE = 50


@dataclass(frozen=True)
class Notice:
    id: int
    title: str
    link: str | None
    created_at: datetime
    read: bool


def _unread(user: User) -> ColumnElement[bool]:
    return (
        ~select(NoticeRead.id)
        .where(NoticeRead.user_id == user.id, NoticeRead.notification_id == Notification.id)
        .exists()
    )


def unread_count(user: User) -> int:
    return db.session.execute(
        select(func.count(Notification.id)).where(addressed_to(user), _unread(user))
    ).scalar_one()


def notices_of(user: User, limit: int = PAGE_SIZE) -> list[Notice]:
    """The newest notices, in one query."""
    rows = db.session.execute(
        select(Notification, Application, NoticeRead.id)
        .outerjoin(Application, Application.id == Notification.application_id)
        .outerjoin(
            NoticeRead, and_(NoticeRead.notification_id == Notification.id, NoticeRead.user_id == user.id)
        )
        .where(addressed_to(user))
        .order_by(Notification.id.desc())
        .limit(limit)
    ).all()
    return [
        Notice(
            id=notification.id,
            title=subject_of(notification, application),
            link=page_of(notification, notification.recipient_role),
            created_at=notification.created_at,
            read=read_id is not None,
        )
        for notification, application, read_id in rows
    ]


def notice_for(user: User, notification_id: int) -> Notification | None:
    """One of the user's notices (None for anyone else's)."""
    return db.session.scalar(
        select(Notification).where(Notification.id == notification_id, addressed_to(user))
    )


def mark_read(user: User, notification_ids: list[int]) -> None:
    already = set(
        db.session.scalars(
            select(NoticeRead.notification_id).where(
                NoticeRead.user_id == user.id, NoticeRead.notification_id.in_(notification_ids or [-1])
            )
        )
    )
    db.session.add_all(
        NoticeRead(user_id=user.id, notification_id=i)
        for i in dict.fromkeys(notification_ids)
        if i not in already
    )
    db.session.flush()


def mark_all_read(user: User) -> None:
    ids = list(db.session.scalars(select(Notification.id).where(addressed_to(user), _unread(user))))
    mark_read(user, ids)

"""Rate limits kept in the database, so every app server shares them (no process memory).

A fixed window: one row per (key, window start); the count is incremented with an upsert.
Flask-Limiter needs Redis or memcached for shared state; the embedded SQLite default has neither,
so this small counter serves both databases.

A count is written in the request's transaction and committed with it. A refused or failed request
rolls back, yet its attempts must still count (a refused login is what the limit is for): the
session remembers the counts a rollback took away, and the request policy writes them again and
commits them at the end of the request (recognition.policy). Nothing here commits."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import String, delete, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column, scoped_session

from recognition.clock import utcnow
from recognition.extensions import Model, db, rows_affected


class RateLimitHit(Model):
    __tablename__ = "rate_limit_hits"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(db.DateTime(timezone=True), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


def _window(window_seconds: int) -> datetime:
    now = utcnow()
    return datetime.fromtimestamp(int(now.timestamp()) // window_seconds * window_seconds, tz=now.tzinfo)


def count_in_window(key: str, window_seconds: int) -> int:
    """How many hits `key` has in the current window (without adding one)."""
    return (
        db.session.scalar(
            select(RateLimitHit.count).where(
                RateLimitHit.key == key, RateLimitHit.window_start == _window(window_seconds)
            )
        )
        or 0
    )


# session.info keys: the counts in the open transaction, and those a rollback took away.
UNSAVED = "rate_limit_unsaved"
LOST = "rate_limit_lost"


def _count_one(key: str, window: datetime) -> int:
    """One more for `key` in `window`, as one atomic upsert; returns the new count. The row stays
    locked until the transaction ends, so parallel attempts are counted one after the other."""
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(RateLimitHit)
        .values(key=key, window_start=window, count=1)
        .on_conflict_do_update(index_elements=["key", "window_start"], set_={"count": RateLimitHit.count + 1})
        .returning(RateLimitHit.count)
    )
    count = db.session.execute(stmt).scalar_one()
    db.session.info.setdefault(UNSAVED, []).append((key, window))
    return count


def hit(key: str, limit: int, window_seconds: int = 60) -> bool:
    """Count one attempt for `key`; False when it is over `limit` in the current window.

    The decision is taken on the count the increment returns. The count lasts even when the request
    is refused or fails afterwards: see the module's docstring.
    """
    return _count_one(key, _window(window_seconds)) <= limit


def counts_to_keep() -> bool:
    """Does this session hold counts not yet committed, or taken away by a rollback?"""
    return bool(db.session.info.get(UNSAVED) or db.session.info.get(LOST))


def count_again() -> None:
    """Write again the counts a rollback took away (in their own windows); the caller commits."""
    for key, window in db.session.info.pop(LOST, []):
        _count_one(key, window)


def _saved(session: Session) -> None:
    session.info.pop(UNSAVED, None)


def _rolled_back(session: Session) -> None:
    unsaved = session.info.pop(UNSAVED, None)
    if unsaved:
        session.info.setdefault(LOST, []).extend(unsaved)


def watch_counts(session: scoped_session) -> None:
    """Follow the session's commits and rollbacks, so the counts a rollback took away are known.
    Once per process: the session factory is shared by every app."""
    for name, listener in (("after_commit", _saved), ("after_rollback", _rolled_back)):
        if not event.contains(session, name, listener):
            event.listen(session, name, listener)


def seconds_left(window_seconds: int) -> int:
    """Seconds until the current window ends, for a Retry-After header (at least 1)."""
    return max(1, math.ceil(window_seconds - utcnow().timestamp() % window_seconds))


def forget(key: str) -> None:
    """Drop every count of `key` (a successful login clears that client's failures); the caller commits."""
    db.session.execute(delete(RateLimitHit).where(RateLimitHit.key == key))


def purge_old_hits(older_than: timedelta = timedelta(days=1)) -> int:
    """Drop the counters of windows long past (the daily sweep calls it, and commits); returns how many."""
    result = db.session.execute(delete(RateLimitHit).where(RateLimitHit.window_start < utcnow() - older_than))
    return rows_affected(result)

"""Rate limits kept in the database, so every app server shares them (no process memory).

A fixed window: one row per (key, window start); the count is incremented with an upsert.
Flask-Limiter needs Redis or memcached for shared state; the embedded SQLite default has neither,
so this small counter serves both databases."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import String, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from recognition.clock import utcnow
from recognition.extensions import db


class RateLimitHit(db.Model):
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


def hit(key: str, limit: int, window_seconds: int = 60) -> bool:
    """Count one attempt for `key`; False when it is over `limit` in the current window.

    Commits on its own connection-level transaction of the session, so refusals count even when
    the request fails afterwards.
    """
    window = _window(window_seconds)
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(RateLimitHit)
        .values(key=key, window_start=window, count=1)
        .on_conflict_do_update(index_elements=["key", "window_start"], set_={"count": RateLimitHit.count + 1})
        .returning(RateLimitHit.count)
    )
    count = db.session.execute(stmt).scalar_one()
    db.session.commit()
    return count <= limit


def seconds_left(window_seconds: int) -> int:
    """Seconds until the current window ends, for a Retry-After header (at least 1)."""
    return max(1, math.ceil(window_seconds - utcnow().timestamp() % window_seconds))


def forget(key: str) -> None:
    """Drop every count of `key` (a successful login clears that client's failures)."""
    db.session.execute(delete(RateLimitHit).where(RateLimitHit.key == key))
    db.session.commit()


def purge_old_hits(older_than: timedelta = timedelta(days=1)) -> int:
    """Drop the counters of windows long past (the daily sweep calls it); returns how many."""
    result = db.session.execute(delete(RateLimitHit).where(RateLimitHit.window_start < utcnow() - older_than))
    db.session.commit()
    return result.rowcount

"""The mail drain as jobs of a Redis queue (RQ), so that several app servers share one outbox.

RQ, rather than Dramatiq or Celery: it needs nothing but Redis, its jobs are plain functions, and a
worker is one command; the drain is already safe to run concurrently, so no broker feature beyond a
list and a scheduler (for retries at their due time) is needed. Without REDIS_URL nothing is queued
and `flask drain-mail` from cron does the same work."""

from __future__ import annotations

import logging

from flask import Flask, current_app, has_app_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker
from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction, scoped_session

from recognition.cases.models import Notification
from recognition.notifications.outbox import DrainReport, drain, next_attempt_due

log = logging.getLogger(__name__)
PENDING = "notifications_pending"


def mail_queue(app: Flask) -> Queue | None:
    url = app.config["REDIS_URL"]
    if not url:
        return None
    queue = app.extensions.get("mail_queue")
    if queue is None:
        queue = Queue(app.config["MAIL_QUEUE_NAME"], connection=Redis.from_url(url))
        app.extensions["mail_queue"] = queue
    return queue


def drain_job() -> dict:
    """One drain, run by a worker; schedules the next one when a retry is waiting."""
    report = drain()
    due = next_attempt_due()
    queue = mail_queue(current_app)
    if due is not None and queue is not None:
        queue.enqueue_at(due, drain_job)
    return report.__dict__


def run_worker(app: Flask, burst: bool = False) -> bool:
    """Work the mail queue in this process (inside the app context), with RQ's scheduler for retries."""
    queue = mail_queue(app)
    if queue is None:
        raise RuntimeError("REDIS_URL is not set: run `flask drain-mail` from cron instead.")
    worker = SimpleWorker([queue], connection=queue.connection)
    return worker.work(burst=burst, with_scheduler=True)


def _note_notifications(session: Session, _context: UOWTransaction) -> None:
    if any(isinstance(obj, Notification) for obj in session.new):
        session.info[PENDING] = True


def _queue_drain_after_commit(session: Session) -> None:
    if not session.info.pop(PENDING, False):
        return
    queue = mail_queue(current_app) if has_app_context() else None
    if queue is None:
        return
    try:
        queue.enqueue(drain_job)
    except RedisError as error:  # the cron drain picks the mail up
        log.warning("could not queue the mail drain: %s", error)


def _forget_notifications(session: Session) -> None:
    session.info.pop(PENDING, None)


def watch_commits(session: scoped_session) -> None:
    """After a commit that wrote notifications, queue a drain (when the app has a queue). Once per
    process: the session factory is shared by every app."""
    for name, listener in (
        ("after_flush", _note_notifications),
        ("after_commit", _queue_drain_after_commit),
        ("after_rollback", _forget_notifications),
    ):
        if not event.contains(session, name, listener):
            event.listen(session, name, listener)


__all__ = ["DrainReport", "drain_job", "mail_queue", "run_worker", "watch_commits"]

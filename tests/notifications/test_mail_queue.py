"""Production's drain: a commit that writes notifications queues a drain job on Redis (RQ), and a
worker sends the mails; two workers never send one twice. The sweep's reminders go the same way."""

from __future__ import annotations

import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import select

from recognition.cases.models import Application, Notification
from recognition.cases.sweep import sweep
from recognition.clock import local_today
from recognition.extensions import db
from recognition.notifications.jobs import run_worker
from recognition.notifications.models import MailStatus, OutgoingMail
from tests.notifications.test_mail_drain import ROOT, command_env, dossiers_with_notices

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def queue(app, monkeypatch):
    """A queue of its own on the machine's Redis, removed afterwards."""
    name = f"chuluc-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS_URL)
    monkeypatch.setitem(app.config, "MAIL_QUEUE_NAME", name)
    app.extensions.pop("mail_queue", None)
    connection = Redis.from_url(REDIS_URL)
    yield Queue(name, connection=connection)
    app.extensions.pop("mail_queue", None)
    Queue(name, connection=connection).empty()
    connection.close()


def test_a_commit_with_notifications_queues_a_drain_that_a_worker_runs(app, make, smtp, queue):
    officer, applicants = dossiers_with_notices(make, 2)
    assert queue.count >= 1  # each commit with a notification queued one

    run_worker(app, burst=True)

    assert queue.count == 0
    assert len(smtp.messages) == 4 and len(smtp.to(officer.email)) == 2
    assert db.session.scalar(select(db.func.count()).where(OutgoingMail.status == MailStatus.sent)) == 4


@pytest.mark.slow  # a `flask` process of its own, for seconds
def test_two_worker_processes_draining_at_once_send_each_mail_once(
    app,
    make,
    smtp,
    queue,
    database_url,
    tmp_path,
):
    dossiers_with_notices(make, 4)
    for _ in range(3):
        queue.enqueue("recognition.notifications.jobs.drain_job")
    env = command_env(app, database_url, tmp_path, REDIS_URL=REDIS_URL, MAIL_QUEUE_NAME=queue.name)
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "mail-worker", "--burst"]
    workers = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
        for _ in range(2)
    ]
    for worker in workers:
        _out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err.decode()[-2000:]

    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == len(set(ids)) == 8
    assert queue.count == 0


def test_the_sweeps_reminders_are_mailed_the_same_way(app, make, smtp, queue):
    officer, _applicants = dossiers_with_notices(make, 1)
    run_worker(app, burst=True)
    application = db.session.scalar(select(Application))
    before = len(smtp.to(officer.email))

    report = sweep(application.due_on + timedelta(days=1))
    assert report.vetting_overdue == 1
    run_worker(app, burst=True)

    reminders = smtp.to(officer.email)[before:]
    assert [m["Subject"] for m in reminders] == [f"Hồ sơ {application.receipt_code}: đã quá hạn thẩm định"]
    assert (
        db.session.scalar(select(Notification.mails_queued_at).where(Notification.event == "vetting_overdue"))
        is not None
    )
    assert local_today()  # the sweep ran on the app's clock, not the server's

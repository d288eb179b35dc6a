"""The mail drain against a real SMTP server on 127.0.0.1 (aiosmtpd): one message per recipient of
each notification, whether the drain runs twice or is killed midway; a refused delivery is retried
with a growing delay, then recorded as failed; mails speak the recipient's language."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from recognition import clock, create_app
from recognition.accounts.models import Role
from recognition.cases.models import Application
from recognition.extensions import db
from recognition.notifications.models import MailStatus, OutgoingMail
from recognition.notifications.outbox import drain, queue_mails
from tests.conftest import fire, login

ROOT = Path(__file__).resolve().parents[2]


def command_env(app, database_url: str, tmp_path: Path, **settings: str) -> dict:
    """The environment of a `flask` command run in a subprocess on the test's database and SMTP server."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "AUDIT_KEY": app.config["AUDIT_KEY"],
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(app.config["MAIL_PORT"]),
        "MAIL_USE_TLS": "0",
        **settings,
    }


def dossiers_with_notices(make, count: int):
    """`count` submitted dossiers of one unit: each notifies its applicant and the unit's officer."""
    officer = make.user(Role.unit_officer, unit=make.unit())
    applicants = []
    for _ in range(count):
        application = make.application()
        applicant = make.applicant_of(application)
        fire(application, "submit", applicant)
        applicants.append(applicant)
    db.session.commit()
    return officer, applicants


def mail_count(status: MailStatus | None = None) -> int:
    stmt = select(func.count(OutgoingMail.id))
    if status is not None:
        stmt = stmt.where(OutgoingMail.status == status)
    return db.session.scalar(stmt)


def test_one_message_per_recipient_and_a_second_drain_sends_nothing(app, make, smtp):
    officer, applicants = dossiers_with_notices(make, 3)

    first = drain()
    second = drain()

    assert (first.sent, second.sent, second.queued) == (6, 0, 0)
    assert len(smtp.messages) == 6
    assert len(smtp.to(officer.email)) == 3
    assert all(len(smtp.to(a.email)) == 1 for a in applicants)
    assert len({m["Message-ID"] for m in smtp.messages}) == 6
    assert mail_count(MailStatus.sent) == 6


def test_mails_are_in_the_recipients_language(app, make, smtp):
    officer, (applicant,) = dossiers_with_notices(make, 1)
    officer.locale = "en"
    db.session.commit()
    drain()
    code = db.session.scalar(
        select(Application).where(Application.enterprise_id == applicant.memberships[0].enterprise_id)
    )
    (to_officer,) = smtp.to(officer.email)
    (to_applicant,) = smtp.to(applicant.email)
    assert to_officer["Subject"] == f"Dossier {code.receipt_code} has been received"
    assert to_applicant["Subject"] == f"Hồ sơ {code.receipt_code} đã được tiếp nhận"
    assert f"/unit/dossiers/{code.id}" in to_officer.get_content()
    assert f"/applicant/applications/{code.id}" in to_applicant.get_content()


def test_a_refused_delivery_is_retried_later_then_recorded_as_failed(app, make, smtp, monkeypatch):
    officer, (applicant,) = dossiers_with_notices(make, 1)
    smtp.refused.add(applicant.email)
    now = clock.utcnow()
    monkeypatch.setattr(clock, "_now", lambda: now)

    report = drain()
    assert (report.sent, report.retried) == (1, 1)
    mail = db.session.scalar(select(OutgoingMail).where(OutgoingMail.to_address == applicant.email))
    assert mail.status == MailStatus.queued and mail.attempts == 1
    assert "550" in mail.last_error
    assert drain().retried == 0  # not due yet: the next attempt waits 60 s
    for minutes in (1, 3):  # 60 s, then 120 s more
        monkeypatch.setattr(
            clock, "_now", lambda minutes=minutes: now + timedelta(minutes=minutes, seconds=1)
        )
        drain()

    db.session.refresh(mail)
    assert mail.status == MailStatus.failed and mail.attempts == 3
    assert smtp.rcpt_attempts.count(applicant.email) == 3
    assert smtp.to(applicant.email) == [] and len(smtp.to(officer.email)) == 1


def test_an_unreachable_server_keeps_the_mails_for_later(app, make, smtp, monkeypatch):
    dossiers_with_notices(make, 1)
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)  # nothing listens there
    report = drain()
    assert report.sent == 0 and report.retried == 2
    assert mail_count(MailStatus.queued) == 2


@pytest.mark.slow  # a `flask` process of its own, for seconds
def test_a_drain_killed_midway_sends_no_message_twice(app, make, smtp, database_url, tmp_path):
    dossiers_with_notices(make, 3)
    queue_mails()
    total = mail_count()
    smtp.delay_seconds = 1.0  # each message is in the server a second before it answers
    env = command_env(app, database_url, tmp_path)
    drain_process = subprocess.Popen(  # noqa: S603 -- our own command
        [sys.executable, "-m", "flask", "--app", "wsgi", "drain-mail"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(smtp.messages) < 2 and time.monotonic() < deadline and drain_process.poll() is None:
        time.sleep(0.05)
    drain_process.send_signal(signal.SIGKILL)  # while the server holds its second message
    drain_process.wait(timeout=10)
    assert len(smtp.messages) == 2
    smtp.delay_seconds = 0

    db.session.expire_all()
    assert mail_count(MailStatus.sending) == 1  # the one the server had when the drain died
    drain()
    drain()

    ids = [m["Message-ID"] for m in smtp.messages]
    assert len(ids) == len(set(ids)) == total  # every mail exactly once
    assert mail_count(MailStatus.sent) == total - 1


def test_the_secretariat_sees_failures_and_sends_a_mail_again(app, make, smtp, monkeypatch):
    _officer, (applicant,) = dossiers_with_notices(make, 1)
    smtp.refused.add(applicant.email)
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 1)
    drain()
    failed = db.session.scalar(select(OutgoingMail).where(OutgoingMail.status == MailStatus.failed))
    secretariat = make.user(Role.secretariat)
    db.session.commit()
    client = app.test_client()
    login(client, secretariat)
    client.get("/lang/en")
    page = client.get("/secretariat/mail?status=failed").text
    assert applicant.email in page and "550" in page and 'data-status="failed">1<' in page

    smtp.refused.clear()
    client.post("/secretariat/mail/send-again", data={"mail_id": str(failed.id)})
    drain()

    assert len(smtp.to(applicant.email)) == 1
    sent = client.get("/secretariat/mail").text
    assert 'data-status="sent">2<' in sent and 'data-status="failed">0<' in sent
    # A mail that was sent cannot be sent again by hand.
    assert client.post("/secretariat/mail/send-again", data={"mail_id": str(failed.id)}).status_code == 404


def test_development_shows_what_would_be_sent_without_saving_anything(app, make, database_url, tmp_path):
    dossiers_with_notices(make, 1)
    development = create_app(
        {
            "SECRET_KEY": "dev",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "EVIDENCE_DIR": str(tmp_path / "evidence"),
            "LOCAL_OUTBOX": True,
        }
    )
    code = db.session.scalar(select(Application.receipt_code))
    with development.app_context():
        page = development.test_client().get("/dev/outbox").text
    assert page.count('class="bg-white p-3 mb-3 rounded shadow-sm mail"') == 2
    assert f"Hồ sơ {code} đã được tiếp nhận" in page
    assert mail_count() == 0  # composed for the page, not queued
    assert "/dev/outbox" not in {rule.rule for rule in app.url_map.iter_rules()}  # not in tests/production

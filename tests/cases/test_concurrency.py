"""Two people acting on one application at once: exactly one wins, on PostgreSQL and SQLite alike."""

import threading

from sqlalchemy import func, select

from recognition.accounts.models import User
from recognition.cases.errors import ConcurrentChange
from recognition.cases.models import Application, AuditEvent, State
from recognition.cases.workflow import advance
from recognition.extensions import db
from tests.conftest import fire, valid_data

THREADS = 8


def run_at_once(app, work, threads: int = THREADS) -> list:
    """Run work(i) in `threads` threads, each with its own app context and session, behind a barrier."""
    barrier = threading.Barrier(threads)
    results: list = [None] * threads

    def worker(i: int) -> None:
        with app.app_context():
            try:
                results[i] = work(i, barrier)
            except Exception as error:  # noqa: BLE001 -- the test inspects every outcome
                db.session.rollback()
                results[i] = error
            finally:
                db.session.remove()

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)
    return results


def test_eight_officers_start_vetting_at_once_one_wins(app, make):
    application = make.application()
    fire(application, "submit", make.applicant_of(application))
    officer_ids = [make.officer_of(application).id for _ in range(THREADS)]
    application_id = application.id

    def work(i, barrier):
        mine = db.session.get(Application, application_id)
        officer = db.session.get(User, officer_ids[i])
        barrier.wait()
        advance(mine, "start_vetting", officer)
        db.session.commit()
        return "ok"

    results = run_at_once(app, work)
    assert results.count("ok") == 1, results
    losers = [r for r in results if r != "ok"]
    assert all(isinstance(r, ConcurrentChange) for r in losers), losers
    assert "Người khác đã xử lý hồ sơ này trước bạn" in losers[0].messages[0]
    db.session.expire_all()
    assert db.session.get(Application, application_id).state == State.vetting
    events = db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.application_id == application_id, AuditEvent.trigger == "start_vetting")
    )
    assert events == 1


def test_concurrent_submissions_get_distinct_receipt_codes(app, make):
    round_ = make.round()
    applications = [make.application(round=round_) for _ in range(THREADS)]
    pairs = [(a.id, make.applicant_of(a).id) for a in applications]

    def work(i, barrier):
        application_id, applicant_id = pairs[i]
        mine = db.session.get(Application, application_id)
        applicant = db.session.get(User, applicant_id)
        barrier.wait()
        advance(mine, "submit", applicant, **valid_data("submit"))
        db.session.commit()
        return db.session.get(Application, application_id).receipt_code

    codes = run_at_once(app, work)
    assert all(isinstance(code, str) for code in codes), codes
    assert len(set(codes)) == THREADS
    assert sorted(int(code[-4:]) for code in codes) == list(range(1, THREADS + 1))

"""Working-day deadlines (weekends, Tết, the secretariat's make-up days), the paused clock, the sweep."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from recognition import clock
from recognition.cases.models import Application, AuditEvent, Notification, State
from recognition.extensions import db
from recognition.rounds.calendar import add_working_days, working_days_between
from recognition.rounds.models import CalendarException, SupplementExpiry
from tests.conftest import fire, login


@pytest.fixture
def frozen(monkeypatch):
    """freeze(y, m, d): every clock read in the app returns 09:00 Hanoi time on that day."""

    def freeze(year: int, month: int, day: int) -> None:
        instant = datetime(year, month, day, 2, 0, tzinfo=UTC)
        monkeypatch.setattr(clock, "_now", lambda: instant)

    return freeze


def test_weekend_is_skipped():
    assert add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Friday + 1 = Monday
    assert add_working_days(date(2026, 11, 27), 10) == date(2026, 12, 11)


def test_tet_holidays_are_skipped():
    # Tết 2027: 4 to 10 February are public holidays (holidays package, Vietnam).
    assert add_working_days(date(2027, 2, 3), 1) == date(2027, 2, 11)
    assert add_working_days(date(2027, 2, 3), 2) == date(2027, 2, 12)


def test_make_up_working_day_from_the_table(db):
    assert add_working_days(date(2027, 1, 29), 3) == date(2027, 2, 3)
    db.session.add(CalendarException(day=date(2027, 1, 30), is_working_day=True, note="Làm bù cho ngày 5/2"))
    db.session.commit()
    assert add_working_days(date(2027, 1, 29), 3) == date(2027, 2, 2)


def test_extra_day_off_from_the_table(db):
    db.session.add(CalendarException(day=date(2026, 12, 31), is_working_day=False, note="Nghỉ bù"))
    db.session.commit()
    assert add_working_days(date(2026, 12, 30), 1) == date(2027, 1, 4)  # 31/12 off, 1/1 holiday, weekend


def test_working_days_between():
    assert working_days_between(date(2026, 11, 27), date(2026, 11, 30)) == 1
    assert working_days_between(date(2026, 11, 30), date(2026, 11, 27)) == 0


def test_default_reply_deadline_with_a_frozen_clock(app, make, frozen, db):
    db.session.add(CalendarException(day=date(2027, 1, 30), is_working_day=True, note="Làm bù"))
    db.session.commit()
    frozen(2027, 1, 25)
    application = make.application(round=make.round(opens_on=date(2027, 1, 1), closes_on=date(2027, 3, 1)))
    fire(application, "submit", make.applicant_of(application))
    officer = make.officer_of(application)
    fire(application, "start_vetting", officer)
    client = app.test_client()
    login(client, officer)
    page = client.get(f"/unit/dossiers/{application.id}/supplement").text
    # 10 working days from Monday 25/01/2027: 26-29 Jan (4), Sat 30 Jan, a make-up day (5),
    # 1-3 Feb (8), Tết from 4 to 10 Feb, then 11 and 12 Feb (10).
    assert 'value="2027-02-12"' in page


def test_the_vetting_clock_pauses_while_the_applicant_supplements(make, frozen):
    frozen(2026, 11, 2)  # Monday
    application = make.application(round=make.round(opens_on=date(2026, 10, 1), closes_on=date(2026, 12, 1)))
    applicant, officer = make.applicant_of(application), make.officer_of(application)
    fire(application, "submit", applicant)
    assert application.due_on == date(2026, 11, 23)  # 15 working days
    fire(application, "start_vetting", officer)
    frozen(2026, 11, 9)  # 5 working days used, 10 left
    fire(application, "request_supplement", officer, deadline=date(2026, 11, 20))
    assert application.due_on == date(2026, 11, 20)
    assert application.vetting_days_left == 10
    frozen(2026, 11, 16)  # a week spent supplementing does not count
    fire(application, "resubmit", applicant)
    # 10 working days from 16/11, skipping Vietnam Cultural Day (24/11, a holiday since 2026).
    assert application.due_on == date(2026, 12, 1)
    assert application.vetting_days_left is None


def sweep_twice(app):
    runner = app.test_cli_runner()
    return runner.invoke(args=["sweep"]), runner.invoke(args=["sweep"])


def snapshot():
    return (
        db.session.scalar(select(func.count()).select_from(Notification)),
        db.session.scalar(select(func.count()).select_from(AuditEvent)),
        sorted(
            db.session.execute(
                select(Application.id, Application.state, Application.overdue_reminded_on)
            ).all()
        ),
    )


def test_sweep_flags_overdue_vetting_once(app, make, frozen):
    frozen(2026, 11, 2)
    application = make.application(round=make.round(opens_on=date(2026, 10, 1), closes_on=date(2026, 12, 1)))
    fire(application, "submit", make.applicant_of(application))
    frozen(2026, 11, 24)  # the day after the 15 working days
    first, second = sweep_twice(app)
    assert "vetting overdue: 1" in first.output
    assert "vetting overdue: 0" in second.output
    reminders = db.session.scalars(select(Notification).where(Notification.event == "vetting_overdue")).all()
    assert [(n.recipient_role, n.recipient_unit_id) for n in reminders] == [
        ("unit_officer", application.vetting_unit_id)
    ]


@pytest.mark.parametrize("expiry", [SupplementExpiry.remind, SupplementExpiry.withdraw])
def test_sweep_is_idempotent_for_each_supplement_setting(app, make, frozen, expiry):
    frozen(2026, 11, 2)
    round_ = make.round(opens_on=date(2026, 10, 1), closes_on=date(2026, 12, 1), supplement_expiry=expiry)
    application = make.application(round=round_)
    officer = make.officer_of(application)
    fire(application, "submit", make.applicant_of(application))
    fire(application, "start_vetting", officer)
    fire(application, "request_supplement", officer, deadline=date(2026, 11, 16))
    frozen(2026, 11, 17)
    first, _ = sweep_twice(app)
    after_first = snapshot()
    app.test_cli_runner().invoke(args=["sweep"])
    assert snapshot() == after_first
    db.session.expire_all()
    application = db.session.get(Application, application.id)
    if expiry == SupplementExpiry.withdraw:
        assert "lapsed: 1" in first.output
        assert application.state == State.withdrawn
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.trigger == "lapse"))
        assert (event.actor_id, event.actor_role) == (None, "system")
    else:
        assert "supplement reminders: 1" in first.output
        assert application.state == State.supplement_requested
        assert application.overdue_reminded_on == date(2026, 11, 17)


def test_sweep_leaves_dossiers_within_their_deadline(app, make, frozen):
    frozen(2026, 11, 2)
    application = make.application(round=make.round(opens_on=date(2026, 10, 1), closes_on=date(2026, 12, 1)))
    fire(application, "submit", make.applicant_of(application))
    before = snapshot()
    result = app.test_cli_runner().invoke(args=["sweep"])
    assert "vetting overdue: 0" in result.output
    assert snapshot() == before


def test_the_secretariat_keeps_the_calendar_table(app, make):
    from recognition.accounts.models import Role

    client = app.test_client()
    login(client, make.user(Role.secretariat))
    assert add_working_days(date(2027, 1, 29), 3) == date(2027, 2, 3)
    response = client.post(
        "/secretariat/calendar", data={"day": "2027-01-30", "is_working_day": "1", "note": "Làm bù ngày 5/2"}
    )
    assert response.status_code == 302
    assert "Làm bù ngày 5/2" in client.get("/secretariat/calendar").text
    assert add_working_days(date(2027, 1, 29), 3) == date(2027, 2, 2)
    client.post("/secretariat/calendar/2027-01-30/remove")
    assert add_working_days(date(2027, 1, 29), 3) == date(2027, 2, 3)
    assert client.post("/secretariat/calendar/not-a-date/remove").status_code == 404


def test_sweep_drops_rate_limit_counters_of_past_days(app, frozen):
    from recognition.ratelimit import RateLimitHit, hit

    frozen(2026, 11, 2)
    hit("track:10.0.0.1", 10)
    frozen(2026, 11, 4)  # two days later: the first counter is past, this one is current
    hit("track:10.0.0.1", 10)
    db.session.commit()  # outside a request the caller commits the counts (recognition.policy)
    app.test_cli_runner().invoke(args=["sweep"])
    assert db.session.scalar(select(func.count()).select_from(RateLimitHit)) == 1

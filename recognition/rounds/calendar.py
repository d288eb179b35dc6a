"""Working days: Monday to Friday, minus Vietnam's public holidays (the `holidays` package), with the
secretariat's table of make-up working days and extra days off taking precedence."""

from __future__ import annotations

from datetime import date, timedelta

import holidays
from sqlalchemy import select

from recognition.extensions import db
from recognition.rounds.models import CalendarException


def _exceptions(start: date, end: date) -> dict[date, bool]:
    rows = db.session.execute(
        select(CalendarException.day, CalendarException.is_working_day).where(
            CalendarException.day.between(start, end)
        )
    )
    return {day: working for day, working in rows}


class WorkingCalendar:
    """Answers working-day questions for a span of dates with one query for the exceptions."""

    def __init__(self, start: date, end: date):
        self.exceptions = _exceptions(start, end)
        self.public_holidays = holidays.country_holidays("VN", years=range(start.year, end.year + 1))

    def is_working_day(self, day: date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5 and day not in self.public_holidays


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself not counted)."""
    # Two calendar weeks per working week, plus Tết, bounds the span we need.
    calendar = WorkingCalendar(start, start + timedelta(days=days * 2 + 30))
    current, remaining = start, days
    while remaining > 0:
        current += timedelta(days=1)
        if calendar.is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    calendar = WorkingCalendar(start, end)
    return sum(calendar.is_working_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1))


def set_calendar_exception(day: date, is_working_day: bool, note: str) -> CalendarException:
    """Record (or correct) how the official calendar treats a day; the caller commits."""
    exception = db.session.get(CalendarException, day) or CalendarException(day=day)
    exception.is_working_day = is_working_day
    exception.note = note.strip()
    db.session.add(exception)
    return exception


def calendar_exceptions_from(start: date) -> list[CalendarException]:
    return list(
        db.session.scalars(select(CalendarException).where(CalendarException.day >= start).order_by("day"))
    )

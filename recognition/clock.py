"""The one place the app reads the time, so tests can freeze it and dates follow Hanoi's calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def _system_now() -> datetime:
    return datetime.now(UTC)


# Tests freeze time by replacing this one reference (monkeypatch recognition.clock._now).
_now = _system_now


def utcnow() -> datetime:
    """Timezone-aware now, so SQLite and PostgreSQL store the same instant."""
    return _now()


def local_today() -> date:
    """Today's date in Hanoi: deadlines, round dates and receipt codes use it."""
    return utcnow().astimezone(HANOI).date()


def to_local(moment: datetime) -> datetime:
    """Hanoi time; a naive value (SQLite drops the zone) is UTC, as everything is stored in UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(HANOI)


def format_moment(moment: datetime | None) -> str:
    """HH:MM dd/mm/yyyy in Hanoi time."""
    if moment is None:
        return ""
    local = to_local(moment)
    return f"{local:%H:%M} {format_day(local.date())}"


def format_day(day: date) -> str:
    """dd/mm/yyyy, the convention of Vietnamese administrative documents, in both languages."""
    return day.strftime("%d/%m/%Y")

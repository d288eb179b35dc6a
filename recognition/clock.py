"""The one place the app reads the time, so tests can freeze it and dates follow Hanoi's calendar;
and the one place days and instants are written out for people."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, get_datetime_format
from flask_babel import LazyString, get_locale

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
VIETNAMESE_DAY = "dd/MM/yyyy"


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


def format_moment(moment: datetime | None, locale: str | None = None) -> str:
    """An instant in Hanoi time, HH:MM with the day in the locale's order: "14:05 03/12/2026" in
    Vietnamese, "Dec 3, 2026, 14:05" in English."""
    if moment is None:
        return ""
    local = to_local(moment)
    code = _locale_code(locale)
    # Babel annotates the pattern as DateTimePattern; for "medium" it is the CLDR string "{1}, {0}".
    pattern = str(get_datetime_format("medium", locale=code))
    return pattern.format(f"{local:%H:%M}", format_day(local.date(), code))


def format_day(day: date | str | None, locale: str | None = None) -> str:
    """The one way a day is shown, in the reader's language unless `locale` says otherwise:
    dd/mm/yyyy in Vietnamese (the convention of administrative documents), the locale's medium
    format in English ("Dec 3, 2026"). An ISO string, as audit payloads keep days, is read first."""
    if not day:
        return ""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    code = _locale_code(locale)
    return format_date(day, VIETNAMESE_DAY if code == "vi" else "medium", locale=code)


def vi_day(day: date) -> str:
    """dd/mm/yyyy whatever the reader's language: the days in documents written in Vietnamese
    (certificates, one-stop slips, the council's and the Department's documents)."""
    return format_day(day, "vi")


def lazy_day(day: date) -> LazyString:
    """A day for a lazy message (a refusal), shown in the language of whoever finally reads it."""
    return LazyString(format_day, day)


def _locale_code(locale: str | None) -> str:
    if locale:
        return locale
    current = get_locale()
    return str(current) if current else "vi"

"""Bounds on the lists a form takes: repeated rows (FieldList), multi-selects, one-per-line text.

FieldList's own `max_entries` silently drops the rows beyond it; these refuse instead, with a message
naming the bound, and the form keeps what was typed. Messages are plain strings (not lazy), so a
template can tell a list's own errors from its rows' error lists (`if error is string`)."""

from __future__ import annotations

from flask_babel import gettext as _
from wtforms.validators import ValidationError

from recognition.clock import local_today


class MaxEntries:
    """At most `maximum` rows in a FieldList."""

    def __init__(self, maximum: int):
        self.maximum = maximum

    def __call__(self, _form, field) -> None:
        check_entries(len(field.entries), self.maximum)


def check_entries(count: int, maximum: int) -> None:
    """Refuse a list of `count` entries when only `maximum` are accepted (for bounds known per form)."""
    if count > maximum:
        raise ValidationError(
            _("At most %(max)s entries are accepted here; %(count)s were sent.", max=maximum, count=count)
        )


def distinct_choices(_form, field) -> None:
    """A multi-select takes each choice once, so its length is bounded by its choices."""
    if len(set(field.data or ())) != len(field.data or ()):
        raise ValidationError(_("A choice was sent more than once."))


class MaxLines:
    """One-per-line text: at most `maximum` non-empty lines, each at most `line_length` characters."""

    def __init__(self, maximum: int, line_length: int):
        self.maximum, self.line_length = maximum, line_length

    def __call__(self, _form, field) -> None:
        lines = [line for line in (field.data or "").splitlines() if line.strip()]
        check_entries(len(lines), self.maximum)
        if any(len(line) > self.line_length for line in lines):
            raise ValidationError(
                _("Each line can be at most %(max)s characters long.", max=self.line_length)
            )


class NotAfterToday:
    """A day that has already come (a site visit, a decision): Hanoi's today at the latest."""

    def __init__(self, message):
        self.message = message

    def __call__(self, _form, field) -> None:
        if field.data is not None and field.data > local_today():
            raise ValidationError(str(self.message))


class AfterToday:
    """A day still to come (a reply deadline): tomorrow in Hanoi at the earliest."""

    def __init__(self, message):
        self.message = message

    def __call__(self, _form, field) -> None:
        if field.data is not None and field.data <= local_today():
            raise ValidationError(str(self.message))


def not_negative(_form, field) -> None:
    """Amounts and counts: a negative one is refused as such, not as out of some range."""
    if field.data is not None and field.data < 0:
        raise ValidationError(_("Must not be negative."))

"""Bounds on the lists a form takes: repeated rows (FieldList), multi-selects, one-per-line text.

FieldList's own `max_entries` silently drops the rows beyond it; these refuse instead, with a message
naming the bound, and the form keeps what was typed. Messages are plain strings (not lazy), so a
template can tell a list's own errors from its rows' error lists (`if error is string`)."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import TypeVar, cast

from flask_babel import LazyString
from flask_babel import gettext as _
from wtforms import Field, FieldList
from wtforms.form import BaseForm
from wtforms.validators import ValidationError

from recognition.clock import local_today

T = TypeVar("T")


class MaxEntries:
    """At most `maximum` rows in a FieldList."""

    def __init__(self, maximum: int):
        self.maximum = maximum

    def __call__(self, _form: BaseForm, field: FieldList) -> None:
        check_entries(len(field.entries), self.maximum)


def check_entries(count: int, maximum: int) -> None:
    """Refuse a list of `count` entries when only `maximum` are accepted (for bounds known per form)."""
    if count > maximum:
        raise ValidationError(
            _("At most %(max)s entries are accepted here; %(count)s were sent.", max=maximum, count=count)
        )


def distinct_choices(_form: BaseForm, field: Field) -> None:
    """A multi-select takes each choice once, so its length is bounded by its choices."""
    if len(set(field.data or ())) != len(field.data or ()):
        raise ValidationError(_("A choice was sent more than once."))


class MaxLines:
    """One-per-line text: at most `maximum` non-empty lines, each at most `line_length` characters."""

    def __init__(self, maximum: int, line_length: int):
        self.maximum, self.line_length = maximum, line_length

    def __call__(self, _form: BaseForm, field: Field) -> None:
        lines = [line for line in (field.data or "").splitlines() if line.strip()]
        check_entries(len(lines), self.maximum)
        if any(len(line) > self.line_length for line in lines):
            raise ValidationError(
                _("Each line can be at most %(max)s characters long.", max=self.line_length)
            )


class NotAfterToday:
    """A day that has already come (a site visit, a decision): Hanoi's today at the latest."""

    def __init__(self, message: LazyString | str):
        self.message = message

    def __call__(self, _form: BaseForm, field: Field) -> None:
        if field.data is not None and field.data > local_today():
            raise ValidationError(str(self.message))


class AfterToday:
    """A day still to come (a reply deadline): tomorrow in Hanoi at the earliest."""

    def __init__(self, message: LazyString | str):
        self.message = message

    def __call__(self, _form: BaseForm, field: Field) -> None:
        if field.data is not None and field.data <= local_today():
            raise ValidationError(str(self.message))


def not_negative(_form: BaseForm, field: Field) -> None:
    """Amounts and counts: a negative one is refused as such, not as out of some range."""
    if field.data is not None and field.data < 0:
        raise ValidationError(_("Must not be negative."))


def add_error(field: Field, message: str) -> None:
    """One more message beside a field of a validated form: validation left its errors a list (the
    stubs type them as any sequence, as they are before validation)."""
    cast(list[str], field.errors).append(message)


def filled(data: T | None) -> T:
    """A required field's data once its form validated: DataRequired or InputRequired held, so there
    is a value (WTForms types every field's data as optional, the value a form gets before it posts)."""
    if data is None:
        raise ValueError("a required field has no data: was its form validated?")
    return data


def _amount_format() -> ValueError:
    return ValueError(
        _("Write the amount as 1.234.567 or 1,234,567; decimals after the other mark (1.234,50 or 1,234.50).")
    )


def parse_amount(text: str) -> int:
    """A whole amount as Vietnamese or English readers write it, rounded half up to a whole unit.

    Dots and commas group thousands (1.234.567, 1,234,567; spaces too); when both appear, the last
    one is the decimal mark (1.234,50 or 1,234.50); a single mark is decimal before one or two digits
    (1234,5) and groups thousands before three (1,234 and 1.234 are both 1234). Anything else (1,23,456,
    1.234,567) raises ValueError with the message to show."""
    text = re.sub(r"[\s_]", "", unicodedata.normalize("NFKC", text))
    sign, body = ("-", text[1:]) if text.startswith("-") else ("", text)
    if not re.fullmatch(r"[0-9][0-9.,]*", body):
        raise _amount_format()
    marks = re.sub(r"[0-9]", "", body)
    whole, fraction = body, ""
    if marks:
        last = marks[-1]
        head, _mark, tail = body.rpartition(last)
        if len(set(marks)) == 2 or (len(marks) == 1 and len(tail) != 3):
            whole, fraction = head, tail
    groups = re.split(r"[.,]", whole)
    grouped = len(groups) == 1 or (
        len(set(re.sub(r"[0-9]", "", whole))) == 1
        and re.fullmatch(r"[1-9][0-9]{0,2}", groups[0])
        and all(len(group) == 3 for group in groups[1:])
    )
    if not grouped or (whole != body and not re.fullmatch(r"[0-9]{1,2}", fraction)):
        raise _amount_format()
    with localcontext() as context:
        context.prec = len(body) + 2  # exact for any length, so a 30-digit amount is bounded by the caller
        value = Decimal(f"{sign}{''.join(groups)}.{fraction or '0'}")
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
